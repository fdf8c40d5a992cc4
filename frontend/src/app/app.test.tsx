import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';
import { FakeWebSocket } from '../test/fake-websocket';
import { installFakeApi } from '../test/fake-api';
import { completed, makeJob, running } from '../test/fixtures';

function row(id: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`tr[data-job-id="${id}"]`);
  if (!element) throw new Error(`no row for ${id}`);
  return element;
}

describe('App (live dashboard)', () => {
  beforeEach(() => {
    FakeWebSocket.reset();
    vi.stubGlobal('WebSocket', FakeWebSocket);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('merges WebSocket events into the table without a reload', async () => {
    const job = makeJob();
    installFakeApi({ jobs: [job] });
    render(<App />);
    await waitFor(() => expect(row(job.id).dataset.status).toBe('queued'));

    FakeWebSocket.latest().open();
    await waitFor(() => expect(screen.getByTestId('connection').dataset.state).toBe('open'));
    FakeWebSocket.latest().receive({ ...running(job, 0.5), event: 'progress' });
    await waitFor(() => expect(row(job.id).dataset.status).toBe('running'));
    expect(within(row(job.id)).getByRole('progressbar')).toHaveProperty('value', 50);

    const stranger = completed(makeJob());
    FakeWebSocket.latest().receive({ ...stranger, event: 'completed' });
    await waitFor(() => expect(row(stranger.id).dataset.status).toBe('completed'));
    // Newest first: the stranger was created after the first job.
    const ids = [...document.querySelectorAll('tr[data-job-id]')].map((tr) => tr.getAttribute('data-job-id'));
    expect(ids).toEqual([stranger.id, job.id]);
  });

  it('shows disconnected, reconnects, and resyncs jobs that finished meanwhile', async () => {
    const job = makeJob();
    const api = installFakeApi({ jobs: [job] });
    render(<App />);
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().receive({ ...running(job, 0.3), event: 'running' });
    await waitFor(() => expect(row(job.id).dataset.status).toBe('running'));

    FakeWebSocket.latest().drop();
    // Checked in one render: the retry comes 0.5 s later, and on a loaded machine the next
    // statement could already see "Reconnecting…".
    await waitFor(() => {
      expect(screen.getByTestId('connection').dataset.state).toBe('closed');
      expect(screen.getByTestId('connection').textContent).toMatch(/Disconnected · retrying/);
      // Announced once in words, without the ticking countdown.
      expect(screen.getByText('Disconnected from live updates; retrying.').getAttribute('role')).toBe('status');
    });

    // While away, the job finished; its event was lost.
    api.jobs = [completed(running(job))];
    api.calls = [];
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2), { timeout: 3000 });
    FakeWebSocket.latest().open();

    await waitFor(() => expect(row(job.id).dataset.status).toBe('completed'));
    expect(screen.getByTestId('connection').dataset.state).toBe('open');
    expect(screen.getByTestId('connection').textContent).toContain('Live');
    expect(api.calls).toContain('GET /api/jobs?limit=50');
    expect(api.calls).toContain('GET /api/stats');
  });

  it('shows the empty state, and an error state with retry when the API is unreachable', async () => {
    const api = installFakeApi();
    api.down = true;
    render(<App />);
    expect(await screen.findByText(/Could not load jobs: Could not reach the API/)).toBeTruthy();
    api.down = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No jobs yet. Dispatch one with the form.')).toBeTruthy();
  });

  it('opens a job detail panel with params, result and error, by keyboard', async () => {
    const job = { ...completed(makeJob({ params: { seconds: 2, mode: 'sleep' } })), result: { elapsed: 2.01 } };
    installFakeApi({ jobs: [job] });
    render(<App />);
    const button = await screen.findByRole('button', { name: `Show details of job ${job.id}` });
    button.focus();
    await userEvent.keyboard('{Enter}');
    const panel = await screen.findByRole('complementary');
    expect(within(panel).getByText(/"mode": "sleep"/)).toBeTruthy();
    expect(within(panel).getByText(/"elapsed": 2.01/)).toBeTruthy();
    expect(within(panel).getByText('None.')).toBeTruthy();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('complementary')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: `Show details of job ${job.id}` }));
  });

  it('filters by status through the API', async () => {
    const api = installFakeApi({ jobs: [makeJob(), completed(makeJob())] });
    render(<App />);
    await waitFor(() => expect(document.querySelectorAll('tr[data-job-id]')).toHaveLength(2));
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'completed');
    await waitFor(() => expect(document.querySelectorAll('tr[data-job-id]')).toHaveLength(1));
    expect(api.calls).toContain('GET /api/jobs?status=completed&limit=50');
  });
});

describe('App (jobs dispatched elsewhere)', () => {
  beforeEach(() => {
    FakeWebSocket.reset();
    vi.stubGlobal('WebSocket', FakeWebSocket);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows queued jobs another client dispatched once the counters grow', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const api = installFakeApi();
      render(<App />);
      expect(await screen.findByText('No jobs yet. Dispatch one with the form.')).toBeTruthy();
      const elsewhere = makeJob();
      api.jobs = [elsewhere];
      api.stats = { ...api.stats, queue_depth: 1, jobs: { ...api.stats.jobs, queued: 1 } };
      await vi.advanceTimersByTimeAsync(5_000);
      await waitFor(() => expect(row(elsewhere.id).dataset.status).toBe('queued'));
    } finally {
      vi.useRealTimers();
    }
  });
});
