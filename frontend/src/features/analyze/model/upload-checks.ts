import type { Ecosystem } from '../../../domain/purl';
import { formatBytes } from '../../../lib/format';

/**
 * The default of ANALYSIS_UPLOAD_MAX_BYTES (docs/design.md). The api does not publish its
 * configured limit, so a server set lower answers 413, and that answer is shown as is.
 */
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

const ARCHIVE_TYPES: readonly { suffix: string; ecosystem: Ecosystem | null }[] = [
  { suffix: '.tgz', ecosystem: 'npm' },
  { suffix: '.whl', ecosystem: 'pypi' },
  { suffix: '.tar.gz', ecosystem: null },
  { suffix: '.zip', ecosystem: 'pypi' },
  { suffix: '.tar.bz2', ecosystem: 'pypi' },
];
export const ARCHIVE_ACCEPT = ARCHIVE_TYPES.map((type) => type.suffix).join(',');

export const LOCKFILE_NAMES = ['requirements.txt', 'poetry.lock', 'uv.lock', 'pylock.toml', 'package-lock.json', 'pnpm-lock.yaml'] as const;
export const LOCKFILE_ACCEPT = '.txt,.lock,.toml,.json,.yaml,.yml';


function checkSize(file: { name: string; size: number }, maxBytes: number): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > maxBytes) {
    let size = formatBytes(file.size);
    let limit = formatBytes(maxBytes);
    if (size === limit) [size, limit] = [`${file.size.toLocaleString('en-US')} bytes`, `${maxBytes.toLocaleString('en-US')} bytes`];
    return `${file.name} is ${size}; the upload limit is ${limit}. Nothing was sent.`;
  }
  return null;
}

/** The ecosystem a file name suggests (`.tgz` is npm's, `.whl` PyPI's), or null when it could be either. */
export function guessEcosystem(filename: string): Ecosystem | null {
  const lower = filename.toLowerCase();
  return ARCHIVE_TYPES.find((type) => lower.endsWith(type.suffix))?.ecosystem ?? null;
}

/** Checked before anything is sent: a known archive type, not empty, within the limit. */
export function checkArchive(file: { name: string; size: number }, maxBytes: number = UPLOAD_MAX_BYTES): string | null {
  const lower = file.name.toLowerCase();
  if (!ARCHIVE_TYPES.some((type) => lower.endsWith(type.suffix))) {
    return `${file.name} is not a package archive: choose an sdist (.tar.gz, .zip), a wheel (.whl) or an npm .tgz.`;
  }
  return checkSize(file, maxBytes);
}

/** requirements*.txt or one of the lock files the api reads. */
export function checkLockfile(file: { name: string; size: number }, maxBytes: number = UPLOAD_MAX_BYTES): string | null {
  const base = file.name.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  const known =
    (LOCKFILE_NAMES as readonly string[]).includes(base) || /^requirements[\w.-]*\.txt$/.test(base) || /^pylock\.[\w-]+\.toml$/.test(base);
  if (!known) return `${file.name} is not a lock file this can read: choose ${LOCKFILE_NAMES.join(', ')}.`;
  return checkSize(file, maxBytes);
}
