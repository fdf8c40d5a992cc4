import type { ReactNode } from 'react';
import { UNANALYSED_MEANING } from '../domain/outcome';
import { formatTime } from '../lib/format';
import { UnanalysedBadge } from './verdict-badge';

/** A failed analysis, said as what it is for the reader: no verdict, why, and when (never "clean"). */
export function CouldNotAnalyse({ reason, when, children }: { reason: string | null; when: string | null; children?: ReactNode }) {
  return (
    <div className="verdict-box verdict-box-unanalysed" data-testid="could-not-analyse">
      <p className="verdict-line">
        <UnanalysedBadge reason={reason} />
        {when && <span className="muted">{formatTime(when)}</span>}
      </p>
      {children}
      <p>
        <strong>Why:</strong> {reason ?? 'no reason was recorded.'}
      </p>
      <p>{UNANALYSED_MEANING}</p>
    </div>
  );
}
