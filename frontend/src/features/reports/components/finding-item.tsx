import { memo } from 'react';
import { type Finding, REACHABILITY_MEANING, location, snippetParts } from '../model/report';

/** One finding: what matched, where, why it matters, and the code — always as text. */
export const FindingItem = memo(function FindingItem({ finding }: { finding: Finding }) {
  return (
    <li className="finding" data-rule={finding.rule}>
      <div className="finding-head">
        <h5>{finding.title}</h5>
        <span className="mono rule-id">{finding.rule}</span>
      </div>
      <p className="finding-where">
        <span className="mono file">{location(finding)}</span>
        <span className={`reach reach-${finding.reachability}`} title={REACHABILITY_MEANING[finding.reachability]}>
          {finding.reachability}
        </span>
        <span className="muted">{finding.category}</span>
        {finding.baseline === 'new' && (
          <span className="baseline-new" title="not in the baseline release: added in this version">
            new
          </span>
        )}
      </p>
      <p className="finding-why">{finding.explanation}</p>
      {finding.snippet && (
        <pre className="snippet" aria-label={`Code at ${location(finding)}`}>
          {snippetParts(finding.snippet).map((part, index) =>
            part.control ? (
              <mark key={index} className="control-char" title="invisible or control character">
                {part.text}
              </mark>
            ) : (
              part.text
            ),
          )}
        </pre>
      )}
    </li>
  );
});
