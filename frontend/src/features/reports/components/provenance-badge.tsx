import type { Report } from '../../../domain/report';
import { PROVENANCE_MEANING } from '../../../domain/report';

type Provenance = Report['provenance'];

/** Where the analysed bytes came from: the registry (hashes verified) or an upload (name and version only claimed). */
export function ProvenanceBadge({ provenance }: { provenance: Provenance }) {
  const label = provenance.source === 'registry' ? 'registry' : 'upload: claimed name';
  return (
    <span
      className={`badge provenance provenance-${provenance.source}`}
      data-testid="provenance"
      title={PROVENANCE_MEANING[provenance.source]}
    >
      {label}
    </span>
  );
}
