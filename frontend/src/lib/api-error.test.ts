import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromResponse, describeError, parseRetryAfter } from './api-error';

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
    const long = new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 90 });
    expect(describeError(long)).toBe('Slow down. Try again in 2 minutes.');
    const none = new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.' });
    expect(describeError(none)).toBe('Slow down. Try again shortly.');
  });
});
