import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeError } from '../lib/api-error';
import type { Job, JobStatus } from '../lib/api-types';
import { type Route, followLink, jobPath, matchRoute, navigate, usePathname } from '../lib/router';
import { AnalyzePanel } from '../features/analyze/components/analyze-panel';
import { ConnectionIndicator } from '../features/connection/components/connection-indicator';
import { DispatchForm } from '../features/dispatch/components/dispatch-form';
import { TASKS } from '../features/dispatch/model/validate-dispatch';
import { JobDetail } from '../features/jobs/components/job-detail';
import { JobPage } from './job-page';
import { JobsTable } from '../features/jobs/components/jobs-table';
import { jobButtonId } from '../features/jobs/components/job-row';
import { type LiveJobs, useLiveJobs } from '../features/jobs/hooks/use-live-jobs';
import { type JobFilters, filterJobs } from '../features/jobs/model/filter-jobs';
import { ReportSearch } from '../features/reports/components/report-search';
import { CompletionsChart } from '../features/stats/components/completions-chart';
import { getStats } from '../features/stats/api/get-stats';
import { StatsPanel } from '../features/stats/components/stats-panel';

export function App() {
  const route = matchRoute(usePathname());
  const [status, setStatus] = useState<JobStatus | null>(null);
  const live = useLiveJobs({ status, loadStats: getStats });

  useEffect(() => {
    document.title = route.name === 'job' ? `Pack-A-Mal · job ${route.id.slice(0, 8)}` : 'Pack-A-Mal · jobs';
  }, [route]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <a href="/" onClick={followLink} className="home-link">
            Pack-A-Mal
          </a>{' '}
          <span className="muted">jobs</span>
        </h1>
        <ConnectionIndicator state={live.connection} />
      </header>
      {route.name === 'job' ? (
        <JobRoute key={route.id} id={route.id} live={live} />
      ) : route.name === 'not-found' ? (
        <NotFound route={route} />
      ) : (
        <Dashboard live={live} status={status} onStatusChange={setStatus} />
      )}
    </div>
  );
}

function Dashboard({ live, status, onStatusChange }: { live: LiveJobs; status: JobStatus | null; onStatusChange: (s: JobStatus | null) => void }) {
  const { state } = live;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [filters, setFilters] = useState<JobFilters>({ task: null, verdict: null });
  const rows = useMemo(() => filterJobs(live.rows, filters), [live.rows, filters]);
  const { addJob } = live;
  const closeDetail = useCallback(() => {
    const id = selectedId;
    setSelectedId(null);
    // Return focus to the row's button, for keyboard users.
    if (id) document.getElementById(jobButtonId(id))?.focus();
  }, [selectedId]);
  // A single analysis is followed on its own page; a lock file's jobs show up in the table.
  const onQueued = useCallback(
    (job: Job) => {
      addJob(job);
      navigate(jobPath(job.id));
    },
    [addJob],
  );
  const onQueuedMany = useCallback((jobs: Job[]) => jobs.forEach(addJob), [addJob]);

  return (
    <main className="layout">
      <div className="side">
        <AnalyzePanel onQueued={onQueued} onQueuedMany={onQueuedMany} jobs={state.jobs} />
        <DispatchForm onDispatched={addJob} />
        <StatsPanel stats={state.stats} error={state.statsError} />
        <CompletionsChart jobs={state.jobs} />
      </div>
      <div className={selectedId ? 'content has-detail' : 'content'}>
        <ReportSearch />
        <JobDetail job={selectedId ? state.jobs.get(selectedId) : undefined} onClose={closeDetail} />
        <JobsTable
          rows={rows}
          status={status}
          onStatusChange={onStatusChange}
          filters={filters}
          onFiltersChange={setFilters}
          tasks={TASKS}
          list={state.list}
          listError={state.listError}
          hasMoreOnServer={state.next !== null}
          loadingMore={state.loadingMore}
          onLoadMore={live.loadMore}
          onRetry={live.reload}
          selectedId={selectedId}
          onSelect={setSelectedId}
        />
      </div>
    </main>
  );
}

function JobRoute({ id, live }: { id: string; live: LiveJobs }) {
  const [loadError, setLoadError] = useState<string | null>(null);
  const { trackJob } = live;
  useEffect(() => {
    const controller = new AbortController();
    trackJob(id, controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted) setLoadError(describeError(error));
    });
    return () => controller.abort();
  }, [id, trackJob]);
  return (
    <main className="page">
      <JobPage id={id} job={live.state.jobs.get(id)} loadError={loadError} />
    </main>
  );
}

function NotFound({ route }: { route: Extract<Route, { name: 'not-found' }> }) {
  return (
    <main className="page">
      <section className="panel" aria-labelledby="not-found-title">
        <h2 id="not-found-title">No page here</h2>
        <p>
          Nothing lives at <span className="mono wrap">{route.path}</span>.{' '}
          <a href="/" onClick={followLink}>
            Back to the jobs
          </a>
        </p>
      </section>
    </main>
  );
}
