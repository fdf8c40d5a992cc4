import type { Verdict } from '../domain/report';
import { formatScore } from '../domain/report';
import { UNANALYSED_LABEL } from '../domain/outcome';

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <span className={`badge verdict-${verdict}`}>{verdict}</span>;
}

/** Verdict and score together, as in the jobs table. */
export function VerdictScore({ verdict, score }: { verdict: Verdict; score: number }) {
  return (
    <span className="verdict-score">
      <VerdictBadge verdict={verdict} />{' '}
      <span className="score" title={`score ${formatScore(score)} of 10`}>
        {formatScore(score)}
      </span>
    </span>
  );
}

/** A failed analysis: no verdict, never clean; `reason` (the job's error) as its tooltip. */
export function UnanalysedBadge({ reason }: { reason?: string | null }) {
  return (
    <span className="badge verdict-unanalysed" title={reason ?? undefined}>
      {UNANALYSED_LABEL}
    </span>
  );
}
