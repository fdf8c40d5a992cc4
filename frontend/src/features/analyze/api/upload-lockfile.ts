import { apiRequest } from '../../../lib/api-client';
import type { Job } from '../../../lib/api-types';

// TEMPORARY hand-copied from DESIGN.md until POST /analyze/lockfile is in /openapi.json.
export interface LockfileAnswer {
  items: Job[];
  skipped: { line: number | string; reason: string }[];
}

/** POST /analyze/lockfile (multipart: file) — 202 with one analyze job per pinned version, and what was skipped. */
export function uploadLockfile(file: File, signal?: AbortSignal): Promise<LockfileAnswer> {
  const form = new FormData();
  form.append('file', file, file.name);
  return apiRequest<LockfileAnswer>('/analyze/lockfile', { method: 'POST', body: form, signal });
}
