import { useEffect, useId, useRef } from 'react';
import type { Job } from '../../../lib/api-types';
import { formatDuration, formatTime, jobDuration } from '../../../lib/format';
import { followLink, jobPath } from '../../../lib/router';
import { useNow } from '../../../lib/use-now';
import { JobProgress } from './job-progress';
import { StatusBadge } from './status-badge';

interface JobDetailProps {
  job: Job | undefined;
  onClose: () => void;
}

/** Details of one job; JSON is shown as text (React escapes it), never as HTML. */
export function JobDetail({ job, onClose }: JobDetailProps) {
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const jobId = job?.id;
  const now = useNow(1000, job?.status === 'running');

  useEffect(() => {
    if (jobId) closeRef.current?.focus();
  }, [jobId]);

  if (!job) return null;
  return (
    <aside
      className="panel job-detail"
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="panel-header">
        <h2 id={titleId}>
          Job <span className="mono">{job.id}</span>
        </h2>
        <button type="button" ref={closeRef} onClick={onClose} aria-label="Close job details">
          Close
        </button>
      </div>
      <dl className="detail-grid">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={job.status} />
        </dd>
        <dt>Progress</dt>
        <dd>
          <JobProgress job={job} />
        </dd>
        <dt>Task</dt>
        <dd>{job.task}</dd>
        <dt>Worker</dt>
        <dd className="mono">{job.worker ?? '—'}</dd>
        <dt>Attempts</dt>
        <dd>{job.attempts}</dd>
        <dt>Created</dt>
        <dd>{formatTime(job.created_at)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(job.started_at)}</dd>
        <dt>Completed</dt>
        <dd>{formatTime(job.completed_at)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(jobDuration(job, now))}</dd>
      </dl>
      <p>
        <a href={jobPath(job.id)} onClick={followLink}>
          Open the job page
        </a>{' '}
        <span className="muted">(a link to share{job.task === 'analyze' ? ', with the report' : ''})</span>
      </p>
      <h3>Params</h3>
      <pre className="json">{JSON.stringify(job.params, null, 2)}</pre>
      <h3>Result</h3>
      {job.result === null ? <p className="muted">No result yet.</p> : <pre className="json">{JSON.stringify(job.result, null, 2)}</pre>}
      <h3>Error</h3>
      {job.error === null ? <p className="muted">None.</p> : <pre className="json error-text">{typeof job.error === 'string' ? job.error : JSON.stringify(job.error, null, 2)}</pre>}
    </aside>
  );
}
