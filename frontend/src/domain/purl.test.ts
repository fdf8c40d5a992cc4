import { describe, expect, it } from 'vitest';
import { packageFromFields, packageLabel, parsePurl } from './purl';

describe('parsePurl', () => {
  it('reads pypi and npm purls, scoped or not, with or without a version', () => {
    expect(parsePurl(' pkg:pypi/requests@2.32.3 ')).toEqual({
      ok: true,
      value: { ecosystem: 'pypi', namespace: null, name: 'requests', version: '2.32.3', purl: 'pkg:pypi/requests@2.32.3' },
    });
    expect(parsePurl('pkg:PyPI/Typing_Extensions')).toEqual({
      ok: true,
      value: { ecosystem: 'pypi', namespace: null, name: 'typing-extensions', version: null, purl: 'pkg:pypi/typing-extensions' },
    });
    const scoped = { ecosystem: 'npm', namespace: '@babel', name: 'core', version: '7.24.0', purl: 'pkg:npm/%40babel/core@7.24.0' };
    expect(parsePurl('pkg:npm/%40babel/core@7.24.0')).toEqual({ ok: true, value: scoped });
    expect(parsePurl('pkg:npm/@babel/core@7.24.0')).toEqual({ ok: true, value: scoped });
    expect(parsePurl('pkg:npm/left-pad')).toMatchObject({ ok: true, value: { name: 'left-pad', version: null } });
    expect(parsePurl('pkg:npm/pkg@1.0.0-beta.1+build.5')).toMatchObject({
      ok: true,
      value: { version: '1.0.0-beta.1+build.5', purl: 'pkg:npm/pkg@1.0.0-beta.1%2Bbuild.5' },
    });
  });

  it('says what is wrong with a bad purl', () => {
    const error = (text: string) => {
      const parsed = parsePurl(text);
      return parsed.ok ? null : parsed.error;
    };
    expect(error('')).toBe('Enter a package URL, e.g. pkg:pypi/requests@2.32.3.');
    expect(error('requests==2.0')).toBe('A package URL starts with "pkg:", e.g. pkg:pypi/requests@2.32.3.');
    expect(error('pkg:maven/org.apache/commons@1')).toBe('Only pypi and npm packages can be analysed, not "maven".');
    expect(error('pkg:pypi/')).toBe('Name the package after the ecosystem, e.g. pkg:pypi/requests@2.32.3.');
    expect(error('pkg:pypi/requests@')).toBe('Nothing follows "@": add the version, or leave "@" out for the latest.');
    expect(error('pkg:pypi/requests@>=2')).toBe('">=2" is not a version: use an exact version such as 1.2.3, not a range.');
    expect(error('pkg:pypi/-bad-')).toMatch(/^A PyPI name has letters/);
    expect(error('pkg:pypi/org/requests')).toMatch(/^PyPI names have no scope/);
    expect(error('pkg:npm/a/b/c')).toMatch(/^Too many "\/"/);
    expect(error('pkg:npm/_private')).toMatch(/^An npm name has letters/);
    expect(error('pkg:npm/%E0%A4%A@1')).toBe('The package URL has a broken %-escape.');
    expect(error('pkg:npm/x?arch=1')).toMatch(/^Qualifiers/);
    expect(error('pkg:npm/x @1')).toBe('A package URL has no spaces.');
    expect(error(`pkg:npm/${'a'.repeat(215)}`)).toBe('An npm name has at most 214 characters.');
  });
});

describe('packageFromFields', () => {
  it('builds the canonical purl from ecosystem, name and version', () => {
    expect(packageFromFields({ ecosystem: 'npm', name: '@types/node', version: '20.1.0' })).toMatchObject({
      ok: true,
      value: { namespace: '@types', name: 'node', purl: 'pkg:npm/%40types/node@20.1.0' },
    });
    expect(packageFromFields({ ecosystem: 'pypi', name: 'Django', version: '' })).toMatchObject({
      ok: true,
      value: { purl: 'pkg:pypi/django', version: null },
    });
  });

  it('refuses what the registries would not have', () => {
    expect(packageFromFields({ ecosystem: 'cargo', name: 'serde', version: '' })).toEqual({ ok: false, error: 'Choose pypi or npm.' });
    expect(packageFromFields({ ecosystem: 'npm', name: ' ', version: '' })).toEqual({ ok: false, error: 'Enter the package name.' });
    expect(packageFromFields({ ecosystem: 'npm', name: '@scope', version: '' })).toEqual({
      ok: false,
      error: 'A scoped npm name is written @scope/name.',
    });
    expect(packageFromFields({ ecosystem: 'pypi', name: 'requests', version: '^2' })).toMatchObject({ ok: false });
  });
});

describe('packageLabel', () => {
  it('reads name@version', () => {
    expect(packageLabel({ namespace: '@babel', name: 'core', version: '7.0.0' })).toBe('@babel/core@7.0.0');
    expect(packageLabel({ name: 'requests', version: null })).toBe('requests (latest)');
  });
});
