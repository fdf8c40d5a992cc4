import { apiErrorFromResponse, networkError } from './api-error';

/** Every call goes to the same origin under /api, so one build serves every environment. */
export const API_BASE = '/api';

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | null | undefined>;
  /** JSON-encoded, except FormData, which is sent as multipart/form-data. */
  body?: unknown;
  signal?: AbortSignal;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

/** Calls the API and returns the parsed JSON body; throws ApiError on any failure. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers: { Accept: 'application/json' },
    signal: options.signal ?? null,
  };
  if (options.body instanceof FormData) {
    // The browser sets multipart/form-data with its boundary itself.
    init.body = options.body;
  } else if (options.body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw networkError(cause);
  }
  if (!response.ok) throw await apiErrorFromResponse(response);
  return (await response.json()) as T;
}
