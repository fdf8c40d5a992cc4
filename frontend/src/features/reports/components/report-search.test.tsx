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
});
