import { useEffect, useState } from 'react';
import { describeError } from '../../../lib/api-error';
import type { Job } from '../../../lib/api-types';
import { getReport } from '../api/get-report';
import type { Report } from '../../../domain/report';

export type ReportState =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'ready'; report: Report }
  | { state: 'error'; message: string };

/** The full report of an analyze job, fetched once the job has completed (the api answers 409 before). */
export function useJobReport(job: Job | undefined): ReportState {
  const wanted = job !== undefined && job.task === 'analyze' && job.status === 'completed';
  const key = wanted ? `${job.id}:${job.completed_at ?? ''}` : null;
  const [loaded, setLoaded] = useState<{ key: string; value: ReportState } | null>(null);
  useEffect(() => {
    if (key === null || !job) return;
    const controller = new AbortController();
    getReport(job.id, controller.signal).then(
      (report) => setLoaded({ key, value: { state: 'ready', report } }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ key, value: { state: 'error', message: describeError(error) } });
      },
    );
    return () => controller.abort();
    // The key names the job and its completion; the job object itself changes with every event.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === null) return { state: 'none' };
  return loaded?.key === key ? loaded.value : { state: 'loading' };
}
