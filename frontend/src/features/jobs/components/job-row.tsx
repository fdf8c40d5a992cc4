import { memo } from 'react';
import type { Job } from '../../../lib/api-types';
import { formatDuration, formatTime, jobDuration, shortId } from '../../../lib/format';
import { followLink, jobPath } from '../../../lib/router';
import { UnanalysedBadge, VerdictScore } from '../../../components/verdict-badge';
import { analysisSummary, jobPackage } from '../../../domain/report';
import { analysisOutcome } from '../../../domain/outcome';
import { JobProgress } from './job-progress';
import { StatusBadge } from './status-badge';

interface JobRowProps {
  job: Job;
  selected: boolean;
  onSelect: (id: string) => void;
  /** Only running rows get a ticking clock, so finished rows skip re-rendering. */
  now: number;
}

/** The DOM id of a row's details button, to give focus back after the panel closes. */
export function jobButtonId(jobId: string): string {
  return `job-${jobId}`;
}

export const JobRow = memo(function JobRow({ job, selected, onSelect, now }: JobRowProps) {
  const pkg = jobPackage(job);
  const summary = analysisSummary(job);
  const outcome = analysisOutcome(job);
  return (
    <tr
      data-job-id={job.id}
      data-status={job.status}
      data-progress={job.progress}
      aria-selected={selected} className={selected ? 'selected' : undefined}>
      <td>
        <button
          type="button"
          id={jobButtonId(job.id)}
          className="link mono"
          onClick={() => onSelect(job.id)}
          aria-label={`Show details of job ${job.id}`}
          aria-current={selected ? 'true' : undefined}
          title={job.id}
        >
          {shortId(job.id)}
        </button>
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>
        <JobProgress job={job} />
      </td>
      <td className="col-package">
        {pkg ? (
          <a href={jobPath(job.id)} onClick={followLink} className="mono" title={pkg}>
            {pkg}
          </a>
        ) : (
          <span className="muted">{job.task}</span>
        )}
      </td>
      <td data-verdict={outcome === 'pending' ? undefined : (outcome ?? undefined)}>
        {summary ? (
          <VerdictScore verdict={summary.verdict} score={summary.score} />
        ) : outcome === 'unanalysed' ? (
          <UnanalysedBadge reason={job.error} />
        ) : (
          '—'
        )}
      </td>
      <td className="mono col-worker" title={job.worker ?? undefined}>
        {job.worker ?? '—'}
      </td>
      <td className="num col-phone-hide">{job.attempts}</td>
      <td className="col-time col-phone-hide">{formatTime(job.created_at)}</td>
      <td className="col-time col-optional">{formatTime(job.started_at)}</td>
      <td className="col-time col-optional">{formatTime(job.completed_at)}</td>
      <td className="num">{formatDuration(jobDuration(job, now))}</td>
    </tr>
  );
});
