import { apiRequest } from '../../../lib/api-client';
import type { Stats } from '../../../lib/api-types';

/** GET /stats */
export function getStats(signal?: AbortSignal): Promise<Stats> {
  return apiRequest<Stats>('/stats', { signal });
}
