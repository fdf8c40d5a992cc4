import type { Job, Stats } from '../lib/api-types';

/**
 * Applies one job's status change to the counters, so they move the moment an event
 * arrives; the periodic GET /stats then corrects anything this cannot know.
 */
export function applyJobChange(stats: Stats, previous: Job | undefined, next: Job): Stats {
  const before = previous?.status;
  if (before === next.status) return stats;
  const jobs = { ...stats.jobs };
  let queueDepth = stats.queue_depth;
  if (before) {
    jobs[before] = Math.max(0, jobs[before] - 1);
  } else if (next.status !== 'queued' && jobs.queued > 0) {
    // A job first seen mid-flight was queued a moment ago (dispatched by someone else).
    jobs.queued -= 1;
  }
  jobs[next.status] += 1;
  if (next.status === 'queued') queueDepth += 1;
  if ((before === 'queued' || before === undefined) && next.status === 'running') {
    queueDepth = Math.max(0, queueDepth - 1);
  }
  return { ...stats, queue_depth: queueDepth, jobs };
}
