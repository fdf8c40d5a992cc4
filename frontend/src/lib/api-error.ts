/** A failed API call, carrying the readable sentence from the `{"error": {...}}` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds to wait before retrying, from `Retry-After` (429/503), when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(opts: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    retryAfterSeconds?: number | null;
  }) {
    super(opts.message);
    this.name = 'ApiError';
    this.status = opts.status;
    this.code = opts.code;
    this.details = opts.details ?? null;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? null;
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was malformed.',
  404: 'Not found.',
  413: 'The request is too large.',
  422: 'Some fields are invalid.',
  429: 'Too many requests.',
  502: 'The API is not reachable right now.',
  503: 'The service is temporarily unavailable.',
  504: 'The API did not answer in time.',
};

/** Parses `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds an ApiError from a non-2xx response, tolerating bodies that are not the error shape. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  const retryAfterSeconds = parseRetryAfter(response.headers.get('Retry-After'));
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // An HTML page from a proxy, or an empty body: fall back to a sentence for the status.
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const message =
    error && typeof error.message === 'string' && error.message.trim() !== ''
      ? error.message
      : (FALLBACK_MESSAGES[response.status] ?? `The request failed (HTTP ${response.status}).`);
  return new ApiError({
    status: response.status,
    code: error && typeof error.code === 'string' ? error.code : `http_${response.status}`,
    message,
    details: error?.details ?? null,
    retryAfterSeconds,
  });
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError({
    status: 0,
    code: 'network_error',
    message: 'Could not reach the API. Check the connection and try again.',
  });
  error.cause = cause;
  return error;
}

/** One readable sentence (or two) for showing an error to the operator. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    // The api's 429 sentence usually names the wait already; add it only when it does not.
    if (error.status === 429 && !/retry|try again/i.test(error.message)) {
      const hint =
        error.retryAfterSeconds !== null
          ? `Try again in ${formatWait(error.retryAfterSeconds)}.`
          : 'Try again shortly.';
      return `${error.message} ${hint}`;
    }
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** "You can dispatch again at 14:05:30 (in 60 s)." from a 429's Retry-After, or null. */
export function retryHint(error: unknown, now: number = Date.now()): string | null {
  if (!(error instanceof ApiError) || error.status !== 429 || error.retryAfterSeconds === null) return null;
  const at = new Date(now + error.retryAfterSeconds * 1000).toLocaleTimeString(undefined, { hour12: false });
  return `You can dispatch again at ${at} (in ${formatWait(error.retryAfterSeconds)}).`;
}

function formatWait(seconds: number): string {
  if (seconds < 120) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Field-level problems from a 422 `details` list, as "field: message" lines (best effort). */
export function fieldProblems(error: unknown): string[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.flatMap((item: unknown) => {
    if (!isRecord(item)) return [];
    const msg = typeof item.msg === 'string' ? item.msg : typeof item.message === 'string' ? item.message : null;
    if (!msg) return [];
    const loc = Array.isArray(item.loc)
      ? item.loc.filter((part) => part !== 'body').join('.')
      : typeof item.field === 'string'
        ? item.field
        : '';
    return [loc ? `${loc}: ${msg}` : msg];
  });
}
