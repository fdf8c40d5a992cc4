import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../../../test/fake-api';
import { jsonResponse } from '../../../test/fixtures';
import { makeReport } from '../../../test/report-fixtures';
import { ReportSearch } from './report-search';

describe('ReportSearch', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('finds the latest report of a purl and links to its job page', async () => {
    const api = installFakeApi();
    const report = makeReport(2, { report: '/jobs/abc/report' });
    api.handlers.push(({ url }) => (url.pathname === '/api/reports' ? jsonResponse(report) : undefined));
    render(<ReportSearch />);
    await userEvent.type(screen.getByLabelText('Package URL'), 'pkg:pypi/Evil_Pkg@1.0.0');
    await userEvent.click(screen.getByRole('button', { name: 'Find' }));
    const found = await screen.findByTestId('found-report');
    expect(found.textContent).toContain('pkg:pypi/evil-pkg@1.0.0');
    expect(found.textContent).toContain('malicious');
    expect(screen.getByRole('link', { name: 'Open the report' }).getAttribute('href')).toBe('/jobs/abc');
    expect(api.calls).toEqual(['GET /api/reports?purl=pkg%3Apypi%2Fevil-pkg%401.0.0']);
  });

  it("says there is none in the API's words, and checks the purl first", async () => {
    const api = installFakeApi();
    api.handlers.push(({ url }) =>
      url.pathname === '/api/reports' ? jsonResponse({ error: { code: 'not_found', message: 'No report for pkg:npm/left-pad@1.3.0.' } }, 404) : undefined,
    );
    render(<ReportSearch />);
    await userEvent.type(screen.getByLabelText('Package URL'), 'left-pad');
    await userEvent.click(screen.getByRole('button', { name: 'Find' }));
    expect(screen.getByText(/^A package URL starts with "pkg:"/)).toBeTruthy();
    expect(api.calls).toEqual([]);
    await userEvent.clear(screen.getByLabelText('Package URL'));
    await userEvent.type(screen.getByLabelText('Package URL'), 'pkg:npm/left-pad@1.3.0');
    await userEvent.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByText('No report for pkg:npm/left-pad@1.3.0.')).toBeTruthy();
  });

  it('says a package whose newest analysis failed could not be analysed, why and when, never a verdict', async () => {
    const api = installFakeApi();
    const details = {
      job: 'f00d',
      purl: 'pkg:pypi/cut-pkg@1.0.0',
      reason: 'Artifact too large: cut_pkg-1.0.0.tar.gz is 120 MiB, more than ANALYSIS_MAX_ARTIFACT_BYTES (100 MiB)',
      failed_at: '2026-11-25T12:01:00Z',
      source: 'registry',
    };
    api.handlers.push(({ url }) =>
      url.pathname === '/api/reports'
        ? jsonResponse({ error: { code: 'could_not_analyse', message: `pkg:pypi/cut-pkg@1.0.0 could not be analysed: ${details.reason}`, details } }, 409)
        : undefined,
    );
    render(<ReportSearch />);
    await userEvent.type(screen.getByLabelText('Package URL'), 'pkg:pypi/cut-pkg@1.0.0');
    await userEvent.click(screen.getByRole('button', { name: 'Find' }));
    const box = await screen.findByTestId('could-not-analyse');
    expect(box.querySelector('.badge')?.textContent).toBe('could not analyse');
    expect(box.textContent).toContain(`Why: ${details.reason}`);
    expect(box.textContent).toContain('The newest analysis of pkg:pypi/cut-pkg@1.0.0 failed.');
    expect(box.textContent).toContain(new Date(details.failed_at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }));
    expect(screen.getByRole('link', { name: 'Open the job' }).getAttribute('href')).toBe('/jobs/f00d');
    expect(screen.queryByTestId('found-report')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
