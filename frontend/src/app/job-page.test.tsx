import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';
import { FakeWebSocket } from '../test/fake-websocket';
import { installFakeApi } from '../test/fake-api';
import { completed, jsonResponse, makeJob, running } from '../test/fixtures';
import { makeReport } from '../test/report-fixtures';

describe('the /jobs/{id} page', () => {
  beforeEach(() => {
    FakeWebSocket.reset();
    vi.stubGlobal('WebSocket', FakeWebSocket);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    window.history.pushState(null, '', '/');
  });

  it('opens cold from a shared link, follows the job live, then shows its report', async () => {
    const job = makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/evil-pkg@1.0.0' } });
    const api = installFakeApi({ jobs: [job] });
    const report = makeReport(4, { report: `/jobs/${job.id}/report` });
    api.handlers.push(({ url }) => (url.pathname === `/api/jobs/${job.id}/report` ? jsonResponse(report) : undefined));
    window.history.pushState(null, '', `/jobs/${job.id}`);
    render(<App />);

    expect(await screen.findByRole('heading', { name: 'Analysis of pkg:pypi/evil-pkg@1.0.0' })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('job-status').textContent).toBe('queued'));
    expect(screen.getByText('The report appears here when the analysis finishes.')).toBeTruthy();

    const socket = FakeWebSocket.latest();
    socket.open();
    socket.receive({ ...running(job, 0.4), event: 'progress' });
    await waitFor(() => expect(screen.getByTestId('job-status').textContent).toBe('running'));
    expect((screen.getByRole('progressbar') as HTMLProgressElement).value).toBe(40);
    const done = { ...completed(running(job)), result: { ...makeReport(0), findings: 4, report: `/jobs/${job.id}/report` } };
    socket.receive({ ...done, event: 'completed' });

    expect(await screen.findByText(/acts against whoever installs/)).toBeTruthy();
    expect(document.querySelectorAll('.findings li.finding')).toHaveLength(2); // critical and high open; medium and low collapsed
    expect(api.calls.filter((c) => c.endsWith('/report'))).toEqual([`GET /api/jobs/${job.id}/report`]);
    expect(screen.getByRole('heading', { name: 'Analysis of evil-pkg@1.0.0' })).toBeTruthy();

    await userEvent.click(screen.getByRole('link', { name: '← All jobs' }));
    expect(window.location.pathname).toBe('/');
    expect(await screen.findByRole('heading', { name: 'Jobs' })).toBeTruthy();
  });

  it("says so, in the API's words, when the job does not exist", async () => {
    installFakeApi();
    window.history.pushState(null, '', '/jobs/nope');
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe('No such job.');
  });

  it('says a failed analysis could not analyse the package, why, and that it is not clean', async () => {
    const job = { ...completed(makeJob({ task: 'analyze' })), status: 'failed' as const, result: null, error: 'No such package: pkg:pypi/nope' };
    const api = installFakeApi({ jobs: [job] });
    window.history.pushState(null, '', `/jobs/${job.id}`);
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('could not analyse').className).toBe('badge verdict-unanalysed');
    expect(alert.textContent).toContain('Why: No such package: pkg:pypi/nope');
    expect(alert.textContent).toContain('nothing in it was judged, and it is not clean');
    expect(api.calls.filter((c) => c.endsWith('/report'))).toEqual([]); // a failed job has no report to fetch
  });

  it('says a failed job of another task failed, in its words', async () => {
    const job = { ...completed(makeJob()), status: 'failed' as const, result: null, error: 'lease expired on attempt 3 of 3' };
    installFakeApi({ jobs: [job] });
    window.history.pushState(null, '', `/jobs/${job.id}`);
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toBe('This job failed: lease expired on attempt 3 of 3');
  });
});
