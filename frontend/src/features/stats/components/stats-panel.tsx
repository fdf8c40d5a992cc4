import { useId } from 'react';
import type { Stats } from '../../../lib/api-types';

interface StatsPanelProps {
  stats: Stats | null;
  error: string | null;
}

const COUNTERS: { label: string; value: (stats: Stats) => number; tone?: string }[] = [
  { label: 'Queue depth', value: (s) => s.queue_depth },
  { label: 'Queued', value: (s) => s.jobs.queued, tone: 'queued' },
  { label: 'Running', value: (s) => s.jobs.running, tone: 'running' },
  { label: 'Completed', value: (s) => s.jobs.completed, tone: 'completed' },
  { label: 'Failed', value: (s) => s.jobs.failed, tone: 'failed' },
  { label: 'Workers', value: (s) => s.workers },
  { label: 'Dead letter', value: (s) => s.dead_letter },
];

export function StatsPanel({ stats, error }: StatsPanelProps) {
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Now</h2>
      {stats === null ? (
        error ? (
          <p className="inline-error" role="alert">
            Counters unavailable: {error}
          </p>
        ) : (
          <p className="muted" role="status">
            Loading counters…
          </p>
        )
      ) : (
        <>
          <dl className="counters" data-testid="stats">
            {COUNTERS.map(({ label, value, tone }) => (
              <div key={label} className={tone ? `counter tone-${tone}` : 'counter'}>
                <dt>{label}</dt>
                <dd>{value(stats).toLocaleString()}</dd>
              </div>
            ))}
          </dl>
          {error && <p className="muted stale">Last refresh failed; showing the latest known values.</p>}
        </>
      )}
    </section>
  );
}
