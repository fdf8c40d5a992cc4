import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../../../lib/api-types';
import { installFakeApi } from '../../../test/fake-api';
import { jsonResponse, makeJob } from '../../../test/fixtures';
import { analysisJob, failedAnalysisJob } from '../../../test/report-fixtures';
import { AnalyzePanel } from './analyze-panel';
import { ArchiveForm } from './archive-form';

function setup() {
  const api = installFakeApi();
  const queued: Job[] = [];
  const many: Job[][] = [];
  render(<AnalyzePanel onQueued={(job) => queued.push(job)} onQueuedMany={(jobs) => many.push(jobs)} />);
  return { api, queued, many };
}

const file = (name: string, size: number, type = 'application/gzip') => new File([new Uint8Array(size)], name, { type });

describe('AnalyzePanel: package', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('queues an analyze job for the canonical purl built from the fields', async () => {
    const { api, queued } = setup();
    await userEvent.selectOptions(screen.getByLabelText('Ecosystem'), 'npm');
    await userEvent.type(screen.getByLabelText('Package name'), '@babel/core');
    await userEvent.type(screen.getByLabelText('Version'), '7.24.0');
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    await waitFor(() => expect(queued).toHaveLength(1));
    expect(api.bodies).toEqual([{ task: 'analyze', params: { purl: 'pkg:npm/%40babel/core@7.24.0', force: false } }]);
    expect(queued[0]?.task).toBe('analyze');
  });

  it('checks a pasted purl before sending and says what is wrong', async () => {
    const { api } = setup();
    await userEvent.click(screen.getByLabelText('By package URL'));
    const input = screen.getByLabelText('Package URL (purl)');
    await userEvent.type(input, 'pkg:maven/junit/junit@4.13');
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    expect(screen.getByText('Only pypi and npm packages can be analysed, not "maven".')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input);
    expect(api.calls).toEqual([]);

    await userEvent.clear(input);
    await userEvent.type(input, 'pkg:pypi/Requests@2.32.3');
    await userEvent.click(screen.getByLabelText('Analyse again even if analysed before'));
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    await waitFor(() => expect(api.bodies).toEqual([{ task: 'analyze', params: { purl: 'pkg:pypi/requests@2.32.3', force: true } }]));
  });

  it("shows the API's 422 in its own words", async () => {
    const { api } = setup();
    api.dispatchResponses.push(
      jsonResponse({ error: { code: 'validation_error', message: 'Invalid request — params.purl: unknown ecosystem.', details: null } }, 422),
    );
    await userEvent.type(screen.getByLabelText('Package name'), 'requests');
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Invalid request — params.purl: unknown ecosystem.');
  });
});

