import type { Verdict } from '../domain/report';
import { formatScore } from '../domain/report';

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
