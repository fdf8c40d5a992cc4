import { useEffect, useId, useRef } from 'react';
import type { Job } from '../lib/api-types';
import { formatDuration, formatTime, jobDuration } from '../lib/format';
import { followLink } from '../lib/router';
import { useNow } from '../lib/use-now';
import { ReportView } from '../features/reports/components/report-view';
import { useJobReport } from '../features/reports/hooks/use-job-report';
import { jobPackage } from '../domain/report';
import { JobProgress } from '../features/jobs/components/job-progress';
import { StatusBadge } from '../features/jobs/components/status-badge';
import { CouldNotAnalyse } from '../components/could-not-analyse';

interface JobPageProps {
  id: string;
  /** The job as the live store has it; undefined until loaded. */
  job: Job | undefined;
  /** Why the job could not be loaded (e.g. the api's 404 sentence). */
  loadError: string | null;
}

/** The page at /jobs/{id}: live status and progress, then, for an analysis, its report. */
export function JobPage({ id, job, loadError }: JobPageProps) {
  const titleId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const report = useJobReport(job);
  const now = useNow(1000, job?.status === 'running');
  const pkg = job ? jobPackage(job) : null;
  // Focus the heading on arrival, so keyboard and screen-reader users start at the new page.
  useEffect(() => headingRef.current?.focus(), [id]);

  return (
    <section className="panel job-page" aria-labelledby={titleId} data-job-id={id} data-status={job?.status}>
      <p className="back">
        <a href="/" onClick={followLink}>
          ← All jobs
        </a>
      </p>
      <h2 id={titleId} ref={headingRef} tabIndex={-1}>
        {pkg ? (
          <>
            Analysis of <span className="mono wrap">{pkg}</span>
          </>
        ) : (
          <>
            Job <span className="mono wrap">{id}</span>
          </>
        )}
      </h2>
      {!job ? (
        loadError ? (
          <p className="inline-error" role="alert">
            {loadError}
          </p>
        ) : (
          <p role="status">Loading job…</p>
        )
      ) : (
        <>
          <dl className="detail-grid">
            <dt>Status</dt>
            <dd>
              <span data-testid="job-status" role="status">
                <StatusBadge status={job.status} />
              </span>
            </dd>
            <dt>Progress</dt>
            <dd>
              <JobProgress job={job} />
            </dd>
            <dt>Job</dt>
            <dd className="mono wrap">{job.id}</dd>
            <dt>Task</dt>
            <dd>{job.task}</dd>
            <dt>Attempts</dt>
            <dd>{job.attempts}</dd>
            <dt>Worker</dt>
            <dd className="mono wrap">{job.worker ?? '—'}</dd>
            <dt>Created</dt>
            <dd>{formatTime(job.created_at)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(jobDuration(job, now))}</dd>
          </dl>
          {job.status === 'failed' &&
            (job.task === 'analyze' ? (
              <div role="alert">
                <CouldNotAnalyse reason={job.error} when={job.completed_at} />
              </div>
            ) : (
              <div className="inline-error" role="alert">
                <p>This job failed: {job.error ?? 'no reason was recorded.'}</p>
              </div>
            ))}
          {job.task === 'analyze' ? (
            <AnalysisSection jobId={job.id} status={job.status} report={report} />
          ) : (
            job.result !== null && (
              <>
                <h3>Result</h3>
                <pre className="json">{JSON.stringify(job.result, null, 2)}</pre>
              </>
            )
          )}
          <h3>Params</h3>
          <pre className="json">{JSON.stringify(job.params, null, 2)}</pre>
        </>
      )}
    </section>
  );
}

function AnalysisSection({ jobId, status, report }: { jobId: string; status: Job['status']; report: ReturnType<typeof useJobReport> }) {
  if (status === 'queued' || status === 'running') {
    return <p className="muted">The report appears here when the analysis finishes.</p>;
  }
  switch (report.state) {
    case 'none':
      return null;
    case 'loading':
      return <p role="status">Loading the report…</p>;
    case 'error':
      return (
        <p className="inline-error" role="alert">
          Could not load the report: {report.message}
        </p>
      );
    case 'ready':
      return <ReportView report={report.report} jobId={jobId} />;
  }
}

