import { useId, useState } from 'react';
import { JOB_STATUSES, type Job, type JobStatus } from '../../../lib/api-types';
import { VERDICTS } from '../../../domain/report';
import { UNANALYSED_LABEL } from '../../../domain/outcome';
import type { JobFilters, VerdictFilter } from '../model/filter-jobs';
import { useNow } from '../../../lib/use-now';
import { JobRow } from './job-row';

export const ROWS_STEP = 100;

interface JobsTableProps {
  rows: Job[];
  status: JobStatus | null;
  onStatusChange: (status: JobStatus | null) => void;
  /** Task and verdict filters, applied by the caller to `rows`. */
  filters: JobFilters;
  onFiltersChange: (filters: JobFilters) => void;
  tasks: readonly string[];
  list: 'loading' | 'ready' | 'error';
  listError: string | null;
  hasMoreOnServer: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onRetry: () => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

export function JobsTable(props: JobsTableProps) {
  const { rows, status, list, listError, selectedId, onSelect } = props;
  const titleId = useId();
  const filterId = useId();
  const taskFilterId = useId();
  const verdictFilterId = useId();
  const { filters } = props;
  const filtered = status !== null || filters.task !== null || filters.verdict !== null;
  // Rows render in steps, so a thousand jobs stay cheap; older pages come from the server on demand.
  const [visible, setVisible] = useState(ROWS_STEP);
  const anyRunning = rows.some((job) => job.status === 'running');
  const now = useNow(1000, anyRunning);
  const shown = rows.slice(0, visible);
  const canShowMore = rows.length > visible || props.hasMoreOnServer;

  function showMore() {
    if (rows.length <= visible + ROWS_STEP && props.hasMoreOnServer) props.onLoadMore();
    setVisible((count) => count + ROWS_STEP);
  }

  return (
    <section className="panel jobs-panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>Jobs</h2>
        <div className="filters">
          <div className="filter">
            <label htmlFor={filterId}>Status</label>
            <select
              id={filterId}
              value={status ?? ''}
              onChange={(event) => {
                setVisible(ROWS_STEP);
                props.onStatusChange(event.target.value === '' ? null : (event.target.value as JobStatus));
              }}
            >
              <option value="">all</option>
              {JOB_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          <div className="filter">
            <label htmlFor={taskFilterId}>Task</label>
            <select
              id={taskFilterId}
              value={filters.task ?? ''}
              onChange={(event) => props.onFiltersChange({ ...filters, task: event.target.value || null })}
            >
              <option value="">all</option>
              {props.tasks.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          <div className="filter">
            <label htmlFor={verdictFilterId}>Verdict</label>
            <select
              id={verdictFilterId}
              value={filters.verdict ?? ''}
              onChange={(event) => props.onFiltersChange({ ...filters, verdict: (event.target.value || null) as VerdictFilter | null })}
            >
              <option value="">all</option>
              {VERDICTS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
              <option value="unanalysed">{UNANALYSED_LABEL}</option>
            </select>
          </div>
        </div>
      </div>
      {listError && list === 'ready' && (
        <p className="inline-error" role="alert">
          {listError}{' '}
          <button type="button" className="link" onClick={props.onRetry}>
            Retry
          </button>
        </p>
      )}
      {list === 'loading' && rows.length === 0 ? (
        <p className="empty" role="status">
          Loading jobs…
        </p>
      ) : list === 'error' ? (
        <div className="empty" role="alert">
          <p>Could not load jobs: {listError}</p>
          <button type="button" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      ) : rows.length === 0 ? (
        <p className="empty">
          {filtered ? 'No loaded jobs match these filters.' : 'No jobs yet. Dispatch one with the form.'}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="jobs-table">
            <caption className="visually-hidden">
              Jobs, newest first{status ? `, status ${status}` : ''}
              {filters.task ? `, task ${filters.task}` : ''}
              {filters.verdict ? `, verdict ${filters.verdict === 'unanalysed' ? UNANALYSED_LABEL : filters.verdict}` : ''}. {rows.length} shown.
            </caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Package</th>
                <th scope="col">Verdict</th>
                <th scope="col" className="col-worker">Worker</th>
                <th scope="col" className="num col-phone-hide">Attempts</th>
                <th scope="col" className="col-phone-hide">Created</th>
                <th scope="col" className="col-optional">Started</th>
                <th scope="col" className="col-optional">Completed</th>
                <th scope="col" className="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((job) => (
                <JobRow
                  key={job.id}
                  job={job}
                  selected={job.id === selectedId}
                  onSelect={onSelect}
                  now={job.status === 'running' ? now : 0}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canShowMore && list !== 'error' && (
        <div className="more">
          <button type="button" onClick={showMore} disabled={props.loadingMore}>
            {props.loadingMore ? 'Loading…' : 'Show older jobs'}
          </button>
        </div>
      )}
    </section>
  );
}
