import type { Job, JobEvent } from '../../../lib/api-types';

/**
 * Orders two states of the same job, so that whichever arrives last — a WebSocket
 * event or a REST snapshot taken a moment earlier — the newer one wins.
 *
 * Each claim bumps `attempts`, so attempts is the outer version. Within one attempt
 * the order is: first queued (attempts 0) < running < requeued (queued again after a
 * lost worker, attempts > 0) < completed | failed.
 */
export function jobVersion(job: Job): [number, number] {
  switch (job.status) {
    case 'queued':
      return [job.attempts, job.attempts > 0 ? 2 : 0];
    case 'running':
      return [job.attempts, 1];
    default:
      return [job.attempts, 3];
  }
}

function compareVersions(a: Job, b: Job): number {
  const [aAttempts, aPhase] = jobVersion(a);
  const [bAttempts, bPhase] = jobVersion(b);
  return aAttempts - bAttempts || aPhase - bPhase;
}

/** Strips the WebSocket-only `event` field so stored jobs have exactly the Job shape. */
export function toJob(event: JobEvent): Job {
  if (!('event' in event)) return event;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { event: _event, ...job } = event;
  return job;
}

/** The state to keep for a job: `current` (unchanged identity) when `incoming` is older. */
export function mergeJob(current: Job | undefined, incoming: Job): Job {
  if (!current) return incoming;
  const order = compareVersions(incoming, current);
  if (order < 0) return current;
  if (order === 0 && incoming.status === 'running' && incoming.progress < current.progress) {
    // Progress events can overtake each other; the bar never moves backwards within one attempt.
    return { ...incoming, progress: current.progress };
  }
  return sameJob(current, incoming) ? current : incoming;
}

function sameJob(a: Job, b: Job): boolean {
  return (
    a.status === b.status &&
    a.progress === b.progress &&
    a.attempts === b.attempts &&
    a.worker === b.worker &&
    a.started_at === b.started_at &&
    a.completed_at === b.completed_at &&
    a.error === b.error &&
    JSON.stringify(a.result) === JSON.stringify(b.result)
  );
}

export type JobMap = ReadonlyMap<string, Job>;

/** Merges many jobs at once; returns the same map when nothing changed (cheap re-renders). */
export function mergeJobs(map: JobMap, incoming: readonly Job[]): JobMap {
  let next: Map<string, Job> | null = null;
  for (const job of incoming) {
    const source = next ?? map;
    const merged = mergeJob(source.get(job.id), job);
    if (merged !== source.get(job.id)) {
      next ??= new Map(map);
      next.set(job.id, merged);
    }
  }
  return next ?? map;
}

const timeCache = new WeakMap<Job, number>();

function createdTime(job: Job): number {
  let time = timeCache.get(job);
  if (time === undefined) {
    time = Date.parse(job.created_at) || 0;
    timeCache.set(job, time);
  }
  return time;
}

/** Jobs newest first (ties broken by id so the order is stable), optionally one status only. */
export function sortedJobs(map: JobMap, status: Job['status'] | null): Job[] {
  const list: Job[] = [];
  for (const job of map.values()) if (status === null || job.status === status) list.push(job);
  return list.sort((a, b) => createdTime(b) - createdTime(a) || (a.id < b.id ? 1 : -1));
}

export function isTerminal(job: Job): boolean {
  return job.status === 'completed' || job.status === 'failed';
}
