import { apiRequest, apiUrl } from '../../../lib/api-client';
import type { Report } from '../../../domain/report';

/** GET /jobs/{id}/report — the full report; 409 while the job is not finished. */
export function getReport(jobId: string, signal?: AbortSignal): Promise<Report> {
  return apiRequest<Report>(`/jobs/${encodeURIComponent(jobId)}/report`, { signal });
}

/** Where the browser downloads the report as JSON or SARIF 2.1.0. */
export function reportDownloadUrl(jobId: string, format: 'json' | 'sarif'): string {
  return apiUrl(`/jobs/${encodeURIComponent(jobId)}/report`, { format: format === 'sarif' ? 'sarif' : undefined });
}
