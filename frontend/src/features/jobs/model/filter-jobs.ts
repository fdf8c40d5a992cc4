import type { Job } from '../../../lib/api-types';
import type { Verdict } from '../../../domain/report';
import { analysisOutcome } from '../../../domain/outcome';

export type VerdictFilter = Verdict | 'unanalysed';

export interface JobFilters {
  task: string | null;
  /** Only finished analyses have a verdict, so this also narrows to analyze jobs; `unanalysed`: those that failed. */
  verdict: VerdictFilter | null;
}

/**
 * Task and verdict filters over the rows already loaded (the api filters by status only);
 * "Show older jobs" loads further pages to search deeper.
 */
export function filterJobs(rows: Job[], { task, verdict }: JobFilters): Job[] {
  if (task === null && verdict === null) return rows;
  return rows.filter((job) => {
    if (task !== null && job.task !== task) return false;
    if (verdict !== null && analysisOutcome(job) !== verdict) return false;
    return true;
  });
}
