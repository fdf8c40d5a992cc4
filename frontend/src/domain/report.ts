import type { AnalysisSummary, Finding, Job, Report } from '../lib/api-types';
import { HIDDEN_CHAR, codePointLabel, visibleText } from '../lib/visible-text';

export type { AnalysisSummary, Finding, Report } from '../lib/api-types';
export type Verdict = Report['verdict'];
export type Severity = Finding['severity'];
export type Reachability = Finding['reachability'];
export type ChainStep = Finding['chain'][number];
export type Artifact = Report['artifacts'][number];

export const VERDICTS: readonly Verdict[] = ['malicious', 'suspicious', 'clean'];
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** What each verdict tells the reader to do. */
export const VERDICT_MEANING: Record<Verdict, string> = {
  malicious: 'Code in this package acts against whoever installs or uses it. Do not install it.',
  suspicious: 'Some code needs a person to look at it before this version is trusted.',
  clean: 'No rule found anything that needs a look. This is evidence, not a guarantee.',
};

/** What a report's provenance vouches for (docs/security.md "Provenance"). */
export const PROVENANCE_MEANING: Record<Report['provenance']['source'], string> = {
  registry: 'Fetched through the configured registry; every file matched the hash the registry publishes.',
  upload:
    'Uploaded to this service. The package name and version are what the archive claims; nothing vouches for them, ' +
    'so this is not necessarily what the registry serves under that name.',
};

/**
 * What the verdict tells the reader, in agreement with the evidence below it: a clean
 * report that still lists findings says they stayed under the threshold, and which to read.
 */
export function verdictMeaning(report: Pick<Report, 'verdict' | 'by_severity' | 'findings'>): string {
  if (report.verdict !== 'clean' || report.findings.length === 0) return VERDICT_MEANING[report.verdict];
  const worth = (['critical', 'high', 'medium'] as const).filter((s) => report.by_severity[s] > 0);
  const listed = worth.map((s) => `${report.by_severity[s].toLocaleString('en-US')} ${s}`).join(', ');
  if (worth.length === 0) {
    return 'Clean: only low-severity findings, listed below, which together stay under the suspicious threshold. This is evidence, not a guarantee.';
  }
  return (
    `Clean by score, but not without findings: ${listed} finding${report.findings.length === 1 ? '' : 's'} below ` +
    `stayed under the suspicious threshold. Read them before trusting this version.`
  );
}

/** Where the code runs, most dangerous first: install-time code runs on `pip install`/`npm install`. */
export const REACHABILITY_MEANING: Record<Reachability, string> = {
  install: 'runs when the package is installed',
  import: 'runs when the package is imported or required',
  runtime: 'runs when a function of the package is called',
  metadata: 'in the package metadata',
  test: 'in test code, not normally run by users',
  docs: 'in documentation or examples',
};
const REACHABILITY_ORDER: readonly Reachability[] = ['install', 'import', 'runtime', 'metadata', 'test', 'docs'];

/** The weights of the api's scoring (scoring.py): a finding weighs severity × where its code runs. */
const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 0.9, high: 0.6, medium: 0.3, low: 0.1 };
const REACH_WEIGHT: Record<Reachability, number> = { install: 1, import: 1, metadata: 1, runtime: 0.6, test: 0.5, docs: 0.3 };

export function findingWeight(finding: Pick<Finding, 'severity' | 'reachability'>): number {
  return (SEVERITY_WEIGHT[finding.severity] ?? 0) * (REACH_WEIGHT[finding.reachability] ?? 0.6);
}

const hasEvidence = (f: Finding) => f.chain.length > 0 || f.decoded !== '';

/** The finding to read first: the heaviest (severity × reachability), one with its data flow or decoded payload on a tie. */
export function topFinding(findings: readonly Finding[]): Finding | null {
  let best: Finding | null = null;
  for (const f of findings) {
    if (best === null) best = f;
    else {
      const diff = findingWeight(f) - findingWeight(best);
      if (diff > 1e-9 || (Math.abs(diff) <= 1e-9 && hasEvidence(f) && !hasEvidence(best))) best = f;
    }
  }
  return best;
}

/** "sdist", "wheel", "npm tarball" or "directory" (a folder, named with a trailing slash), from
 * an artifact's file name (as the api's present.py). */
export function artifactKind(filename: string): string {
  const name = filename.toLowerCase();
  if (name.endsWith('/')) return 'directory';
  if (name.endsWith('.whl')) return 'wheel';
  if (name.endsWith('.tgz')) return 'npm tarball';
  if (name.endsWith('.egg')) return 'egg';
  return 'sdist';
}

/** Artifact sha256 → "wheel demo-1.0-py3-none-any.whl". */
export function artifactLabels(artifacts: readonly Artifact[]): ReadonlyMap<string, string> {
  return new Map(artifacts.map((a) => [a.sha256, `${artifactKind(a.filename)} ${a.filename}`]));
}

export const SCORE_MAX = 10;

/** The verdict thresholds of the api's scoring (docs/detection.md, scoring.py). */
export const MALICIOUS_FROM = 7;
export const SUSPICIOUS_FROM = 4;

