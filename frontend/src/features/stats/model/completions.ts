import type { Job } from '../../../lib/api-types';

export interface MinuteBucket {
  /** Start of the minute, epoch ms. */
  start: number;
  completed: number;
  failed: number;
}

const MINUTE = 60_000;

/** Finished jobs per minute over the last `minutes` minutes, oldest first; the last is the current minute. */
export function completionsPerMinute(jobs: Iterable<Job>, now: number, minutes = 15): MinuteBucket[] {
  const currentStart = Math.floor(now / MINUTE) * MINUTE;
  const firstStart = currentStart - (minutes - 1) * MINUTE;
  const buckets: MinuteBucket[] = Array.from({ length: minutes }, (_, i) => ({
    start: firstStart + i * MINUTE,
    completed: 0,
    failed: 0,
  }));
  for (const job of jobs) {
    if ((job.status !== 'completed' && job.status !== 'failed') || !job.completed_at) continue;
    const at = Date.parse(job.completed_at);
    if (Number.isNaN(at) || at < firstStart || at >= currentStart + MINUTE) continue;
    const bucket = buckets[Math.floor((at - firstStart) / MINUTE)];
    if (bucket) bucket[job.status] += 1;
  }
  return buckets;
}
