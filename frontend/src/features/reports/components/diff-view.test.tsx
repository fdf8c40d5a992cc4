import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeFinding, makeReport } from '../../../test/report-fixtures';
import type { Diff, FileChange } from '../../../domain/diff';
import { orderChanges } from '../../../domain/diff';
import { ReportView } from './report-view';

function change(overrides: Partial<FileChange>): FileChange {
  return {
    file: 'pkg-1.1/pkg/util.py',
    old_file: 'pkg-1.0/pkg/util.py',
    status: 'changed',
    runs_at: 'import',
    binary: false,
    lines_added: 1,
    lines_removed: 0,
    hunks: [],
    hunks_total: 0,
    ...overrides,
  };
}

function makeDiff(overrides: Partial<Diff> = {}): Diff {
  return {
    baseline: { kind: 'previous', purl: 'pkg:pypi/pkg@1.0', version: '1.0', file: '', reason: 'the release before it' },
    summary: { added: 1, removed: 0, changed: 2, unchanged: 40, load_time_hunks: 1 },
    files: [
      change({
        file: 'pkg-1.1/README.md',
        old_file: 'pkg-1.0/README.md',
        runs_at: '',
        hunks: [{ start: 3, end: 3, runs_at: '', lines: ['More docs.'], removed: 1 }],
        hunks_total: 1,
      }),
      change({
        hunks: [
          { start: 40, end: 41, runs_at: '', lines: ['def later():', '    return 2'], removed: 0 },
          { start: 2, end: 3, runs_at: 'import', lines: ['import base64', 'exec(base64.b64decode(X))'], removed: 0 },
        ],
        hunks_total: 2,
        lines_added: 4,
      }),
      change({ file: 'pkg-1.1/pkg/_native.so', old_file: '', status: 'added', runs_at: '', binary: true }),
    ],
    install_hooks: [],
    entry_points: [],
    dependencies: [{ name: 'reqeusts', spec: 'reqeusts>=2', typosquat_of: 'requests', url: false }],
    import_names: [],
    endpoints: [{ value: 'http://example.invalid/p', file: 'pkg-1.1/pkg/util.py', line: 3, runs_at: 'import' }],
    blobs: [],
    binaries: ['pkg-1.1/pkg/_native.so'],
    provenance: { attested: false, baseline_attested: true, earlier_attested: ['1.0'], publisher: '', baseline_publisher: '' },
    plain_score: 5.4,
    raised_rules: ['PY-EXEC-DECODED'],
    new_verdict: 'malicious',
    new_score: 9.0,
    artifacts: 1,
    ...overrides,
  };
}

describe('DiffView', () => {
  it('puts install/import-time changes first, open, with the added lines highlighted and numbered', () => {
    const report = makeReport(0, { score: 9.0, diff: makeDiff() });
    render(<ReportView report={report} jobId={null} />);
    const section = screen.getByRole('region', { name: 'What changed' });
    expect(within(section).getByText('pkg:pypi/pkg@1.0')).toBeTruthy();
    expect(screen.getByTestId('diff-counts').textContent).toMatch(
      /1 added, 2 changed, 0 removed, 40 unchanged files; 1 added hunks run at install or import\. New install\/import-time code raised the score from 5\.4 to 9\.0\./,
    );
    const files = [...section.querySelectorAll('li.diff-file')].map((li) => li.getAttribute('data-file'));
    expect(files).toEqual(['pkg-1.1/pkg/util.py', 'pkg-1.1/pkg/_native.so', 'pkg-1.1/README.md']);
    const util = section.querySelector('li[data-file="pkg-1.1/pkg/util.py"] details') as HTMLDetailsElement;
    const readme = section.querySelector('li[data-file="pkg-1.1/README.md"] details') as HTMLDetailsElement;
    expect([util.open, readme.open]).toEqual([true, false]);
    // the import-time hunk comes before the later one, though it is further down the list
    const hunks = [...util.querySelectorAll('pre.hunk-lines')].map((pre) => pre.getAttribute('aria-label'));
    expect(hunks).toEqual(['Added at pkg-1.1/pkg/util.py:2', 'Added at pkg-1.1/pkg/util.py:40']);
    const added = [...util.querySelectorAll('.hunk-load .diff-add')].map((line) => line.textContent);
    expect(added).toEqual(['2import base64\n', '3exec(base64.b64decode(X))\n']);
    expect(within(section).getByText(/reqeusts reqeusts>=2 — one edit from requests/)).toBeTruthy();
    expect(within(section).getByText(/earlier releases had it: 1\.0/)).toBeTruthy();
    expect(within(section).getByText('40 unchanged files')).toBeTruthy();
  });

  it('shows added code as text, never as HTML', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const diff = makeDiff({
      files: [change({ hunks: [{ start: 1, end: 1, runs_at: '', lines: [hostile], removed: 0 }], hunks_total: 1, runs_at: '' })],
    });
    render(<ReportView report={makeReport(0, { diff })} jobId={null} />);
    const item = document.querySelector('li.diff-file') as HTMLElement;
    await userEvent.click(within(item).getByText('pkg-1.1/pkg/util.py'));
    expect(item.querySelector('img')).toBeNull();
    expect(item.querySelector('.diff-add')?.textContent).toBe(`1${hostile}\n`);
  });

  it('marks findings in added code as new, and shows no diff without a baseline', () => {
    const findings = [makeFinding({ baseline: 'new', title: 'Added payload' }), makeFinding({ baseline: 'unchanged', title: 'Old code' })];
    render(<ReportView report={{ ...makeReport(0), findings }} jobId={null} />);
    // the findings list (the heaviest finding is also shown first, under "Read this first")
    const fresh = screen.getAllByText('Added payload').at(-1)?.closest('li') as HTMLElement;
    const old = screen.getAllByText('Old code').at(-1)?.closest('li') as HTMLElement;
    expect(within(fresh).getByText('new').getAttribute('title')).toMatch(/not in the baseline/);
    expect(within(old).queryByText('new')).toBeNull();
    expect(screen.queryByRole('region', { name: 'What changed' })).toBeNull();
  });

  it('orders install before import before the rest', () => {
    const install = change({ file: 'b/setup.py', hunks: [{ start: 1, end: 1, runs_at: 'install', lines: ['x'], removed: 0 }] });
    const load = change({ file: 'a/mod.py', hunks: [{ start: 1, end: 1, runs_at: 'import', lines: ['x'], removed: 0 }] });
    const removed = change({ file: '', old_file: 'a/gone.py', status: 'removed' });
    expect(orderChanges([removed, load, install]).map((c) => c.file || c.old_file)).toEqual(['b/setup.py', 'a/mod.py', 'a/gone.py']);
  });
});
