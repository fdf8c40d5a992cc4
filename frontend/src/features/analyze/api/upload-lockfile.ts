import type { LockfileAnswer } from '../../../lib/api-types';
import { type UploadProgress, postForm } from '../../../lib/upload';

/** POST /analyze/lockfile (multipart: file, force) — 202 with one analyze job per pinned version, and what was skipped. */
export function uploadLockfile(
  file: File,
  force: boolean,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<LockfileAnswer> {
  const form = new FormData();
  form.append('file', file, file.name);
  if (force) form.append('force', 'true');
  return postForm<LockfileAnswer>('/analyze/lockfile', form, options);
}
