import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { describeError } from '../../../lib/api-error';
import type { Job, JobEvent, JobStatus, Stats } from '../../../lib/api-types';
import { type ConnectionState, ReconnectingSocket, sameOriginWsUrl } from '../../../lib/reconnecting-socket';
import { getJob } from '../api/get-job';
import { listJobs } from '../api/list-jobs';
import { type JobsState, initialJobsState, jobsReducer } from '../model/jobs-store';
import { isTerminal, sortedJobs, toJob } from '../model/merge-job';

export const PAGE_SIZE = 50;
const HISTORY_LIMIT = 100;
const STATS_REFRESH_MS = 5_000;
const EVENT_FLUSH_MS = 100;
const STATS_AFTER_EVENT_MS = 1_500;
const MAX_STALE_REFRESH = 100;

export interface UseLiveJobsOptions {
  status: JobStatus | null;
  /** Reads the counters (GET /stats): the stats feature's, handed in by the app. */
  loadStats: () => Promise<Stats>;
}

export interface LiveJobs {
  state: JobsState;
  connection: ConnectionState;
  /** The current filter's rows, newest first, down to the loaded horizon. */
  rows: Job[];
  /** Records a job this page dispatched itself. */
  addJob: (job: Job) => void;
  loadMore: () => void;
  reload: () => void;
  /** Loads one job by id into the store (a shared /jobs/{id} link); live events keep it current. */
  trackJob: (id: string, signal?: AbortSignal) => Promise<void>;
}

/**
 * The dashboard's live data: the first page of jobs plus everything the WebSocket
 * announces, the stats counters, and a resync from REST after every reconnect.
 */
