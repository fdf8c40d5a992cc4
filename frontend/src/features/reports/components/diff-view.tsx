import { memo } from 'react';
import {
  BASELINE_KIND,
  type Diff,
  type FileChange,
  type Hunk,
  RUNS_AT_MEANING,
  changeSize,
  loadTime,
  orderChanges,
  orderHunks,
} from '../../../domain/diff';
import { formatScore, snippetParts } from '../../../domain/report';

/** What changed since the baseline: install/import-time hunks first, added lines highlighted. */
export function DiffView({ diff, score }: { diff: Diff; score: number }) {
  const { baseline, summary } = diff;
  const files = orderChanges(diff.files);
  const against = baseline.purl || baseline.file;
  return (
    <section className="diff" aria-labelledby="diff-title">
      <h3 id="diff-title">What changed</h3>
      <p className="diff-against">
        Compared with <span className="mono wrap">{against}</span>, {BASELINE_KIND[baseline.kind]}
        {baseline.reason && baseline.kind === 'copy' ? ` (${baseline.reason})` : ''}.
      </p>
      <p className="muted diff-counts" data-testid="diff-counts">
        {summary.added.toLocaleString('en-US')} added, {summary.changed.toLocaleString('en-US')} changed,{' '}
        {summary.removed.toLocaleString('en-US')} removed, {summary.unchanged.toLocaleString('en-US')} unchanged files;{' '}
        {summary.load_time_hunks.toLocaleString('en-US')} added hunks run at install or import.
        {diffScoreNote(diff, score)}
      </p>
      <Facts diff={diff} />
      {files.length > 0 && (
        <ul className="diff-files">
          {files.map((change) => (
            <FileDiff key={`${change.status}:${change.file || change.old_file}`} change={change} />
          ))}
        </ul>
      )}
      {summary.unchanged > 0 && (
        <details className="diff-unchanged">
          <summary>{summary.unchanged.toLocaleString('en-US')} unchanged files</summary>
          <p className="muted">Byte for byte the same as in the baseline: nothing to read there.</p>
        </details>
      )}
    </section>
  );
}

/** The declared differences: hooks, entry points, dependencies, endpoints, blobs, binaries, provenance. */
function Facts({ diff }: { diff: Diff }) {
  const items: { key: string; label: string; text: string; alert: boolean }[] = [];
  for (const h of diff.install_hooks)
    items.push({ key: `h:${h.hook}`, label: 'install hook', text: `${h.hook}: ${h.after}${h.before ? ` (was ${h.before})` : ' (new)'}`, alert: true });
  for (const e of diff.entry_points)
    items.push({ key: `e:${e.name}`, label: 'entry point', text: `${e.name}: ${e.after || '(removed)'}${e.before ? ` (was ${e.before})` : ''}`, alert: false });
  for (const d of diff.dependencies) {
    const flags = [d.typosquat_of && `one edit from ${d.typosquat_of}`, d.url && 'fetched from a URL'].filter(Boolean);
    items.push({ key: `d:${d.name}`, label: 'new dependency', text: `${d.name} ${d.spec}${flags.length ? ` — ${flags.join(', ')}` : ''}`, alert: flags.length > 0 });
  }
  for (const e of diff.endpoints)
    items.push({ key: `n:${e.value}`, label: 'new endpoint', text: `${e.value} (${e.file}:${e.line})`, alert: e.runs_at !== '' });
  for (const b of diff.blobs)
    items.push({ key: `b:${b.file}:${b.line}`, label: 'encoded blob', text: `${b.length.toLocaleString('en-US')} characters at ${b.file}:${b.line}`, alert: b.runs_at !== '' });
  for (const name of diff.binaries) items.push({ key: `x:${name}`, label: 'binary added', text: name, alert: true });
  const p = diff.provenance;
  const attestedBefore = p.earlier_attested ?? [];
  if (!p.attested && attestedBefore.length > 0)
    items.push({ key: 'p', label: 'provenance lost', text: `earlier releases had it: ${attestedBefore.join(', ')}`, alert: true });
  if (p.publisher && p.baseline_publisher && p.publisher !== p.baseline_publisher)
    items.push({ key: 'u', label: 'publisher changed', text: `${p.baseline_publisher} → ${p.publisher}`, alert: true });
  if (items.length === 0) return null;
  return (
    <ul className="diff-facts">
      {items.map((item) => (
        <li key={item.key} className={item.alert ? 'diff-fact alert' : 'diff-fact'}>
          <span className="diff-fact-label">{item.label}</span> <span className="mono wrap">{item.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** One file: open when code added to it runs at install or import, collapsed otherwise. */
const FileDiff = memo(function FileDiff({ change }: { change: FileChange }) {
  const path = change.file || change.old_file;
  const hunks = orderHunks(change.hunks);
  const hidden = change.hunks_total - change.hunks.length;
  return (
    <li className={`diff-file diff-${change.status}`} data-file={path}>
      <details open={loadTime(change)}>
        <summary>
          <span className={`diff-status diff-status-${change.status}`}>{change.status}</span>{' '}
          <span className="mono wrap">{path}</span> <span className="muted">{change.binary ? 'binary' : changeSize(change)}</span>
          {loadTime(change) && <span className="reach reach-install"> runs at {hunks.some((h) => h.runs_at === 'install') ? 'install' : 'import'}</span>}
        </summary>
        {hunks.map((hunk) => (
          <HunkView key={hunk.start} hunk={hunk} path={path} />
        ))}
        {hidden > 0 && <p className="muted">{hidden.toLocaleString('en-US')} more hunks not shown (the report keeps the first ones).</p>}
        {hunks.length === 0 && !change.binary && change.status !== 'removed' && (
          <p className="muted">No added code that runs at install or import.</p>
        )}
      </details>
    </li>
  );
});

function HunkView({ hunk, path }: { hunk: Hunk; path: string }) {
  const more = hunk.end - hunk.start + 1 - hunk.lines.length;
  return (
    <div className={hunk.runs_at ? 'hunk hunk-load' : 'hunk'}>
      <p className="hunk-head mono">
        @@ {path}:{hunk.start}
        {hunk.end > hunk.start ? `–${hunk.end}` : ''} @@ {hunk.removed > 0 ? `replaces ${hunk.removed} lines` : 'added'}
        {hunk.runs_at && (
          <span className={`reach reach-${hunk.runs_at}`} title={RUNS_AT_MEANING[hunk.runs_at]}>
            {hunk.runs_at}
          </span>
        )}
      </p>
      <pre className="hunk-lines" aria-label={`Added at ${path}:${hunk.start}`}>
        {hunk.lines.map((line, i) => (
          <span key={i} className="diff-add">
            <span className="diff-lineno" aria-hidden="true">
              {hunk.start + i}
            </span>
            {snippetParts(line).map((part, j) =>
              part.control ? (
                <mark key={j} className="control-char" title="invisible or control character">
                  {part.text}
                </mark>
              ) : (
                part.text
              ),
            )}
            {'\n'}
          </span>
        ))}
      </pre>
      {more > 0 && <p className="muted">{more.toLocaleString('en-US')} more added lines in this hunk.</p>}
    </div>
  );
}

/** The score with and without weighing new install/import-time code more. */
export function diffScoreNote(diff: Diff, score: number): string {
  return score > diff.plain_score
    ? ` New install/import-time code raised the score from ${formatScore(diff.plain_score)} to ${formatScore(score)}.`
    : '';
}
