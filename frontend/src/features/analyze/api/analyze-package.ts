import { apiRequest } from '../../../lib/api-client';
import type { Job } from '../../../lib/api-types';

/** POST /dispatch with the `analyze` task — answers 202 with the queued Job. */
export function analyzePackage(params: { purl: string; force: boolean }, signal?: AbortSignal): Promise<Job> {
  return apiRequest<Job>('/dispatch', { method: 'POST', body: { task: 'analyze', params }, signal });
}