export function useLiveJobs({ status, loadStats }: UseLiveJobsOptions): LiveJobs {
  const [state, dispatch] = useReducer(jobsReducer, initialJobsState);
  const [connection, setConnection] = useState<ConnectionState>({
    status: 'connecting',
    retryAt: null,
    failures: 0,
  });
  // Callbacks read the latest state through refs, so they stay stable for the socket's lifetime.
  const stateRef = useRef(state);
  const statusRef = useRef(status);
  const loadStatsRef = useRef(loadStats);
  useLayoutEffect(() => {
    stateRef.current = state;
    statusRef.current = status;
    loadStatsRef.current = loadStats;
  });
  const listRequest = useRef<AbortController | null>(null);

  // The api announces no event when someone else dispatches a job, so a growing total
  // in the counters is the cue to re-read the newest page.
  const lastTotal = useRef<number | null>(null);
  const refreshNewest = useCallback(async () => {
    const sinceSeq = stateRef.current.seq;
    try {
      const page = await listJobs({ status: statusRef.current, limit: PAGE_SIZE });
      dispatch({ type: 'snapshot', jobs: page.items, sinceSeq });
    } catch {
      // The next refresh tries again; the list's own error state is for the first load.
    }
  }, []);

  const refreshStats = useCallback(async () => {
    try {
      const stats = await loadStatsRef.current();
      dispatch({ type: 'stats', stats });
      const total = stats.jobs.queued + stats.jobs.running + stats.jobs.completed + stats.jobs.failed;
      if (lastTotal.current !== null && total > lastTotal.current) void refreshNewest();
      lastTotal.current = total;
    } catch (error) {
      dispatch({ type: 'statsError', message: describeError(error) });
    }
  }, [refreshNewest]);

  const loadFirstPage = useCallback(async () => {
    listRequest.current?.abort();
    const controller = new AbortController();
    listRequest.current = controller;
    const sinceSeq = stateRef.current.seq;
    try {
      const page = await listJobs({ status: statusRef.current, limit: PAGE_SIZE, signal: controller.signal });
      if (!controller.signal.aborted) {
        dispatch({ type: 'listLoaded', items: page.items, next: page.next, append: false, sinceSeq });
      }
      return page.items;
    } catch (error) {
      if (!controller.signal.aborted) dispatch({ type: 'listError', message: describeError(error) });
      return null;
    }
  }, []);

  // Finished jobs for the completions chart, beyond the first page.
  const loadHistory = useCallback(async () => {
    const sinceSeq = stateRef.current.seq;
    const pages = await Promise.allSettled([
      listJobs({ status: 'completed', limit: HISTORY_LIMIT }),
      listJobs({ status: 'failed', limit: HISTORY_LIMIT }),
    ]);
    for (const page of pages) {
      if (page.status === 'fulfilled') dispatch({ type: 'snapshot', jobs: page.value.items, sinceSeq });
    }
  }, []);

  // After a reconnect: events were lost while away, so re-read what may have changed.
  const resync = useCallback(async () => {
    const [items] = await Promise.all([loadFirstPage(), refreshStats(), loadHistory()]);
    const seen = new Set((items ?? []).map((job) => job.id));
    const stale = [...stateRef.current.jobs.values()]
      .filter((job) => !isTerminal(job) && !seen.has(job.id))
      .slice(0, MAX_STALE_REFRESH);
    const sinceSeq = stateRef.current.seq;
    const fresh = await Promise.allSettled(stale.map((job) => getJob(job.id)));
    const jobs = fresh.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (jobs.length > 0) dispatch({ type: 'snapshot', jobs, sinceSeq });
  }, [loadFirstPage, refreshStats, loadHistory]);

  // WebSocket: batch frames briefly so a burst of progress events is one render.
  useEffect(() => {
    let buffer: Job[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    let statsTimer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      flushTimer = null;
      const jobs = buffer;
      buffer = [];
      dispatch({ type: 'live', jobs });
      statsTimer ??= setTimeout(() => {
        statsTimer = null;
        void refreshStats();
      }, STATS_AFTER_EVENT_MS);
    };
    const socket = new ReconnectingSocket({
      url: sameOriginWsUrl('/ws/jobs'),
      onMessage: (data) => {
        const job = parseJobEvent(data);
        if (!job) return;
        buffer.push(job);
        flushTimer ??= setTimeout(flush, EVENT_FLUSH_MS);
      },
      onOpen: (reconnected) => {
        if (reconnected) void resync();
      },
      onStateChange: setConnection,
    });
    const online = () => socket.retryNow();
    window.addEventListener('online', online);
    socket.start();
    return () => {
      window.removeEventListener('online', online);
      socket.stop();
      if (flushTimer !== null) clearTimeout(flushTimer);
      if (statsTimer !== null) clearTimeout(statsTimer);
    };
  }, [resync, refreshStats]);

  // First load, and again whenever the filter changes.
  useEffect(() => {
    dispatch({ type: 'listLoading' });
    void loadFirstPage();
  }, [status, loadFirstPage]);

  useEffect(() => {
    void refreshStats();
    void loadHistory();
    const timer = setInterval(() => void refreshStats(), STATS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshStats, loadHistory]);

  const loadMore = useCallback(() => {
    const { next, loadingMore } = stateRef.current;
    if (next === null || loadingMore) return;
    dispatch({ type: 'loadingMore', value: true });
    const filter = statusRef.current;
    const sinceSeq = stateRef.current.seq;
    listJobs({ status: filter, limit: PAGE_SIZE, before: next }).then(
      (page) => {
        if (statusRef.current === filter) {
          dispatch({ type: 'listLoaded', items: page.items, next: page.next, append: true, sinceSeq });
        }
      },
      (error: unknown) => dispatch({ type: 'listError', message: describeError(error) }),
    );
  }, []);

  // A dispatch answer is the job's first state: any live event for it is newer (sinceSeq 0).
  const addJob = useCallback((job: Job) => dispatch({ type: 'snapshot', jobs: [job], sinceSeq: 0, counted: true }), []);

  const trackJob = useCallback(async (id: string, signal?: AbortSignal) => {
    const sinceSeq = stateRef.current.seq;
    const job = await getJob(id, signal);
    dispatch({ type: 'snapshot', jobs: [job], sinceSeq });
  }, []);

  const reload = useCallback(() => {
    dispatch({ type: 'listLoading' });
    void resync();
  }, [resync]);

  const rows = useMemo(() => {
    const all = sortedJobs(state.jobs, status);
    if (state.horizon === Number.NEGATIVE_INFINITY) return all;
    return all.filter((job) => (Date.parse(job.created_at) || 0) >= state.horizon);
  }, [state.jobs, state.horizon, status]);

  return { state, connection, rows, addJob, loadMore, reload, trackJob };
}

/** A WebSocket frame as a Job, or null when it is not one (ignored rather than trusted). */
export function parseJobEvent(data: string): Job | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const job = value as Partial<JobEvent>;
  if (typeof job.id !== 'string' || typeof job.status !== 'string' || typeof job.created_at !== 'string') {
    return null;
  }
  if (!['queued', 'running', 'completed', 'failed'].includes(job.status)) return null;
  return toJob({ attempts: 0, progress: 0, ...job } as JobEvent);
}
