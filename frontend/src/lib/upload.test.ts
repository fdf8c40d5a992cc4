import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../test/fake-api';
import { jsonResponse } from '../test/fixtures';
import { ApiError } from './api-error';
import { postForm } from './upload';

describe('postForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reports upload progress and resolves with the JSON answer', async () => {
    const api = installFakeApi();
    api.handlers.push(({ url }) => (url.pathname === '/api/analyze/upload' ? jsonResponse({ id: 'job-1' }, 202) : undefined));
    const form = new FormData();
    form.append('file', new File([new Uint8Array(1000)], 'x.tgz'));
    const progress: number[] = [];
    const answer = await postForm<{ id: string }>('/analyze/upload', form, { onProgress: (p) => progress.push(p.loaded / p.total) });
    expect(answer).toEqual({ id: 'job-1' });
    expect(progress).toEqual([0.5, 1]);
  });

  it("rejects with the api's error, Retry-After included", async () => {
    const api = installFakeApi();
    api.handlers.push(() => jsonResponse({ error: { code: 'rate_limited', message: 'Slow down.' } }, 429, { 'Retry-After': '7' }));
    const failure = await postForm('/analyze/upload', new FormData()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 7 });
  });
});
