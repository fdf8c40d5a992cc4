import { apiRequest } from '../../../lib/api-client';
import type { Job } from '../../../lib/api-types';
import type { Ecosystem } from '../model/purl';

/** POST /analyze/upload (multipart: file + ecosystem) — 202 with the queued Job; 413 too large; 422 not an archive. */
export function uploadArchive(file: File, ecosystem: Ecosystem, signal?: AbortSignal): Promise<Job> {
  const form = new FormData();
  form.append('ecosystem', ecosystem);
  form.append('file', file, file.name);
  return apiRequest<Job>('/analyze/upload', { method: 'POST', body: form, signal });
}
