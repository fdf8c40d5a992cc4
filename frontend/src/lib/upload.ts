import { apiUrl } from './api-client';
import { apiErrorFromResponse, networkError } from './api-error';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * POSTs a multipart form to the api and resolves with the JSON answer; rejects with an
 * ApiError in the api's words. XMLHttpRequest rather than fetch, because only it reports
 * upload progress (a 50 MiB archive takes a while on a slow link).
 */
export function postForm<T>(
  path: string,
  form: FormData,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total });
    };
    xhr.onerror = () => reject(networkError(new Error('upload failed')));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.onload = () => {
      const headers = new Headers();
      const retryAfter = xhr.getResponseHeader('Retry-After');
      if (retryAfter) headers.set('Retry-After', retryAfter);
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, headers });
      if (!response.ok) {
        void apiErrorFromResponse(response).then(reject);
        return;
      }
      response.json().then((body: T) => resolve(body), reject);
    };
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
