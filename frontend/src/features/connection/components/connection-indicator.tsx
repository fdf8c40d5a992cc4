import type { ConnectionState } from '../../../lib/reconnecting-socket';
import { useNow } from '../../../lib/use-now';

/** Live / connecting / disconnected, announced politely to screen readers. */
export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const now = useNow(1000, state.status === 'closed');
  let text: string;
  // Screen readers hear the state change once, not the countdown every second.
  let spoken: string;
  if (state.status === 'open') {
    text = spoken = 'Live';
  } else if (state.status === 'connecting') {
    text = spoken = state.failures > 0 ? 'Reconnecting…' : 'Connecting…';
  } else {
    const seconds = state.retryAt === null ? 0 : Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = seconds > 0 ? `Disconnected · retrying in ${seconds} s` : 'Disconnected · retrying…';
    spoken = 'Disconnected from live updates; retrying.';
  }
  return (
    <p className={`connection connection-${state.status}`} data-testid="connection" data-state={state.status}>
      <span className="dot" aria-hidden="true" />
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden" role="status">
        {spoken}
      </span>
    </p>
  );
}
