import { describe, expect, it } from 'vitest';
import { analysisOutcome, tallyOutcomes, tallyText } from './outcome';
import { makeJob } from '../test/fixtures';
import { analysisJob, failedAnalysisJob } from '../test/report-fixtures';

describe('analysis outcome', () => {
  it('is the verdict of a completed analysis, and never clean for a failed one', () => {
    expect(analysisOutcome(analysisJob())).toBe('malicious');
    expect(analysisOutcome(analysisJob({}, { verdict: 'clean', score: 0 }))).toBe('clean');
    expect(analysisOutcome(failedAnalysisJob())).toBe('unanalysed');
    expect(analysisOutcome({ ...failedAnalysisJob(), status: 'queued' })).toBe('pending');
    expect(analysisOutcome(makeJob({ task: 'simulate', status: 'failed' }))).toBeNull();
  });

  it('counts a failed analysis apart from every verdict', () => {
    const tally = tallyOutcomes([
      analysisJob(),
      failedAnalysisJob(),
      failedAnalysisJob(),
      { ...analysisJob(), status: 'running', result: null },
      makeJob({ task: 'simulate', status: 'completed' }),
    ]);
    expect(tally).toEqual({ malicious: 1, suspicious: 0, clean: 0, unanalysed: 2, pending: 1 });
    expect(tallyText(tally)).toBe('1 malicious · 2 could not analyse · 1 waiting');
  });
});
