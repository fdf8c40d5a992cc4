import { apiRequest } from '../../../lib/api-client';
import type { DispatchRequest, Job } from '../../../lib/api-types';

/** POST /dispatch — answers 202 with the queued Job. */
export function dispatchJob(request: DispatchRequest, signal?: AbortSignal): Promise<Job> {
  return apiRequest<Job>('/dispatch', { method: 'POST', body: request, signal });
}
