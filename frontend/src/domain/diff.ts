import type { components } from '../lib/api-schema';

type Schemas = components['schemas'];
export type Diff = Schemas['DiffOut'];
export type FileChange = Schemas['FileChangeOut'];
export type Hunk = Schemas['HunkOut'];
export type RunsAt = Hunk['runs_at'];

/** What a comparison kind means, for the reader. */
export const BASELINE_KIND: Record<Diff['baseline']['kind'], string> = {
  previous: 'the release before it',
  version: 'the version asked for',
  path: 'the archive given as baseline',
  copy: 'the original it copies',
};

export const RUNS_AT_MEANING: Record<Exclude<RunsAt, ''>, string> = {
  install: 'runs when the package is installed',
  import: 'runs when the package is imported or required',
};

/** A file change runs at install/import when any of its hunks does. */
export function loadTime(change: FileChange): boolean {
  return change.hunks.some((h) => h.runs_at !== '');
}

/**
 * Changed files in reading order: those with install/import-time hunks first (install before
 * import), then the other changes, added before changed before removed; by path within each.
 */
export function orderChanges(files: readonly FileChange[]): FileChange[] {
  const statusRank = { added: 0, changed: 1, removed: 2 } as const;
  const reachRank = (c: FileChange) => (c.hunks.some((h) => h.runs_at === 'install') ? 0 : loadTime(c) ? 1 : 2);
  return [...files].sort(
    (a, b) =>
      reachRank(a) - reachRank(b) ||
      statusRank[a.status] - statusRank[b.status] ||
      (a.file || a.old_file).localeCompare(b.file || b.old_file),
  );
}

/** Hunks of one file, the install/import-time ones first, then by line. */
export function orderHunks(hunks: readonly Hunk[]): Hunk[] {
  return [...hunks].sort((a, b) => Number(a.runs_at === '') - Number(b.runs_at === '') || a.start - b.start);
}

/** "+12 −3" for a file change. */
export function changeSize(change: Pick<FileChange, 'lines_added' | 'lines_removed'>): string {
  return `+${change.lines_added.toLocaleString('en-US')} −${change.lines_removed.toLocaleString('en-US')}`;
}
