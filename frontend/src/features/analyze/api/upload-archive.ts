import type { Job } from '../../../lib/api-types';
import { type UploadProgress, postForm } from '../../../lib/upload';
import type { Ecosystem } from '../../../domain/purl';

/** POST /analyze/upload (multipart: file + ecosystem) — 202 with the queued Job; 413 too large; 422 not an archive. */
export function uploadArchive(
  file: File,
  ecosystem: Ecosystem,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<Job> {
  const form = new FormData();
  form.append('ecosystem', ecosystem);
  form.append('file', file, file.name);
  return postForm<Job>('/analyze/upload', form, options);
}
