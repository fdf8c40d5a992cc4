import type { Job } from '../lib/api-types';

let counter = 0;

/** A Job with sensible defaults; ids sort by creation order. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  counter += 1;
  const n = String(counter).padStart(4, '0');
  return {
    id: `00000000-0000-4000-8000-00000000${n}`,
    task: 'simulate',
    params: { seconds: 2, mode: 'sleep' },
    status: 'queued',
    attempts: 0,
    worker: null,
    progress: 0,
    result: null,
    error: null,
    created_at: new Date(Date.UTC(2026, 10, 25, 12, 0, counter)).toISOString(),
    started_at: null,
    completed_at: null,
    ...overrides,
  };
}

export function running(job: Job, progress = 0.5, attempts = job.attempts + 1): Job {
  return { ...job, status: 'running', attempts, worker: 'worker-1', progress, started_at: job.created_at };
}

export function completed(job: Job): Job {
  return {
    ...job,
    status: 'completed',
    attempts: Math.max(1, job.attempts),
    progress: 1,
    worker: 'worker-1',
    result: { seconds: 2 },
    started_at: job.started_at ?? job.created_at,
    completed_at: new Date(Date.parse(job.created_at) + 2000).toISOString(),
  };
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
