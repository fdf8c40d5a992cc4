import { vi } from 'vitest';
import type { Job, Stats } from '../lib/api-types';
import { jsonResponse } from './fixtures';

export const emptyStats: Stats = {
  queue_depth: 0,
  dead_letter: 0,
  jobs: { queued: 0, running: 0, completed: 0, failed: 0 },
  workers: 1,
};

/** A stand-in for the API behind fetch(): tests change `jobs`/`stats` and read `calls`. */
export function installFakeApi(initial: { jobs?: Job[]; stats?: Stats } = {}) {
  const api = {
    jobs: initial.jobs ?? [],
    stats: initial.stats ?? emptyStats,
    calls: [] as string[],
    /** Answer the next POST /dispatch calls with these responses instead of a job. */
    dispatchResponses: [] as Response[],
    /** Extra routes, tried first: return a Response to answer, undefined to fall through. */
    handlers: [] as ((request: { method: string; url: URL; init: RequestInit | undefined }) => Response | undefined)[],
    /** Bodies of the POSTs, in order (FormData stays FormData). */
    bodies: [] as unknown[],
    down: false,
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    api.calls.push(`${method} ${url.pathname}${url.search}`);
    if (api.down) throw new TypeError('Failed to fetch');
    if (method === 'POST') api.bodies.push(init?.body instanceof FormData ? init.body : JSON.parse(String(init?.body ?? 'null')));
    for (const handler of api.handlers) {
      const answer = handler({ method, url, init });
      if (answer) return answer;
    }
    if (method === 'POST' && url.pathname === '/api/dispatch') {
      const queued = api.dispatchResponses.shift();
      if (queued) return queued;
      const body = JSON.parse(String(init?.body ?? '{}')) as { task?: string; params?: Record<string, unknown> };
      const job: Job = {
        id: crypto.randomUUID(),
        task: body.task ?? 'simulate',
        params: body.params ?? {},
        status: 'queued',
        attempts: 0,
        worker: null,
        progress: 0,
        result: null,
        error: null,
        created_at: new Date().toISOString(),
        started_at: null,
        completed_at: null,
      };
      api.jobs = [job, ...api.jobs];
      return jsonResponse(job, 202, { Location: `/jobs/${job.id}` });
    }
    if (url.pathname === '/api/stats') return jsonResponse(api.stats);
    if (url.pathname === '/api/jobs') {
      const status = url.searchParams.get('status');
      const all = api.jobs.filter((job) => !status || job.status === status);
      // Cursor = index of the first item of the next page (the real api's cursor is opaque too).
      const start = Number(url.searchParams.get('before') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '50');
      const items = all.slice(start, start + limit);
      return jsonResponse({ items, next: start + limit < all.length ? String(start + limit) : null });
    }
    const match = /^\/api\/jobs\/(.+)$/.exec(url.pathname);
    if (match) {
      const job = api.jobs.find((j) => j.id === decodeURIComponent(match[1] ?? ''));
      return job ? jsonResponse(job) : jsonResponse({ error: { code: 'not_found', message: 'No such job.' } }, 404);
    }
    return jsonResponse({ error: { code: 'not_found', message: 'Not found.' } }, 404);
  });
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('XMLHttpRequest', fakeXhrOver(fetchMock));
  return api;
}

/**
 * Just enough of XMLHttpRequest for postForm: the request goes to the same fake fetch, and
 * the upload reports progress once halfway and once at the end.
 */
function fakeXhrOver(fetchImpl: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) {
  return class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    private method = 'GET';
    private url = '';
    private headers = new Headers();
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader() {}
    getResponseHeader(name: string) {
      return this.headers.get(name);
    }
    abort() {
      this.onabort?.();
    }
    send(body: FormData) {
      const file = [...body.values()].find((value): value is File => value instanceof File);
      const total = file?.size ?? 0;
      for (const loaded of [Math.floor(total / 2), total]) {
        this.upload.onprogress?.(new ProgressEvent('progress', { lengthComputable: true, loaded, total }));
      }
      fetchImpl(this.url, { method: this.method, body }).then(
        async (response) => {
          this.status = response.status;
          this.headers = response.headers;
          this.responseText = await response.text();
          this.onload?.();
        },
        () => this.onerror?.(),
      );
    }
  };
}
