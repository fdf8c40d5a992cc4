import { formatBytes } from '../../../lib/format';
import { reportDownloadUrl } from '../api/get-report';
import { useMemo } from 'react';
import { visibleText } from '../../../lib/visible-text';
import {
  PROVENANCE_MEANING,
  type Report,
  SEVERITIES,
  artifactKind,
  artifactLabels,
  formatScore,
  scoreMeaning,
  topFinding,
  verdictMeaning,
} from '../../../domain/report';
import { FindingItem } from './finding-item';
import { DiffView } from './diff-view';
import { FindingsList } from './findings-list';
import { ProvenanceBadge } from './provenance-badge';
import { VerdictBadge } from '../../../components/verdict-badge';

interface ReportViewProps {
  report: Report;
  /** The job the report belongs to, for the download links. */
  jobId: string | null;
}

/** A finished analysis: the verdict and what it means, the artifacts read, and the evidence. */
export function ReportView({ report, jobId }: ReportViewProps) {
  const { package: pkg, provenance } = report;
  const total = report.findings.length;
  const labels = useMemo(() => artifactLabels(report.artifacts), [report.artifacts]);
  // Worth a box of its own when there is a verdict to act on and more than one finding to choose from.
  const top = useMemo(
    () => (report.verdict === 'clean' || report.findings.length < 2 ? null : topFinding(report.findings)),
    [report.verdict, report.findings],
  );
  return (
    <div className="report" data-verdict={report.verdict}>
      <div className={`verdict-box verdict-box-${report.verdict}`}>
        <p className="verdict-line">
          <VerdictBadge verdict={report.verdict} />
          <span className="score-big" aria-label={`score ${formatScore(report.score)} of 10`}>
            {formatScore(report.score)}
            <span className="muted"> / 10</span>
          </span>
          <ProvenanceBadge provenance={provenance} />
        </p>
        <p data-testid="verdict-meaning">{verdictMeaning(report)}</p>
        <p className="muted">{scoreMeaning(report.score)}</p>
        {report.cached && (
          <p className="cached-note" data-testid="cached">
            Analysed before: this report was made earlier for the same archive and rules version ({report.rules_version}).
          </p>
        )}
      </div>
      <dl className="detail-grid report-facts">
        <dt>Package</dt>
        <dd className="mono wrap">{visibleText(pkg.purl)}</dd>
        <dt>Source</dt>
        <dd data-testid="provenance-detail">
          {PROVENANCE_MEANING[provenance.source]}
          {provenance.source === 'registry' && provenance.registry && (
            <>
              {' '}
              <span className="muted">Registry: </span>
              <span className="mono wrap">{visibleText(provenance.registry)}</span>
            </>
          )}
          {provenance.source === 'upload' && provenance.filename && (
            <>
              {' '}
              <span className="muted">File: </span>
              <span className="mono wrap">{visibleText(provenance.filename)}</span>
            </>
          )}
        </dd>
        <dt>Findings</dt>
        <dd>
          {total.toLocaleString('en-US')}
          {total > 0 && (
            <span className="muted">
              {' '}
              ({SEVERITIES.filter((s) => report.by_severity[s] > 0)
                .map((s) => `${report.by_severity[s].toLocaleString('en-US')} ${s}`)
                .join(', ')}
              )
            </span>
          )}
        </dd>
        <dt>Rules</dt>
        <dd className="mono">{report.rules_version}</dd>
        <dt>Took</dt>
        <dd>{report.seconds.toFixed(2)} s</dd>
      </dl>
      {jobId && (
        <p className="downloads">
          <a href={reportDownloadUrl(jobId, 'json')} download={`report-${jobId}.json`}>
            Download JSON
          </a>
          <a href={reportDownloadUrl(jobId, 'sarif')} download={`report-${jobId}.sarif`}>
            Download SARIF
          </a>
        </p>
      )}
      <h3>Artifacts</h3>
      <ul className="artifacts">
        {report.artifacts.map((artifact) => (
          <li key={artifact.sha256}>
            <span className="artifact-kind">{artifactKind(artifact.filename)}</span>{' '}
            <span className="mono wrap">{visibleText(artifact.filename)}</span> <span className="muted">({formatBytes(artifact.size)})</span>
            <br />
            <span className="muted">sha256 </span>
            <span className="mono wrap sha">{artifact.sha256}</span>
          </li>
        ))}
      </ul>
      {top && (
        <section className="top-finding" aria-labelledby="top-finding-title">
          <h3 id="top-finding-title">Read this first</h3>
          <p className="muted">The heaviest finding: its severity × where its code runs, as the score weighs it.</p>
          <ol className="finding-list">
            <FindingItem finding={top} artifact={labels.get(top.artifact)} />
          </ol>
        </section>
      )}
      {report.diff && <DiffView diff={report.diff} score={report.score} />}
      <h3>Findings</h3>
      <FindingsList findings={report.findings} artifacts={labels} />
    </div>
  );
}