/** What the score measures, for the reader of a report (the mapping scoring.py documents). */
export function scoreMeaning(score: number): string {
  return (
    `Score ${formatScore(score)} of ${SCORE_MAX}: each rule's strongest finding, weighted by severity and by where ` +
    `the code runs (install and import count fully, tests and docs less), combined as independent signals. ` +
    `${MALICIOUS_FROM}.0 and above is malicious, ${SUSPICIOUS_FROM}.0 and above suspicious.`
  );
}

export function formatScore(score: number): string {
  return (Math.round(score * 10) / 10).toFixed(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The analysis summary in a job's result, or null when the job has none (yet, or not an analyze job). */
export function analysisSummary(job: Pick<Job, 'result'>): AnalysisSummary | null {
  const result: unknown = job.result;
  if (!isRecord(result)) return null;
  if (!(VERDICTS as readonly unknown[]).includes(result.verdict) || typeof result.score !== 'number') return null;
  if (!isRecord(result.package) || typeof result.package.name !== 'string') return null;
  return result as unknown as AnalysisSummary;
}

/** The package a job analyses, from its result once finished or from its params before. */
export function jobPackage(job: Pick<Job, 'task' | 'params' | 'result'>): string | null {
  const summary = analysisSummary(job);
  if (summary) {
    const { name, version } = summary.package;
    return visibleText(version ? `${name}@${version}` : name);
  }
  const params: unknown = job.params;
  if (isRecord(params) && typeof params.purl === 'string') return visibleText(params.purl);
  if (isRecord(params) && typeof params.filename === 'string') return visibleText(params.filename);
  return null;
}

/** The job id a report belongs to: its `job`, else read from its `report` link (`/jobs/{id}/report`). */
export function reportJobId(report: { job?: string; report?: string }): string | null {
  if (report.job) return report.job;
  const match = /\/jobs\/([^/]+)\/report$/.exec(report.report ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export interface FindingGroup {
  severity: Severity;
  findings: Finding[];
}

/** Findings by severity (critical first), install-time code first within a severity, then by file and line. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const rank = (f: Finding) => {
    const index = REACHABILITY_ORDER.indexOf(f.reachability);
    return index < 0 ? REACHABILITY_ORDER.length : index;
  };
  const groups = new Map<Severity, Finding[]>();
  for (const finding of findings) {
    const severity = (SEVERITIES as readonly string[]).includes(finding.severity) ? finding.severity : 'low';
    const list = groups.get(severity) ?? [];
    list.push(finding);
    groups.set(severity, list);
  }
  return SEVERITIES.flatMap((severity) => {
    const list = groups.get(severity);
    if (!list) return [];
    const evidence = (f: Finding) => (hasEvidence(f) ? 0 : 1);
    list.sort(
      (a, b) => rank(a) - rank(b) || evidence(a) - evidence(b) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
    );
    return [{ severity, findings: list }];
  });
}

/**
 * "setup.py:12", "setup.py:12-15" for a multi-line construct, or the file alone when the finding has no line;
 * hidden characters in the path are shown as code points.
 */
export function location(finding: Pick<Finding, 'file' | 'line'> & { end_line?: number | null }): string {
  const file = visibleText(finding.file);
  if (!finding.line) return file;
  const end = finding.end_line && finding.end_line > finding.line ? `-${finding.end_line}` : '';
  return `${file}:${finding.line}${end}`;
}

/** What each step of a data flow is, for the reader. */
export const CHAIN_ROLE_MEANING: Record<ChainStep['role'], string> = {
  source: 'where the data comes from',
  transform: 'what it passes through (a decoder, a join…)',
  sink: 'where it ends: what runs or sends it',
};

export interface SnippetPart {
  text: string;
  /** A control or invisible character, shown as its code point so it cannot hide or reorder code. */
  control: boolean;
}

/**
 * A snippet as text parts: lines longer than `maxLine` are cut (the reader sees how much),
 * and characters that could hide code (Trojan Source) are made visible.
 */
export function snippetParts(snippet: string, maxLine = 240): SnippetPart[] {
  const lines = snippet.replace(/\r\n?/g, '\n').split('\n');
  const parts: SnippetPart[] = [];
  lines.forEach((line, index) => {
    const cut = line.length > maxLine;
    const shown = cut ? line.slice(0, maxLine) : line;
    let plain = '';
    for (const char of shown) {
      if (HIDDEN_CHAR.test(char)) {
        if (plain) parts.push({ text: plain, control: false });
        plain = '';
        parts.push({ text: codePointLabel(char), control: true });
      } else plain += char;
    }
    if (cut) plain += ` … (${line.length - maxLine} more characters)`;
    if (index < lines.length - 1) plain += '\n';
    if (plain) parts.push({ text: plain, control: false });
  });
  return parts;
}

/** Findings whose rule id, title, category, file or snippet contain `query` (case-insensitive); all when empty. */
export function filterFindings(findings: readonly Finding[], query: string): readonly Finding[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return findings;
  return findings.filter((f) =>
    [f.rule, f.title, f.category, f.file, f.snippet, f.reachability, f.decoded].some((text) => text.toLowerCase().includes(needle)),
  );
}
