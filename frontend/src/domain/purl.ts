/**
 * Package URLs (purl, github.com/package-url/purl-spec) for the two ecosystems the
 * analyser reads: `pkg:pypi/name@version` and `pkg:npm/%40scope/name@version`.
 * Parsing here only catches typing mistakes early; the API validates again.
 */
export const ECOSYSTEMS = ['pypi', 'npm'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export interface PackageUrl {
  ecosystem: Ecosystem;
  /** `@scope` for scoped npm packages, else null. */
  namespace: string | null;
  name: string;
  /** null: the latest version, resolved by the analyser. */
  version: string | null;
  /** The canonical purl sent to the API. */
  purl: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const PYPI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const NPM_NAME = /^[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;
const NPM_SCOPE = /^@[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;
const NPM_MAX = 214;
const VERSION_MAX = 128;

export const PURL_EXAMPLE = 'pkg:pypi/requests@2.32.3';

export function isEcosystem(value: string): value is Ecosystem {
  return (ECOSYSTEMS as readonly string[]).includes(value);
}

function checkName(ecosystem: Ecosystem, namespace: string | null, name: string): string | null {
  if (name === '') return 'Enter the package name.';
  if (ecosystem === 'pypi') {
    if (namespace !== null) return 'PyPI names have no scope or namespace: enter just the name, e.g. requests.';
    if (!PYPI_NAME.test(name)) {
      return 'A PyPI name has letters, digits, ".", "-" and "_" only, and starts and ends with a letter or digit.';
    }
    return null;
  }
  if (namespace !== null && !NPM_SCOPE.test(namespace)) return `"${namespace}" is not an npm scope: write @scope/name.`;
  const full = namespace ? `${namespace}/${name}` : name;
  if (full.length > NPM_MAX) return `An npm name has at most ${NPM_MAX} characters.`;
  if (!NPM_NAME.test(name)) {
    return 'An npm name has letters, digits, "-", ".", "_" and "~" only, and does not start with "." or "_".';
  }
  return null;
}

function checkVersion(version: string): string | null {
  if (version.length > VERSION_MAX) return `A version has at most ${VERSION_MAX} characters.`;
  if (!VERSION.test(version)) return `"${version}" is not a version: use an exact version such as 1.2.3, not a range.`;
  return null;
}

function canonical(ecosystem: Ecosystem, namespace: string | null, name: string, version: string | null): PackageUrl {
  // purl-spec: PyPI names are lowercased with "_" as "-"; npm's "@" of a scope is percent-encoded.
  const finalName = ecosystem === 'pypi' ? name.toLowerCase().replace(/_/g, '-') : name;
  const path = namespace ? `${encodeURIComponent(namespace)}/${encodeURIComponent(finalName)}` : encodeURIComponent(finalName);
  const purl = `pkg:${ecosystem}/${path}${version ? `@${encodeURIComponent(version)}` : ''}`;
  return { ecosystem, namespace, name: finalName, version, purl };
}

/** A package from the form's fields: ecosystem, name (npm: `@scope/name` allowed) and an optional version. */
export function packageFromFields(fields: { ecosystem: string; name: string; version: string }): Parsed<PackageUrl> {
  if (!isEcosystem(fields.ecosystem)) return { ok: false, error: 'Choose pypi or npm.' };
  const ecosystem = fields.ecosystem;
  const full = fields.name.trim();
  let namespace: string | null = null;
  let name = full;
  if (ecosystem === 'npm' && full.startsWith('@')) {
    const slash = full.indexOf('/');
    if (slash < 0) return { ok: false, error: 'A scoped npm name is written @scope/name.' };
    namespace = full.slice(0, slash);
    name = full.slice(slash + 1);
  } else if (ecosystem === 'pypi' && full.includes('/')) {
    return { ok: false, error: 'PyPI names have no scope or namespace: enter just the name, e.g. requests.' };
  }
  const nameError = checkName(ecosystem, namespace, name);
  if (nameError) return { ok: false, error: nameError };
  const version = fields.version.trim();
  if (version !== '') {
    const versionError = checkVersion(version);
    if (versionError) return { ok: false, error: versionError };
  }
  return { ok: true, value: canonical(ecosystem, namespace, name, version === '' ? null : version) };
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Parses a pasted purl such as `pkg:npm/%40babel/core@7.24.0` (an unencoded `@scope` is accepted too). */
export function parsePurl(text: string): Parsed<PackageUrl> {
  const input = text.trim();
  if (input === '') return { ok: false, error: `Enter a package URL, e.g. ${PURL_EXAMPLE}.` };
  if (!/^pkg:/i.test(input)) return { ok: false, error: `A package URL starts with "pkg:", e.g. ${PURL_EXAMPLE}.` };
  if (/[?#]/.test(input)) return { ok: false, error: 'Qualifiers (?…) and subpaths (#…) are not supported: give type, name and version only.' };
  if (/\s/.test(input)) return { ok: false, error: 'A package URL has no spaces.' };
  const rest = input.slice(4).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const type = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  if (!isEcosystem(type)) {
    return { ok: false, error: type ? `Only pypi and npm packages can be analysed, not "${type}".` : `Name the ecosystem, e.g. ${PURL_EXAMPLE}.` };
  }
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  // The version follows the last "@" that is not the first character of a segment (a scope).
  const segments = path.split('/');
  const last = segments.pop() ?? '';
  const at = last.lastIndexOf('@');
  const hasVersion = at > 0 || (at === 0 && segments.length === 0 && last.indexOf('@', 1) > 0);
  const nameRaw = hasVersion ? last.slice(0, at) : last;
  const versionRaw = hasVersion ? last.slice(at + 1) : null;
  if (segments.length > 1) return { ok: false, error: 'Too many "/" in the package URL: write pkg:type/name or pkg:npm/%40scope/name.' };
  const namespace = segments.length === 1 ? decode(segments[0] ?? '') : null;
  const name = decode(nameRaw);
  const version = versionRaw === null ? null : decode(versionRaw);
  if (name === null || (segments.length === 1 && namespace === null) || (versionRaw !== null && version === null)) {
    return { ok: false, error: 'The package URL has a broken %-escape.' };
  }
  if (name === '') return { ok: false, error: `Name the package after the ecosystem, e.g. ${PURL_EXAMPLE}.` };
  const nameError = checkName(type, namespace, name);
  if (nameError) return { ok: false, error: nameError };
  if (version !== null) {
    if (version === '') return { ok: false, error: 'Nothing follows "@": add the version, or leave "@" out for the latest.' };
    const versionError = checkVersion(version);
    if (versionError) return { ok: false, error: versionError };
  }
  return { ok: true, value: canonical(type, namespace, name, version) };
}

/** "name@version" (or "@scope/name@version"); "name (latest)" before the version is known. */
export function packageLabel(pkg: { namespace?: string | null; name: string; version: string | null }): string {
  const name = pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name;
  return pkg.version ? `${name}@${pkg.version}` : `${name} (latest)`;
}
