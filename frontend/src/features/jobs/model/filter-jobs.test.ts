import { describe, expect, it } from 'vitest';
import { completed, makeJob } from '../../../test/fixtures';
import { failedAnalysisJob, makeSummary } from '../../../test/report-fixtures';
import { filterJobs } from './filter-jobs';

describe('filterJobs', () => {
  const sim = completed(makeJob());
  const bad = completed(makeJob({ task: 'analyze' }));
  bad.result = { ...makeSummary({ verdict: 'malicious' }) };
  const good = completed(makeJob({ task: 'analyze' }));
  good.result = { ...makeSummary({ verdict: 'clean', score: 0 }) };
  const waiting = makeJob({ task: 'analyze', params: { purl: 'pkg:npm/x' } });
  const cut = failedAnalysisJob();
  const simFailed = { ...completed(makeJob()), status: 'failed' as const, result: null };
  const rows = [sim, bad, good, waiting, cut, simFailed];

  it('keeps everything without filters, and narrows by task and by verdict', () => {
    expect(filterJobs(rows, { task: null, verdict: null })).toBe(rows);
    expect(filterJobs(rows, { task: 'analyze', verdict: null })).toEqual([bad, good, waiting, cut]);
    expect(filterJobs(rows, { task: null, verdict: 'clean' })).toEqual([good]);
    expect(filterJobs(rows, { task: 'simulate', verdict: 'malicious' })).toEqual([]);
  });

  it('finds the analyses that could not analyse their package, and only those', () => {
    expect(filterJobs(rows, { task: null, verdict: 'unanalysed' })).toEqual([cut]);
  });
});
