import type { Job, Stats } from '../../../lib/api-types';
import { applyJobChange } from '../../../domain/stats-delta';
import { type JobMap, mergeLive, mergeSnapshot } from './merge-job';

export interface JobsState {
  jobs: JobMap;
  /** Counts live batches; a snapshot remembers the value when it was requested. */
  seq: number;
  /** Per job, the `seq` of the last live event applied. */
  liveSeq: ReadonlyMap<string, number>;
  stats: Stats | null;
  statsError: string | null;
  list: 'loading' | 'ready' | 'error';
  listError: string | null;
  /** Cursor for the next (older) page of the current filter; null when everything is loaded. */
  next: string | null;
  /** Rows created before this (epoch ms) stay hidden until their page is loaded. */
  horizon: number;
  loadingMore: boolean;
}

export type JobsAction =
  | { type: 'live'; jobs: Job[] }
  /** `counted`: the job is new to the system (a dispatch answer), so the counters move too. */
  | { type: 'snapshot'; jobs: Job[]; sinceSeq: number; counted?: boolean }
  | { type: 'stats'; stats: Stats }
  | { type: 'statsError'; message: string }
  | { type: 'listLoading' }
  | { type: 'listLoaded'; items: Job[]; next: string | null; append: boolean; sinceSeq: number }
  | { type: 'listError'; message: string }
  | { type: 'loadingMore'; value: boolean };

export const initialJobsState: JobsState = {
  jobs: new Map(),
  seq: 0,
  liveSeq: new Map(),
  stats: null,
  statsError: null,
  list: 'loading',
  listError: null,
  next: null,
  horizon: Number.NEGATIVE_INFINITY,
  loadingMore: false,
};

function horizonOf(items: Job[], next: string | null): number {
  const last = items.at(-1);
  if (next === null || !last) return Number.NEGATIVE_INFINITY;
  return Date.parse(last.created_at) || Number.NEGATIVE_INFINITY;
}

function applyLive(state: JobsState, incoming: Job[]): JobsState {
  if (incoming.length === 0) return state;
  const seq = state.seq + 1;
  const jobs = new Map(state.jobs);
  const liveSeq = new Map(state.liveSeq);
  let stats = state.stats;
  for (const job of incoming) {
    const previous = jobs.get(job.id);
    const merged = mergeLive(previous, job);
    liveSeq.set(job.id, seq);
    if (merged === previous) continue;
    jobs.set(job.id, merged);
    if (stats) stats = applyJobChange(stats, previous, merged);
  }
  return { ...state, seq, jobs, liveSeq, stats };
}

function applySnapshot(state: JobsState, incoming: Job[], sinceSeq: number, counted: boolean): JobsState {
  let jobs: Map<string, Job> | null = null;
  let stats = state.stats;
  for (const job of incoming) {
    const source = jobs ?? state.jobs;
    const previous = source.get(job.id);
    const merged = mergeSnapshot(previous, job, (state.liveSeq.get(job.id) ?? 0) > sinceSeq);
    if (merged === previous) continue;
    jobs ??= new Map(state.jobs);
    jobs.set(job.id, merged);
    if (counted && stats) stats = applyJobChange(stats, previous, merged);
  }
  return jobs ? { ...state, jobs, stats } : state;
}

export function jobsReducer(state: JobsState, action: JobsAction): JobsState {
  switch (action.type) {
    case 'live':
      return applyLive(state, action.jobs);
    case 'snapshot':
      return applySnapshot(state, action.jobs, action.sinceSeq, action.counted ?? false);
    case 'stats':
      return { ...state, stats: action.stats, statsError: null };
    case 'statsError':
      return { ...state, statsError: action.message };
    case 'listLoading':
      return { ...state, list: 'loading', listError: null };
    case 'listLoaded': {
      const merged = applySnapshot(state, action.items, action.sinceSeq, false);
      const pageHorizon = horizonOf(action.items, action.next);
      return {
        ...merged,
        list: 'ready',
        listError: null,
        next: action.next,
        loadingMore: false,
        horizon: action.append ? Math.min(state.horizon, pageHorizon) : pageHorizon,
      };
    }
    case 'listError':
      return {
        ...state,
        list: state.list === 'ready' ? 'ready' : 'error',
        listError: action.message,
        loadingMore: false,
      };
    case 'loadingMore':
      return { ...state, loadingMore: action.value };
  }
}
