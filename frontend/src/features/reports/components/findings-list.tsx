import { useDeferredValue, useId, useMemo, useState } from 'react';
import { type Finding, type FindingGroup, type Severity, filterFindings, groupFindings } from '../../../domain/report';
import { FindingItem } from './finding-item';

/** Findings rendered per open group, a step at a time: 5,000 findings cost what 50 do until asked for. */
export const FINDINGS_STEP = 50;

export function FindingsList({ findings, artifacts = new Map() }: { findings: readonly Finding[]; artifacts?: ReadonlyMap<string, string> }) {
  const filterId = useId();
  const [query, setQuery] = useState('');
  // Typing stays responsive while thousands of findings are filtered behind it.
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => filterFindings(findings, deferred), [findings, deferred]);
  const groups = useMemo(() => groupFindings(shown), [shown]);
  if (findings.length === 0) return <p className="muted">No findings.</p>;
  // Critical and high start open; otherwise the most severe group does.
  const openAtStart = (group: FindingGroup, index: number) => index === 0 || group.severity === 'critical' || group.severity === 'high';
  return (
    <div className="findings">
      {findings.length > 1 && (
        <div className="field findings-filter">
          <label htmlFor={filterId}>Filter findings</label>
          <input
            id={filterId}
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="rule, file, category or code"
            spellCheck={false}
            autoComplete="off"
          />
          <p className="hint" role="status">
            {deferred.trim() === ''
              ? ''
              : `${shown.length.toLocaleString('en-US')} of ${findings.length.toLocaleString('en-US')} findings match.`}
          </p>
        </div>
      )}
      {groups.map((group, index) => (
        <SeverityGroup
          // A new filter starts each group afresh (open state and how many are shown).
          key={`${group.severity}:${deferred}`}
          severity={group.severity}
          findings={group.findings}
          artifacts={artifacts}
          initiallyOpen={openAtStart(group, index)}
        />
      ))}
    </div>
  );
}

function SeverityGroup(props: { severity: Severity; findings: Finding[]; artifacts: ReadonlyMap<string, string>; initiallyOpen: boolean }) {
  const { severity, findings, artifacts } = props;
  const [open, setOpen] = useState(props.initiallyOpen);
  const [shown, setShown] = useState(FINDINGS_STEP);
  const listId = useId();
  const visible = findings.slice(0, shown);
  const left = findings.length - visible.length;
  return (
    <section className={`severity-group severity-${severity}`} data-severity={severity}>
      <h4>
        <button type="button" className="group-toggle" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
          <span className={`sev sev-${severity}`}>{severity}</span> {findings.length.toLocaleString('en-US')}{' '}
          {findings.length === 1 ? 'finding' : 'findings'}
        </button>
      </h4>
      {open && (
        <div id={listId}>
          <ol className="finding-list">
            {visible.map((finding, index) => (
              <FindingItem
                key={`${finding.rule}:${finding.file}:${finding.line ?? ''}:${index}`}
                finding={finding}
                artifact={artifacts.get(finding.artifact)}
              />
            ))}
          </ol>
          {left > 0 && (
            <div className="more">
              <button type="button" onClick={() => setShown((count) => count + FINDINGS_STEP * 4)}>
                Show {Math.min(left, FINDINGS_STEP * 4).toLocaleString('en-US')} more ({left.toLocaleString('en-US')} not shown)
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
