import { describe, expect, it } from 'vitest';
import { completed, makeJob, running } from '../../../test/fixtures';
import { mergeLive, mergeSnapshot, sortedJobs, toJob } from './merge-job';

describe('mergeLive', () => {
  it('adds a job it has never seen', () => {
    const job = makeJob();
    expect(mergeLive(undefined, job)).toBe(job);
  });

  it('takes events in arrival order, including a requeue that lowers attempts', () => {
    const run = running(makeJob(), 0.6, 1);
    const released = { ...run, status: 'queued' as const, attempts: 0, worker: null, progress: 0, started_at: null };
    expect(mergeLive(run, released)).toBe(released);
  });

  it('keeps object identity when nothing changed, so rows do not re-render', () => {
    const job = running(makeJob(), 0.5);
    expect(mergeLive(job, { ...job })).toBe(job);
  });
});

describe('mergeSnapshot', () => {
  it('wins when no live event arrived since it was requested', () => {
    const run = running(makeJob(), 0.4);
    const done = completed(run);
    expect(mergeSnapshot(run, done, false)).toBe(done);
    // Even "older-looking" snapshots win then: events were lost while disconnected.
    const requeued = { ...run, status: 'queued' as const, progress: 0, worker: null };
    expect(mergeSnapshot(run, requeued, false)).toBe(requeued);
  });

  it('loses to a live event that arrived while it was in flight, unless it is newer', () => {
    const queued = makeJob();
    const run = running(queued, 0.7);
    expect(mergeSnapshot(run, queued, true)).toBe(run);
    expect(mergeSnapshot(run, running(queued, 0.3), true)).toBe(run);
    const done = completed(run);
    expect(mergeSnapshot(run, done, true)).toBe(done);
  });

  it('adds a job it has never seen', () => {
    const job = makeJob();
    expect(mergeSnapshot(undefined, job, true)).toBe(job);
  });
});

describe('sortedJobs', () => {
  it('lists newest first and filters by status', () => {
    const older = makeJob();
    const newer = running(makeJob());
    const map = new Map([older, newer].map((job) => [job.id, job]));
    expect(sortedJobs(map, null).map((j) => j.id)).toEqual([newer.id, older.id]);
    expect(sortedJobs(map, 'queued').map((j) => j.id)).toEqual([older.id]);
  });
});

describe('toJob', () => {
  it('strips the event field', () => {
    const job = makeJob();
    expect(toJob({ ...job, event: 'running' })).toEqual(job);
  });
});
