import { apiRequest } from '../../../lib/api-client';
import type { Job } from '../../../lib/api-types';

/** GET /jobs/{id} */
export function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return apiRequest<Job>(`/jobs/${encodeURIComponent(id)}`, { signal });
}
