import { apiRequest } from '../../../lib/api-client';
import type { JobPage, JobStatus } from '../../../lib/api-types';

export interface ListJobsParams {
  status?: JobStatus | null;
  limit?: number;
  /** The `next` cursor from the previous page. */
  before?: string | null;
  signal?: AbortSignal;
}

/** GET /jobs — newest first, one page at a time. */
export function listJobs({ status, limit, before, signal }: ListJobsParams = {}): Promise<JobPage> {
  return apiRequest<JobPage>('/jobs', { query: { status, limit, before }, signal });
}
