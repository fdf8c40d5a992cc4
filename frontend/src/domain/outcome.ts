import type { Job } from '../lib/api-types';
import { type Verdict, analysisSummary } from './report';

/**
 * What an analysis job came to: a verdict; `unanalysed` when it failed (the archive or the
 * package could not be read whole, a limit was hit, the registry refused: there is no
 * verdict, and it never counts as clean); `pending` while queued or running.
 * Null for jobs of other tasks (docs/security.md "Could not analyse").
 */
export type AnalysisOutcome = Verdict | 'unanalysed' | 'pending';

export const UNANALYSED_LABEL = 'could not analyse';

/** What a failed analysis means for the reader. */
export const UNANALYSED_MEANING =
  'There is no verdict: the analyser could not read this package whole, so nothing in it was judged, and it is not clean.';

export function analysisOutcome(job: Pick<Job, 'task' | 'status' | 'result'>): AnalysisOutcome | null {
  if (job.task !== 'analyze') return null;
  if (job.status === 'queued' || job.status === 'running') return 'pending';
  const summary = analysisSummary(job);
  return job.status === 'completed' && summary ? summary.verdict : 'unanalysed';
}

export type OutcomeTally = Record<AnalysisOutcome, number>;

/** A lockfile's (or any set of) analysis jobs counted by outcome, as `POST /jobs/summary` counts them. */
export function tallyOutcomes(jobs: Iterable<Pick<Job, 'task' | 'status' | 'result'>>): OutcomeTally {
  const tally: OutcomeTally = { malicious: 0, suspicious: 0, clean: 0, unanalysed: 0, pending: 0 };
  for (const job of jobs) {
    const outcome = analysisOutcome(job);
    if (outcome) tally[outcome] += 1;
  }
  return tally;
}

const TALLY_ORDER: readonly [AnalysisOutcome, string][] = [
  ['malicious', 'malicious'],
  ['suspicious', 'suspicious'],
  ['clean', 'clean'],
  ['unanalysed', UNANALYSED_LABEL],
  ['pending', 'waiting'],
];

/** "1 malicious · 40 clean · 2 could not analyse · 3 waiting" (zero counts left out). */
export function tallyText(tally: OutcomeTally): string {
  const parts = TALLY_ORDER.filter(([key]) => tally[key] > 0).map(([key, label]) => `${tally[key].toLocaleString('en-US')} ${label}`);
  return parts.length > 0 ? parts.join(' · ') : 'nothing to count';
}
