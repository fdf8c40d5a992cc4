import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeFinding, makeReport } from '../../../test/report-fixtures';
import { FINDINGS_STEP } from './findings-list';
import { ReportView } from './report-view';

const findingCount = () => document.querySelectorAll('li.finding').length;

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

  it('renders a finding as text: rule, file:line, reachability, explanation and the snippet, never HTML', () => {
    const finding = makeFinding({
      title: 'Downloads and runs code at install',
      file: 'pkg/setup.py',
      line: 12,
      snippet: '<img src=x onerror="window.__pwned=1">\nexec(b64decode(PAYLOAD))',
    });
    render(<ReportView report={{ ...makeReport(0), findings: [finding] }} jobId={null} />);
    const item = screen.getByText('Downloads and runs code at install').closest('li') as HTMLElement;
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
    for (const item of document.querySelectorAll('li.finding')) expect(item.getAttribute('data-rule')).toBe('RULE-3');
    await userEvent.clear(screen.getByLabelText('Filter findings'));
    await userEvent.type(screen.getByLabelText('Filter findings'), 'no such thing');
    expect(await screen.findByText('0 of 5,000 findings match.')).toBeTruthy();
    expect(document.querySelectorAll('li.finding')).toHaveLength(0);
  });
});
