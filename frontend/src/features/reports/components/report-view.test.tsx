import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeFinding, makeReport } from '../../../test/report-fixtures';
import { FINDINGS_STEP } from './findings-list';
import { ReportView } from './report-view';

const findingCount = () => document.querySelectorAll('.findings li.finding').length;

describe('ReportView', () => {
  it('shows the verdict with its meaning, the score, artifacts with sha256 and the downloads', () => {
    const report = makeReport(3, { cached: true });
    render(<ReportView report={report} jobId="job-1" />);
    expect(screen.getByText('malicious')).toBeTruthy();
    expect(screen.getByText(/acts against whoever installs or uses it/)).toBeTruthy();
    expect(screen.getByText(/^Score 9\.2 of 10:/)).toBeTruthy();
    expect(screen.getByTestId('cached').textContent).toMatch(/^Analysed before/);
    expect(screen.getByText('a'.repeat(64))).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Download JSON' }).getAttribute('href')).toBe('/api/jobs/job-1/report');
    expect(screen.getByRole('link', { name: 'Download SARIF' }).getAttribute('href')).toBe('/api/jobs/job-1/report?format=sarif');
  });

  it('says where the bytes came from: the registry, or an upload whose name is only claimed', () => {
    const { unmount } = render(<ReportView report={makeReport(1)} jobId="job-1" />);
    expect(screen.getByTestId('provenance').textContent).toBe('registry');
    expect(screen.getByTestId('provenance-detail').textContent).toMatch(
      /^Fetched through the configured registry; every file matched .* Registry: https:\/\/index\.example\.invalid\/simple\/$/,
    );
    unmount();
    const provenance = { source: 'upload', registry: null, verified: false, claimed: true, filename: 'requests-2.32.3.tar.gz' } as const;
    render(<ReportView report={makeReport(1, { provenance })} jobId="job-2" />);
    expect(screen.getByTestId('provenance').textContent).toBe('upload: claimed name');
    expect(screen.getByTestId('provenance-detail').textContent).toMatch(
      /^Uploaded to this service\. The package name and version are what the archive claims.* File: requests-2\.32\.3\.tar\.gz$/,
    );
  });

  it('shows hidden characters in the package, file names and artifact names as code points', () => {
    const pkg = { ecosystem: 'npm', name: 'left-pad\u202e', version: '1.3.0', purl: 'pkg:npm/left-pad%E2%80%AE@1.3.0' } as const;
    const finding = makeFinding({ file: 'package/lib/evil\u202esj.txt.js', line: 1 });
    const artifacts = [{ filename: 'x\u202egz.tar', sha256: 'b'.repeat(64), size: 10 }];
    render(<ReportView report={{ ...makeReport(0, { package: pkg, artifacts }), findings: [finding] }} jobId={null} />);
    expect(screen.getByText('package/lib/evil<U+202E>sj.txt.js:1')).toBeTruthy();
    expect(screen.getByText('x<U+202E>gz.tar')).toBeTruthy();
    expect(document.body.textContent).not.toContain('\u202e');
  });

  it('renders a finding as text: rule, file:line, reachability, explanation and the snippet, never HTML', () => {
    const finding = makeFinding({
      title: 'Downloads and runs code at install',
      file: 'pkg/setup.py',
      line: 12,
      snippet: '<img src=x onerror="window.__pwned=1">\nexec(b64decode(PAYLOAD))',
    });
    render(<ReportView report={{ ...makeReport(0), findings: [finding] }} jobId={null} />);
    const list = document.querySelector('.findings') as HTMLElement;
    const item = within(list).getByText('Downloads and runs code at install').closest('li') as HTMLElement;
    expect(within(item).getByText('pkg/setup.py:12')).toBeTruthy();
    expect(within(item).getByText('install').getAttribute('title')).toBe('runs when the package is installed');
    expect(within(item).getByText(finding.explanation)).toBeTruthy();
    const code = within(item).getByLabelText('Code at pkg/setup.py:12');
    expect(code.textContent).toBe(finding.snippet);
    expect(item.querySelector('img')).toBeNull();
    expect(screen.queryByRole('link', { name: 'Download JSON' })).toBeNull();
  });

  it('keeps 5,000 findings cheap: counted per group, rendered a step at a time', async () => {
    const report = makeReport(5000);
    render(<ReportView report={report} jobId="big" />);
    // Critical and high are open with one step each; medium and low are collapsed.
    const toggles = screen.getAllByRole('button', { name: /findings$/ });
    expect(toggles.map((t) => [t.textContent, t.getAttribute('aria-expanded')])).toEqual([
      ['critical 1,250 findings', 'true'],
      ['high 1,250 findings', 'true'],
      ['medium 1,250 findings', 'false'],
      ['low 1,250 findings', 'false'],
    ]);
    expect(findingCount()).toBe(2 * FINDINGS_STEP);
    const critical = document.querySelector('[data-severity="critical"]') as HTMLElement;
    await userEvent.click(within(critical).getByRole('button', { name: 'Show 200 more (1,200 not shown)' }));
    expect(findingCount()).toBe(2 * FINDINGS_STEP + 200);
    await userEvent.click(screen.getByRole('button', { name: 'high 1,250 findings' }));
    expect(findingCount()).toBe(FINDINGS_STEP + 200);
  });

  it('filters thousands of findings by rule, file or code, and says how many match', async () => {
    const report = makeReport(5000);
    render(<ReportView report={report} jobId="big" />);
    const matching = report.findings.filter((f) => f.rule === 'RULE-3');
    const count = (severity: string) => matching.filter((f) => f.severity === severity).length.toLocaleString('en-US');
    await userEvent.type(screen.getByLabelText('Filter findings'), 'rule-3');
    expect(await screen.findByText(`${matching.length} of 5,000 findings match.`)).toBeTruthy();
    const toggles = screen.getAllByRole('button', { name: /findings?$/ });
    expect(toggles.map((t) => t.textContent)).toEqual(
      ['critical', 'high', 'medium', 'low'].map((severity) => `${severity} ${count(severity)} findings`),
    );
    for (const item of document.querySelectorAll('.findings li.finding')) expect(item.getAttribute('data-rule')).toBe('RULE-3');
    await userEvent.clear(screen.getByLabelText('Filter findings'));
    await userEvent.type(screen.getByLabelText('Filter findings'), 'no such thing');
    expect(await screen.findByText('0 of 5,000 findings match.')).toBeTruthy();
    expect(document.querySelectorAll('.findings li.finding')).toHaveLength(0);
  });

  it('puts the heaviest finding first, the payload line over a weaker one of the same severity', () => {
    const probe = makeFinding({ title: 'Probes a local port', severity: 'high', reachability: 'runtime' });
    const docs = makeFinding({ title: 'Critical in the docs', severity: 'critical', reachability: 'docs' });
    const plain = makeFinding({ title: 'Plain install-time exec', severity: 'critical', reachability: 'install' });
    const payload = makeFinding({ title: 'Runs a decoded payload', severity: 'critical', reachability: 'install', decoded: 'print(1)' });
    render(<ReportView report={{ ...makeReport(0), findings: [probe, docs, plain, payload] }} jobId={null} />);
    const top = screen.getByRole('region', { name: 'Read this first' });
    expect(within(top).getAllByRole('listitem').map((li) => li.querySelector('h5')?.textContent)).toEqual(['Runs a decoded payload']);
  });

  it('draws the data flow as numbered steps and folds the decoded payload beside its literal', async () => {
    const finding = makeFinding({
      title: 'Runs a decoded payload at install',
      file: 'pkg-1.0/setup.py',
      line: 4,
      end_line: 6,
      snippet: 'exec(\n    base64.b64decode(BLOB)\n)',
      decoded: "import os\nos.system('echo hi')\u202e",
      count: 3,
      artifact: 'b'.repeat(64),
      chain: [
        { role: 'source', file: 'pkg-1.0/setup.py', line: 2, text: 'BLOB = "aW1wb3J0IG9z"' },
        { role: 'transform', file: 'pkg-1.0/setup.py', line: 5, text: 'base64.b64decode(BLOB)' },
        { role: 'sink', file: 'pkg-1.0/setup.py', line: 4, text: 'exec(' },
      ],
    });
    const report = {
      ...makeReport(0),
      artifacts: [{ filename: 'pkg-1.0-py3-none-any.whl', sha256: 'b'.repeat(64), size: 10 }],
      findings: [finding],
    };
    render(<ReportView report={report} jobId={null} />);
    const item = document.querySelector('.findings li.finding') as HTMLElement;
    expect(within(item).getByText('pkg-1.0/setup.py:4-6')).toBeTruthy();
    expect(within(item).getByText('×3')).toBeTruthy();
    expect(within(item).getByText('in wheel pkg-1.0-py3-none-any.whl')).toBeTruthy();
    expect(within(item).getByLabelText('Code at pkg-1.0/setup.py:4-6').textContent).toBe(finding.snippet);
    const steps = within(within(item).getByRole('list', { name: 'Data flow, source to sink' })).getAllByRole('listitem');
    expect(steps.map((s) => [s.dataset.role, s.querySelector('.file')?.textContent])).toEqual([
      ['source', 'pkg-1.0/setup.py:2'],
      ['transform', 'pkg-1.0/setup.py:5'],
      ['sink', 'pkg-1.0/setup.py:4'],
    ]);
    const details = item.querySelector('details.decoded') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    await userEvent.click(within(item).getByText('Decoded payload'));
    expect(details.open).toBe(true);
    const decoded = within(item).getByLabelText('Decoded payload of the literal at pkg-1.0/setup.py:4-6');
    expect(decoded.textContent).toBe("import os\nos.system('echo hi')<U+202E>");
  });

  it('does not call a report with medium findings "nothing that needs a look"', () => {
    const medium = makeFinding({ severity: 'medium', reachability: 'install' });
    const report = { ...makeReport(0), verdict: 'clean' as const, score: 3.9, findings: [medium], by_severity: { critical: 0, high: 0, medium: 1, low: 0 } };
    render(<ReportView report={report} jobId={null} />);
    const meaning = screen.getByTestId('verdict-meaning').textContent ?? '';
    expect(meaning).not.toMatch(/No rule found anything/);
    expect(meaning).toMatch(/^Clean by score, but not without findings: 1 medium finding below/);
    expect(screen.queryByRole('region', { name: 'Read this first' })).toBeNull();
  });

  it('says a clean report with no findings found nothing', () => {
    render(<ReportView report={{ ...makeReport(0), verdict: 'clean', score: 0, findings: [] }} jobId={null} />);
    expect(screen.getByTestId('verdict-meaning').textContent).toMatch(/^No rule found anything that needs a look/);
  });
});
