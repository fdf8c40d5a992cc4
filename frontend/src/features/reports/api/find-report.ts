import { apiRequest } from '../../../lib/api-client';
import { ApiError } from '../../../lib/api-error';
import type { Report } from '../../../domain/report';

/** GET /reports?purl= — the latest report for that package version; 404 when there is none, 409 when it could not be analysed. */
export function findReport(purl: string, signal?: AbortSignal): Promise<Report> {
  return apiRequest<Report>('/reports', { query: { purl }, signal });
}

/** The newest analysis of a package failed: `details` of the api's 409 `could_not_analyse`. */
export interface Unanalysed {
  job: string;
  purl: string;
  reason: string;
  failedAt: string | null;
}

/** The failure a 409 `could_not_analyse` describes, or null for any other error. */
export function unanalysedFrom(error: unknown): Unanalysed | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== 'could_not_analyse') return null;
  const details = error.details as Record<string, unknown> | null;
  if (details === null || typeof details !== 'object' || typeof details.job !== 'string') return null;
  return {
    job: details.job,
    purl: typeof details.purl === 'string' ? details.purl : '',
    reason: typeof details.reason === 'string' && details.reason ? details.reason : error.message,
    failedAt: typeof details.failed_at === 'string' ? details.failed_at : null,
  };
}
