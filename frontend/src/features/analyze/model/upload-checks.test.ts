import { describe, expect, it } from 'vitest';
import { checkArchive, checkLockfile, guessEcosystem } from './upload-checks';

const MB = 1024 * 1024;

describe('checkArchive', () => {
  it('passes package archives within the limit', () => {
    for (const name of ['evil-1.0.tar.gz', 'evil-1.0-py3-none-any.whl', 'evil.zip', 'evil-1.0.0.tgz', 'OLD-0.1.tar.bz2']) {
      expect(checkArchive({ name, size: 1234 })).toBeNull();
    }
  });

  it('stops an oversized, empty or unknown file before sending, in a sentence that names it', () => {
    expect(checkArchive({ name: 'big.tgz', size: 61.2 * MB })).toBe('big.tgz is 61.2 MB; the upload limit is 50 MB. Nothing was sent.');
    expect(checkArchive({ name: 'a.whl', size: 2049 }, 2048)).toBe('a.whl is 2,049 bytes; the upload limit is 2,048 bytes. Nothing was sent.');
    expect(checkArchive({ name: 'empty.tgz', size: 0 })).toBe('empty.tgz is empty.');
    expect(checkArchive({ name: 'setup.py', size: 10 })).toMatch(/^setup\.py is not a package archive/);
  });
});

describe('guessEcosystem', () => {
  it('reads the ecosystem from the archive type where it is unambiguous', () => {
    expect(guessEcosystem('x-1.0.0.TGZ')).toBe('npm');
    expect(guessEcosystem('x-1.0-py3-none-any.whl')).toBe('pypi');
    expect(guessEcosystem('x-1.0.tar.gz')).toBeNull();
  });
});

describe('checkLockfile', () => {
  it('accepts the six formats and requirements and pylock variants', () => {
    const names = ['requirements.txt', 'requirements-dev.txt', 'poetry.lock', 'uv.lock', 'package-lock.json', 'pnpm-lock.yaml'];
    for (const name of [...names, 'pylock.toml', 'pylock.dev.toml', 'PYLOCK.TOML']) {
      expect(checkLockfile({ name, size: 10 })).toBeNull();
    }
    expect(checkLockfile({ name: 'pyproject.toml', size: 10 })).toMatch(/^pyproject\.toml is not a lock file/);
    expect(checkLockfile({ name: 'pylock..toml', size: 10 })).toMatch(/is not a lock file/);
  });

  it('names the formats it reads when given another file', () => {
    expect(checkLockfile({ name: 'yarn.lock', size: 10 })).toBe(
      'yarn.lock is not a lock file this can read: choose requirements.txt, poetry.lock, uv.lock, pylock.toml, package-lock.json, pnpm-lock.yaml.',
    );
    expect(checkLockfile({ name: 'uv.lock', size: 0 })).toBe('uv.lock is empty.');
  });
});

