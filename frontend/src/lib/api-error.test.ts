import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromResponse, describeError, parseRetryAfter, retryHint } from './api-error';

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('apiErrorFromResponse', () => {
  it('takes code, message and details from the error body', async () => {
    const error = await apiErrorFromResponse(
      new Response(JSON.stringify({ error: { code: 'not_found', message: 'No job with id x.', details: null } }), {
        status: 404,
      }),
    );
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'No job with id x.' });
  });

  it('falls back to a sentence for the status when the body is not the error shape', async () => {
    const error = await apiErrorFromResponse(new Response('<h1>502</h1>', { status: 502 }));
    expect(error.message).toBe('The API is not reachable right now.');
    expect(error.code).toBe('http_502');
  });
});

describe('describeError', () => {
  it('adds the retry hint to rate-limit errors', () => {
    const error = new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 1 });
    expect(describeError(error)).toBe('Slow down. Try again in 1 second.');
    const long = new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 300 });
    expect(describeError(long)).toBe('Slow down. Try again in 5 minutes.');
    const named = new ApiError({ status: 429, code: 'rate_limited', message: 'Too many; retry in 9 s.', retryAfterSeconds: 9 });
    expect(describeError(named)).toBe('Too many; retry in 9 s.');
    const none = new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.' });
    expect(describeError(none)).toBe('Slow down. Try again shortly.');
  });
});

describe('retryHint', () => {
  it('names the time and the wait from Retry-After, for 429s only', () => {
    const now = new Date(2026, 10, 25, 14, 5, 0).getTime();
    const error = new ApiError({ status: 429, code: 'rate_limited', message: 'x', retryAfterSeconds: 30 });
    expect(retryHint(error, now)).toBe('You can dispatch again at 14:05:30 (in 30 seconds).');
    expect(retryHint(new ApiError({ status: 503, code: 'x', message: 'x', retryAfterSeconds: 5 }), now)).toBeNull();
  });
});
