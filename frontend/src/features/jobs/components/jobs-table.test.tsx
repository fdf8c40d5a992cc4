import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../app/app';
import type { Job } from '../../../lib/api-types';
import { FakeWebSocket } from '../../../test/fake-websocket';
import { installFakeApi } from '../../../test/fake-api';
import { makeJob, running } from '../../../test/fixtures';

const rowCount = () => document.querySelectorAll('tr[data-job-id]').length;

describe('JobsTable with a thousand jobs', () => {
  beforeEach(() => {
    FakeWebSocket.reset();
    vi.stubGlobal('WebSocket', FakeWebSocket);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('renders a page at a time and fetches older pages with the cursor', async () => {
    const jobs: Job[] = Array.from({ length: 1000 }, () => makeJob()).reverse(); // newest first
    const api = installFakeApi({ jobs });
    render(<App />);
    await waitFor(() => expect(rowCount()).toBe(50));

    await userEvent.click(screen.getByRole('button', { name: 'Show older jobs' }));
    await waitFor(() => expect(rowCount()).toBe(100));
    expect(api.calls).toContain('GET /api/jobs?limit=50&before=50');

    // A burst of live events for jobs the page has never seen lands on top, capped to the visible window.
    const socket = FakeWebSocket.latest();
    socket.open();
    const fresh = Array.from({ length: 300 }, () => running(makeJob(), 0.5));
    for (const job of fresh) socket.receive({ ...job, event: 'running' });
    await waitFor(() => expect(document.querySelector('tbody tr')?.getAttribute('data-job-id')).toBe(fresh.at(-1)?.id));
    expect(rowCount()).toBe(200);
  });
});
