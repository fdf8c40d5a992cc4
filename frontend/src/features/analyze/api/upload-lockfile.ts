import { apiRequest } from '../../../lib/api-client';
import type { LockfileAnswer } from '../../../lib/api-types';

/** POST /analyze/lockfile (multipart: file, force) — 202 with one analyze job per pinned version, and what was skipped. */
export function uploadLockfile(file: File, force: boolean, signal?: AbortSignal): Promise<LockfileAnswer> {
  const form = new FormData();
  form.append('file', file, file.name);
  if (force) form.append('force', 'true');
  return apiRequest<LockfileAnswer>('/analyze/lockfile', { method: 'POST', body: form, signal });
}
