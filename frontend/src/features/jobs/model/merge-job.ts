import type { Job, JobEvent } from '../../../lib/api-types';

/**
 * A rough version of a job's state, for when arrival order cannot be trusted (a REST
 * snapshot that was requested before a live event arrived). Each claim bumps
 * `attempts`; within one attempt: first queued < running < queued again < finished.
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
  return aAttempts - bAttempts || aPhase - bPhase || a.progress - b.progress;
}

/** Strips the WebSocket-only `event` field so stored jobs have exactly the Job shape. */
export function toJob(event: JobEvent): Job {
  if (!('event' in event)) return event;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { event: _event, ...job } = event;
  return job;
}

/**
 * Live events come from one pub/sub channel in publish order, so the latest one wins
 * (a requeue may even lower `attempts`). Returns `current` itself when nothing changed.
 */
export function mergeLive(current: Job | undefined, incoming: Job): Job {
  return current && sameJob(current, incoming) ? current : incoming;
}

/**
 * A snapshot (GET /jobs, GET /jobs/{id}, a dispatch answer) wins unless a live event
 * arrived after the snapshot was requested and the snapshot does not look newer.
 */
export function mergeSnapshot(current: Job | undefined, incoming: Job, liveSinceRequest: boolean): Job {
  if (!current) return incoming;
  if (liveSinceRequest && compareVersions(incoming, current) <= 0) return current;
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
