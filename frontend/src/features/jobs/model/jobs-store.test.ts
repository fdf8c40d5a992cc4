import { describe, expect, it } from 'vitest';
import type { Stats } from '../../../lib/api-types';
import { completed, makeJob, running } from '../../../test/fixtures';
import { type JobsAction, type JobsState, initialJobsState, jobsReducer } from './jobs-store';

const stats: Stats = { queue_depth: 0, dead_letter: 0, jobs: { queued: 0, running: 0, completed: 0, failed: 0 }, workers: 2 };

function reduce(actions: JobsAction[], state: JobsState = initialJobsState): JobsState {
  return actions.reduce(jobsReducer, state);
}

describe('jobsReducer: events merged into the table', () => {
  it('merges a burst of events by id; the latest state wins and unseen jobs are added', () => {
    const a = makeJob();
    const b = makeJob();
    const state = reduce([
      { type: 'live', jobs: [running(a, 0.1), running(a, 0.5)] },
      { type: 'live', jobs: [running(b, 0.9), completed(b)] },
    ]);
    expect(state.jobs.get(a.id)).toMatchObject({ status: 'running', progress: 0.5 });
    expect(state.jobs.get(b.id)?.status).toBe('completed');
    expect(state.jobs.size).toBe(2);
  });

  it('keeps the live state when a page requested before the event arrives later', () => {
    const job = makeJob();
    const requestedAt = initialJobsState.seq;
    const state = reduce([
      { type: 'live', jobs: [running(job, 0.5)] },
      { type: 'listLoaded', items: [job], next: null, append: false, sinceSeq: requestedAt },
    ]);
    expect(state.jobs.get(job.id)?.status).toBe('running');
    expect(state.list).toBe('ready');
  });

  it('lets a resync snapshot replace state that went stale while disconnected', () => {
    const job = running(makeJob(), 0.5);
    const afterEvent = reduce([{ type: 'live', jobs: [job] }]);
    const state = jobsReducer(afterEvent, {
      type: 'snapshot',
      jobs: [completed(job)],
      sinceSeq: afterEvent.seq,
    });
    expect(state.jobs.get(job.id)?.status).toBe('completed');
  });

  it('ignores a dispatch answer that arrives after the job already started', () => {
    const job = makeJob();
    const state = reduce([
      { type: 'stats', stats },
      { type: 'live', jobs: [running(job, 0.2)] },
      { type: 'snapshot', jobs: [job], sinceSeq: 0, counted: true },
    ]);
    expect(state.jobs.get(job.id)?.status).toBe('running');
  });

  it('moves the counters with live changes and dispatch answers', () => {
    const job = makeJob();
    const state = reduce([
      { type: 'stats', stats },
      { type: 'snapshot', jobs: [job], sinceSeq: 0, counted: true },
      { type: 'live', jobs: [running(job, 0.3)] },
    ]);
    expect(state.stats?.jobs).toEqual({ queued: 0, running: 1, completed: 0, failed: 0 });
    const done = jobsReducer(state, { type: 'live', jobs: [completed(running(job))] });
    expect(done.stats?.jobs).toEqual({ queued: 0, running: 0, completed: 1, failed: 0 });
  });

  it('hides rows older than the last loaded page until that page is fetched', () => {
    const older = makeJob();
    const newer = makeJob();
    const state = reduce([{ type: 'listLoaded', items: [newer], next: 'cursor-1', append: false, sinceSeq: 0 }]);
    expect(state.horizon).toBe(Date.parse(newer.created_at));
    const more = jobsReducer(state, { type: 'listLoaded', items: [older], next: null, append: true, sinceSeq: 0 });
    expect(more.horizon).toBe(Number.NEGATIVE_INFINITY);
    expect(more.jobs.size).toBe(2);
  });

  it('keeps the table when a later refresh fails, and reports the error', () => {
    const loaded = reduce([{ type: 'listLoaded', items: [makeJob()], next: null, append: false, sinceSeq: 0 }]);
    const failed = jobsReducer(loaded, { type: 'listError', message: 'Could not reach the API.' });
    expect(failed.list).toBe('ready');
    expect(failed.listError).toBe('Could not reach the API.');
    expect(jobsReducer(initialJobsState, { type: 'listError', message: 'x' }).list).toBe('error');
  });
});
