import type { Job } from '../../../lib/api-types';

/** A native <progress> (no inline styles, so the CSP can forbid them); text for other states. */
export function JobProgress({ job }: { job: Job }) {
  if (job.status !== 'running') {
    return <span className="muted">{job.status === 'completed' ? '100%' : '—'}</span>;
  }
  const percent = Math.round(Math.min(1, Math.max(0, job.progress)) * 100);
  return (
    <span className="progress-cell">
      <progress max={100} value={percent} aria-label={`Progress of job ${job.id.slice(0, 8)}`}>
        {percent}%
      </progress>
      <span className="progress-text">{percent}%</span>
    </span>
  );
}