describe('AnalyzePanel: archive', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('stops a file over the limit before sending anything', async () => {
    const api = installFakeApi();
    render(<ArchiveForm onQueued={() => undefined} maxBytes={1000} />);
    await userEvent.upload(screen.getByLabelText('Package archive'), file('big-1.0.tgz', 1001));
    expect(screen.getByText('big-1.0.tgz is 1001 B; the upload limit is 1000 B. Nothing was sent.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Upload and analyse' }));
    expect(api.calls).toEqual([]);
  });

  it('uploads a dropped archive as multipart with the guessed ecosystem', async () => {
    const { api, queued } = setup();
    await userEvent.click(screen.getByRole('tab', { name: 'Archive' }));
    api.handlers.push(({ method, url }) =>
      method === 'POST' && url.pathname === '/api/analyze/upload' ? jsonResponse(makeJob({ task: 'analyze' }), 202) : undefined,
    );
    const dropped = file('evil-1.0.0.tgz', 300);
    fireEvent.drop(screen.getByTestId(`${screen.getByLabelText('Package archive').id}-zone`), { dataTransfer: { files: [dropped] } });
    expect(screen.getByText('evil-1.0.0.tgz')).toBeTruthy();
    expect((screen.getByLabelText('Ecosystem') as HTMLSelectElement).value).toBe('npm');
    await userEvent.click(screen.getByRole('button', { name: 'Upload and analyse' }));
    await waitFor(() => expect(queued).toHaveLength(1));
    const form = api.bodies[0] as FormData;
    expect(form.get('ecosystem')).toBe('npm');
    expect((form.get('file') as File).name).toBe('evil-1.0.0.tgz');
  });

  it("shows the API's 413 and 422 in its own words", async () => {
    const { api } = setup();
    await userEvent.click(screen.getByRole('tab', { name: 'Archive' }));
    const answers = [
      jsonResponse({ error: { code: 'too_large', message: 'The upload is larger than 1000 bytes (ANALYSIS_UPLOAD_MAX_BYTES).' } }, 413),
      jsonResponse({ error: { code: 'validation_error', message: 'The file is not a gzip, tar or zip archive.' } }, 422),
    ];
    api.handlers.push(({ url }) => (url.pathname === '/api/analyze/upload' ? answers.shift() : undefined));
    await userEvent.upload(screen.getByLabelText('Package archive'), file('x-1.0.tar.gz', 10));
    await userEvent.click(screen.getByRole('button', { name: 'Upload and analyse' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The upload is larger than 1000 bytes (ANALYSIS_UPLOAD_MAX_BYTES).');
    await userEvent.click(screen.getByRole('button', { name: 'Upload and analyse' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The file is not a gzip, tar or zip archive.'));
  });
});

describe('AnalyzePanel: lock file', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows how many jobs were created and every skipped line with its reason', async () => {
    const { api, many } = setup();
    await userEvent.click(screen.getByRole('tab', { name: 'Lock file' }));
    const items = [
      makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/requests@2.32.3' } }),
      makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/idna@3.7' } }),
    ];
    api.handlers.push(({ url }) =>
      url.pathname === '/api/analyze/lockfile'
        ? jsonResponse(
            {
              format: 'requirements.txt',
              items,
              skipped: [
                { line: 'requests>=2', reason: 'not pinned to one version' },
                { line: 'pkg @ https://example.invalid/pkg.tgz', reason: 'a URL requirement' },
              ],
            },
            202,
          )
        : undefined,
    );
    await userEvent.upload(screen.getByLabelText('Dependency lock file'), file('requirements.txt', 40, 'text/plain'));
    await userEvent.click(screen.getByRole('button', { name: 'Analyse every pinned package' }));
    const outcome = await screen.findByTestId('lockfile-outcome');
    expect(outcome.textContent).toContain('Created 2 analysis jobs from requirements.txt; skipped 2 entries.');
    expect(outcome.textContent).toContain('requests>=2 — not pinned to one version');
    expect(outcome.textContent).toContain('pkg @ https://example.invalid/pkg.tgz — a URL requirement');
    expect((api.bodies[0] as FormData).get('force')).toBeNull();
    expect(screen.getByRole('link', { name: 'pkg:pypi/idna@3.7' }).getAttribute('href')).toBe(`/jobs/${items[1]?.id}`);
    expect(many).toEqual([items]);
  });

  it('counts each job as it finishes, a failed analysis apart from every verdict, with its reason', async () => {
    const api = installFakeApi();
    const items = [
      makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/idna@3.7' } }),
      makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/evil-pkg@1.0.0' } }),
      makeJob({ task: 'analyze', params: { purl: 'pkg:pypi/cut-pkg@1.0.0' } }),
    ];
    api.handlers.push(({ url }) =>
      url.pathname === '/api/analyze/lockfile' ? jsonResponse({ format: 'requirements.txt', items, skipped: [] }, 202) : undefined,
    );
    const panel = (jobs: Job[]) => (
      <AnalyzePanel onQueued={() => undefined} onQueuedMany={() => undefined} jobs={new Map(jobs.map((job) => [job.id, job]))} />
    );
    const view = render(panel([]));
    await userEvent.click(screen.getByRole('tab', { name: 'Lock file' }));
    await userEvent.upload(screen.getByLabelText('Dependency lock file'), file('pylock.toml', 40, 'application/toml'));
    await userEvent.click(screen.getByRole('button', { name: 'Analyse every pinned package' }));
    expect((await screen.findByTestId('lockfile-tally')).textContent).toBe('3 waiting');

    const [idna, evil, cut] = items as [Job, Job, Job];
    view.rerender(
      panel([
        analysisJob({ id: idna.id }, { verdict: 'clean', score: 0 }),
        analysisJob({ id: evil.id }),
        failedAnalysisJob({ id: cut.id, params: cut.params }),
      ]),
    );
    expect(screen.getByTestId('lockfile-tally').textContent).toBe('1 malicious · 1 clean · 1 could not analyse');
    expect(screen.getByTestId('lockfile-unanalysed').textContent).toBe(
      'pkg:pypi/cut-pkg@1.0.0 — Archive is truncated or corrupt (gzip): Compressed file ended before the end-of-stream marker was reached',
    );
    const row = screen.getByRole('link', { name: 'pkg:pypi/cut-pkg@1.0.0' }).closest('li');
    expect(row?.querySelector('.verdict-unanalysed')?.textContent).toBe('could not analyse');
  });

  it('refuses a file it cannot read before sending', async () => {
    const { api } = setup();
    await userEvent.click(screen.getByRole('tab', { name: 'Lock file' }));
    await userEvent.upload(screen.getByLabelText('Dependency lock file'), file('yarn.lock', 40, 'text/plain'));
    await userEvent.click(screen.getByRole('button', { name: 'Analyse every pinned package' }));
    expect(screen.getByText(/^yarn\.lock is not a lock file this can read/)).toBeTruthy();
    expect(api.calls).toEqual([]);
  });

  it('moves between tabs with the arrow keys', async () => {
    setup();
    screen.getByRole('tab', { name: 'Package' }).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Archive' }));
    expect(screen.getByRole('tab', { name: 'Archive' }).getAttribute('aria-selected')).toBe('true');
    await userEvent.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Lock file' }).getAttribute('aria-selected')).toBe('true');
  });
});
