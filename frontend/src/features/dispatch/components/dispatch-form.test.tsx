import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../../../lib/api-types';
import { installFakeApi } from '../../../test/fake-api';
import { jsonResponse } from '../../../test/fixtures';
import { TASKS } from '../model/validate-dispatch';
import { DispatchForm } from './dispatch-form';

async function fill(label: string, value: string) {
  const input = screen.getByLabelText(label);
  await userEvent.clear(input);
  if (value !== '') await userEvent.type(input, value);
}

describe('DispatchForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('dispatches a batch and hands each job over as it is accepted', async () => {
    const api = installFakeApi();
    const dispatched: Job[] = [];
    render(<DispatchForm onDispatched={(job) => dispatched.push(job)} />);
    await fill('Seconds', '2');
    await userEvent.selectOptions(screen.getByLabelText('Mode'), 'sleep');
    await fill('Count', '3');
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    expect(await screen.findByText('Dispatched 3 jobs.')).toBeTruthy();
    expect(dispatched).toHaveLength(3);
    expect(dispatched[0]?.params).toEqual({ seconds: 2, mode: 'sleep' });
    expect(api.calls.filter((c) => c === 'POST /api/dispatch')).toHaveLength(3);
  });

  it('explains invalid fields, marks them, and sends nothing', async () => {
    const api = installFakeApi();
    render(<DispatchForm onDispatched={() => undefined} />);
    await fill('Seconds', '601');
    await fill('Count', '0');
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    expect(screen.getByText('Seconds must be between 0 and 600.')).toBeTruthy();
    expect(screen.getByText('Count must be a whole number from 1 to 100.')).toBeTruthy();
    const seconds = screen.getByLabelText('Seconds');
    expect(seconds.getAttribute('aria-invalid')).toBe('true');
    expect(seconds.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.activeElement).toBe(seconds);
    await fill('Seconds', '');
    await fill('Count', '2.5');
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    expect(screen.getByText('Enter a number for Seconds.')).toBeTruthy();
    expect(screen.getByText('Count must be a whole number from 1 to 100.')).toBeTruthy();
    expect(api.calls).toEqual([]);
  });

  it("shows the API's own sentence for a 422", async () => {
    const api = installFakeApi();
    api.dispatchResponses.push(
      jsonResponse(
        {
          error: {
            code: 'validation_error',
            message: 'Invalid request — params.seconds: Input should be less than or equal to 600.',
            details: [{ loc: ['body', 'params', 'seconds'], msg: 'Input should be less than or equal to 600' }],
          },
        },
        422,
      ),
    );
    render(<DispatchForm onDispatched={() => undefined} />);
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Invalid request — params.seconds: Input should be less than or equal to 600.');
    expect(alert.textContent).toContain('params.seconds: Input should be less than or equal to 600');
  });

  it('shows the retry hint from Retry-After on a 429, and how many went out', async () => {
    const api = installFakeApi();
    api.dispatchResponses.push(
      jsonResponse({ id: 'a' }, 202),
      jsonResponse(
        { error: { code: 'rate_limited', message: 'Too many dispatches from this client.', details: null } },
        429,
        { 'Retry-After': '42' },
      ),
    );
    render(<DispatchForm onDispatched={() => undefined} />);
    await fill('Count', '5');
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Too many dispatches from this client. Try again in 42 seconds.');
    expect(alert.textContent).toMatch(/You can dispatch again at [\d:]+ \(in 42 seconds\)\./);
    expect(alert.textContent).toContain('1 of 5 jobs were dispatched before this error.');
  });

  it('shows a readable sentence for a 503, even when the body is not JSON', async () => {
    const api = installFakeApi();
    api.dispatchResponses.push(new Response('<html>Bad gateway</html>', { status: 503 }));
    render(<DispatchForm onDispatched={() => undefined} />);
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The service is temporarily unavailable.');
  });

  it('disables the button while sending', async () => {
    installFakeApi();
    render(<DispatchForm onDispatched={() => undefined} />);
    const button = screen.getByRole('button', { name: 'Dispatch' });
    await userEvent.click(button);
    await waitFor(() => expect(screen.getByText('Dispatched 1 job.')).toBeTruthy());
    expect((button as HTMLButtonElement).disabled).toBe(false);
  });

  it("builds each task's fields from its generated params schema", async () => {
    const api = installFakeApi();
    render(<DispatchForm onDispatched={() => undefined} />);
    expect(screen.getByLabelText('Task').querySelectorAll('option')).toHaveLength(TASKS.length);
    await userEvent.selectOptions(screen.getByLabelText('Task'), 'analyze');
    expect(screen.queryByLabelText('Seconds')).toBeNull();
    await userEvent.type(screen.getByLabelText('Purl'), 'pkg:pypi/idna@3.7');
    await userEvent.click(screen.getByLabelText('Force'));
    await userEvent.click(screen.getByRole('button', { name: 'Dispatch' }));
    await screen.findByText('Dispatched 1 job.');
    expect(api.bodies).toEqual([{ task: 'analyze', params: { purl: 'pkg:pypi/idna@3.7', force: true } }]);
  });
});
