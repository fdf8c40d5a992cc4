import { describe, expect, it } from 'vitest';
import { makeJob } from '../test/fixtures';
import { makeFinding, makeSummary } from '../test/report-fixtures';
import { analysisSummary, artifactKind, findingWeight, groupFindings, jobPackage, location, reportJobId, snippetParts, topFinding, verdictMeaning } from './report';

describe('analysisSummary', () => {
  it('reads a finished analyze job and ignores anything else', () => {
    const summary = makeSummary();
    expect(analysisSummary(makeJob({ task: 'analyze', result: { ...summary } }))).toEqual(summary);
    expect(analysisSummary(makeJob({ result: { seconds: 2 } }))).toBeNull();
    expect(analysisSummary(makeJob({ result: { ...summary, verdict: 'evil' } }))).toBeNull();
    expect(analysisSummary(makeJob({ result: null }))).toBeNull();
  });
});

describe('jobPackage', () => {
  it('names the package from the result once known, from the params before', () => {
    expect(jobPackage(makeJob({ task: 'analyze', result: { ...makeSummary() } }))).toBe('evil-pkg@1.0.0');
    expect(jobPackage(makeJob({ task: 'analyze', params: { purl: 'pkg:npm/left-pad' } }))).toBe('pkg:npm/left-pad');
    expect(jobPackage(makeJob())).toBeNull();
  });

  it('shows a bidi override in the name as its code point, so the version cannot be reordered', () => {
    const pkg = { ecosystem: 'npm', name: 'left-pad\u202e', version: '1.3.0', purl: 'pkg:npm/left-pad%E2%80%AE@1.3.0' } as const;
    const job = makeJob({ task: 'analyze', result: { ...makeSummary({ package: pkg }) } });
    expect(jobPackage(job)).toBe('left-pad<U+202E>@1.3.0');
  });
});

describe('reportJobId', () => {
  it('reads the job id from the report link', () => {
    expect(reportJobId({ report: '/jobs/0b7c/report' })).toBe('0b7c');
    expect(reportJobId({})).toBeNull();
  });
});

describe('groupFindings', () => {
  it('orders by severity, then install-time code first, then file and line', () => {
    const findings = [
      makeFinding({ severity: 'low', file: 'b.py' }),
      makeFinding({ severity: 'high', reachability: 'runtime', file: 'a.py', line: 9 }),
      makeFinding({ severity: 'high', reachability: 'install', file: 'z.py', line: 3 }),
      makeFinding({ severity: 'high', reachability: 'runtime', file: 'a.py', line: 2 }),
      makeFinding({ severity: 'critical' }),
    ];
    const groups = groupFindings(findings);
    expect(groups.map((g) => [g.severity, g.findings.length])).toEqual([
      ['critical', 1],
      ['high', 3],
      ['low', 1],
    ]);
    expect(groups[1]?.findings.map(location)).toEqual(['z.py:3', 'a.py:2', 'a.py:9']);
  });
});

describe('snippetParts', () => {
  it('cuts long lines and says how much was cut', () => {
    const parts = snippetParts(`short\n${'x'.repeat(300)}`, 100);
    expect(parts.map((p) => p.text).join('')).toBe(`short\n${'x'.repeat(100)} … (200 more characters)`);
  });

  it('shows bidi overrides and other invisible characters as code points', () => {
    const parts = snippetParts('if access_level != "user\u202e \u2066// admin\u2069\u2066":\u0007');
    expect(parts.filter((p) => p.control).map((p) => p.text)).toEqual(['<U+202E>', '<U+2066>', '<U+2069>', '<U+2066>', '<U+0007>']);
    expect(parts.map((p) => p.text).join('')).toBe('if access_level != "user<U+202E> <U+2066>// admin<U+2069><U+2066>":<U+0007>');
  });

  it('keeps markup as plain text', () => {
    expect(snippetParts('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', control: false }]);
  });
});

describe('topFinding', () => {
  it('weighs severity by where the code runs, as the score does', () => {
    const docsCritical = makeFinding({ severity: 'critical', reachability: 'docs' });
    const installHigh = makeFinding({ severity: 'high', reachability: 'install' });
    expect(findingWeight(docsCritical)).toBeCloseTo(0.27);
    expect(topFinding([docsCritical, installHigh])).toBe(installHigh);
    expect(topFinding([])).toBeNull();
  });
});

describe('location and artifacts', () => {
  it('shows the whole line range of a multi-line construct', () => {
    expect(location({ file: 'a.py', line: 3, end_line: 7 })).toBe('a.py:3-7');
    expect(location({ file: 'a.py', line: 3, end_line: 3 })).toBe('a.py:3');
    expect(location({ file: 'a.py', line: null, end_line: null })).toBe('a.py');
  });

  it('names the kind of artifact', () => {
    expect(['x-1.0.tar.gz', 'x-1.0-py3-none-any.whl', 'x-1.0.tgz', 'x-1.0.zip', 'x-1.0/'].map(artifactKind)).toEqual(['sdist', 'wheel', 'npm tarball', 'sdist', 'directory']);
  });
});

describe('verdictMeaning', () => {
  const none = { critical: 0, high: 0, medium: 0, low: 0 };
  it('agrees with the findings under a clean verdict', () => {
    expect(verdictMeaning({ verdict: 'clean', by_severity: none, findings: [] })).toMatch(/^No rule found anything/);
    const low = makeFinding({ severity: 'low' });
    expect(verdictMeaning({ verdict: 'clean', by_severity: { ...none, low: 1 }, findings: [low] })).toMatch(/^Clean: only low-severity findings/);
    const two = [makeFinding({ severity: 'high' }), makeFinding({ severity: 'medium' })];
    expect(verdictMeaning({ verdict: 'clean', by_severity: { ...none, high: 1, medium: 1 }, findings: two })).toMatch(
      /^Clean by score, but not without findings: 1 high, 1 medium findings below/,
    );
    expect(verdictMeaning({ verdict: 'malicious', by_severity: none, findings: two })).toMatch(/Do not install it/);
  });
});
