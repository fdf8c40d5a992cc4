import { memo } from 'react';
import { CHAIN_ROLE_MEANING, type ChainStep, type Finding, REACHABILITY_MEANING, location, snippetParts } from '../../../domain/report';

/** Code as text: long lines cut, invisible and bidi characters shown as code points, never HTML. */
function Code({ text, label, className = 'snippet' }: { text: string; label: string; className?: string }) {
  return (
    <pre className={className} aria-label={label}>
      {snippetParts(text).map((part, index) =>
        part.control ? (
          <mark key={index} className="control-char" title="invisible or control character">
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </pre>
  );
}

/** The data flow a finding rests on, drawn as numbered steps: source → transform → sink. */
function Chain({ steps }: { steps: readonly ChainStep[] }) {
  return (
    <div className="chain">
      <p className="chain-title">Data flow</p>
      <ol className="chain-steps" aria-label="Data flow, source to sink">
        {steps.map((step, index) => (
          <li key={index} className={`chain-step chain-${step.role}`} data-role={step.role}>
            <span className="chain-role" title={CHAIN_ROLE_MEANING[step.role]}>
              {step.role}
            </span>
            <span className="mono file">{location(step)}</span>
            <Code text={step.text} label={`${step.role} at ${location(step)}`} className="snippet chain-code" />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The decoded payload beside the literal it came from, folded until asked for. */
function Decoded({ text, at }: { text: string; at: string }) {
  const lines = text.split('\n').length;
  return (
    <details className="decoded">
      <summary>
        Decoded payload <span className="muted">({lines.toLocaleString('en-US')} {lines === 1 ? 'line' : 'lines'}, {text.length.toLocaleString('en-US')} characters)</span>
      </summary>
      <Code text={text} label={`Decoded payload of the literal at ${at}`} />
    </details>
  );
}

/** One finding: what matched, where (and in which artifact), why it matters, the code, its flow and decoded payload — always as text. */
export const FindingItem = memo(function FindingItem({ finding, artifact }: { finding: Finding; artifact?: string }) {
  const at = location(finding);
  return (
    <li className="finding" data-rule={finding.rule}>
      <div className="finding-head">
        <h5>
          {finding.title}
          {finding.count > 1 && (
            <span className="repeat" title={`The same finding ${finding.count} times; the first is shown`}>
              {' '}
              ×{finding.count.toLocaleString('en-US')}
            </span>
          )}
        </h5>
        <span className="mono rule-id">{finding.rule}</span>
      </div>
      <p className="finding-where">
        <span className="mono file">{at}</span>
        <span className={`reach reach-${finding.reachability}`} title={REACHABILITY_MEANING[finding.reachability]}>
          {finding.reachability}
        </span>
        <span className="muted">{finding.category}</span>
        {artifact && <span className="artifact-label mono">in {artifact}</span>}
        {finding.baseline === 'new' && (
          <span className="baseline-new" title="not in the baseline release: added in this version">
            new
          </span>
        )}
      </p>
      <p className="finding-why">{finding.explanation}</p>
      {finding.snippet && <Code text={finding.snippet} label={`Code at ${at}`} />}
      {finding.decoded && <Decoded text={finding.decoded} at={at} />}
      {finding.chain.length > 0 && <Chain steps={finding.chain} />}
    </li>
  );
});
