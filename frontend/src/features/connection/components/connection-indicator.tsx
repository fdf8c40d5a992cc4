import type { ConnectionState } from '../../../lib/reconnecting-socket';
import { useNow } from '../../../lib/use-now';

/** Live / connecting / disconnected, announced politely to screen readers. */
export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const now = useNow(1000, state.status === 'closed');
  let text: string;
  if (state.status === 'open') text = 'Live';
  else if (state.status === 'connecting') text = state.failures > 0 ? 'Reconnecting…' : 'Connecting…';
  else {
    const seconds = state.retryAt === null ? 0 : Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = seconds > 0 ? `Disconnected · retrying in ${seconds} s` : 'Disconnected · retrying…';
  }
  return (
    <p className={`connection connection-${state.status}`} role="status" data-testid="connection" data-state={state.status}>
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
