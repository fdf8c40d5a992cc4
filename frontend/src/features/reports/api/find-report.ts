import { apiRequest } from '../../../lib/api-client';
import type { Report } from '../../../domain/report';

/** GET /reports?purl= — the latest report for that package version; 404 when there is none. */
export function findReport(purl: string, signal?: AbortSignal): Promise<Report> {
  return apiRequest<Report>('/reports', { query: { purl }, signal });
}
