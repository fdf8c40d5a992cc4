import { useCallback, useState } from 'react';
import type { JobStatus } from './lib/api-types';
import { ConnectionIndicator } from './features/connection/components/connection-indicator';
import { DispatchForm } from './features/dispatch/components/dispatch-form';
import { JobDetail } from './features/jobs/components/job-detail';
import { JobsTable } from './features/jobs/components/jobs-table';
import { jobButtonId } from './features/jobs/components/job-row';
import { useLiveJobs } from './features/jobs/hooks/use-live-jobs';
import { CompletionsChart } from './features/stats/components/completions-chart';
import { StatsPanel } from './features/stats/components/stats-panel';

export function App() {
  const [status, setStatus] = useState<JobStatus | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const live = useLiveJobs({ status });
  const { state } = live;
  const closeDetail = useCallback(() => {
    const id = selectedId;
    setSelectedId(null);
    // Return focus to the row's button, for keyboard users.
    if (id) document.getElementById(jobButtonId(id))?.focus();
  }, [selectedId]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          Pack-A-Mal <span className="muted">jobs</span>
        </h1>
        <ConnectionIndicator state={live.connection} />
      </header>
      <main className="layout">
        <div className="side">
          <DispatchForm onDispatched={live.addJob} />
          <StatsPanel stats={state.stats} error={state.statsError} />
          <CompletionsChart jobs={state.jobs} />
        </div>
        <div className={selectedId ? 'content has-detail' : 'content'}>
          <JobDetail job={selectedId ? state.jobs.get(selectedId) : undefined} onClose={closeDetail} />
          <JobsTable
            rows={live.rows}
            status={status}
            onStatusChange={setStatus}
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
    </div>
  );
}
