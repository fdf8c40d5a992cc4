import { type FormEvent, useId, useState } from 'react';
import { ApiError, describeError } from '../../../lib/api-error';
import { followLink, jobPath } from '../../../lib/router';
import { PURL_EXAMPLE, parsePurl } from '../../../domain/purl';
import { type Unanalysed, findReport, unanalysedFrom } from '../api/find-report';
import { CouldNotAnalyse } from '../../../components/could-not-analyse';
import { type Report, reportJobId } from '../../../domain/report';
import { ReportView } from './report-view';
import { VerdictScore } from '../../../components/verdict-badge';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'found'; report: Report }
  | { kind: 'missing'; purl: string; message: string }
  | { kind: 'unanalysed'; failure: Unanalysed }
  | { kind: 'error'; message: string };

/** Look up the latest report of a package version by its purl (GET /reports?purl=). */
export function ReportSearch() {
  const id = useId();
  const [purl, setPurl] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parsePurl(purl);
    if (!parsed.ok) {
      setInvalid(parsed.error);
      document.getElementById(`${id}-purl`)?.focus();
      return;
    }
    setInvalid(null);
    setOutcome({ kind: 'searching' });
    try {
      setOutcome({ kind: 'found', report: await findReport(parsed.value.purl) });
    } catch (error) {
      const failure = unanalysedFrom(error);
      if (failure) setOutcome({ kind: 'unanalysed', failure });
      else if (error instanceof ApiError && error.status === 404) {
        setOutcome({ kind: 'missing', purl: parsed.value.purl, message: error.message });
      } else setOutcome({ kind: 'error', message: describeError(error) });
    }
  }

  return (
    <section className="panel search-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Find a report</h2>
      <form className="search-form" onSubmit={submit} noValidate role="search" aria-label="Find a report by package URL">
        <div className="field">
          <label htmlFor={`${id}-purl`}>Package URL</label>
          <input
            id={`${id}-purl`}
            value={purl}
            onChange={(event) => {
              setPurl(event.target.value);
              setInvalid(null);
            }}
            placeholder={PURL_EXAMPLE}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? `${id}-invalid` : undefined}
          />
        </div>
        <button type="submit" disabled={outcome.kind === 'searching'}>
          Find
        </button>
      </form>
      {invalid && (
        <p className="field-error" id={`${id}-invalid`}>
          {invalid}
        </p>
      )}
      <div role="status" className="search-outcome">
        {outcome.kind === 'searching' && <p>Searching…</p>}
        {outcome.kind === 'missing' && (
          <p>
            {outcome.message} <span className="muted">Analyse it with the form to make one.</span>
          </p>
        )}
        {outcome.kind === 'found' && <FoundReport report={outcome.report} />}
        {outcome.kind === 'unanalysed' && <UnanalysedPackage failure={outcome.failure} />}
      </div>
      {outcome.kind === 'error' && (
        <p className="inline-error" role="alert">
          {outcome.message}
        </p>
      )}
    </section>
  );
}

function FoundReport({ report }: { report: Report }) {
  const jobId = reportJobId(report);
  if (!jobId) return <ReportView report={report} jobId={null} />;
  return (
    <div className="found-report" data-testid="found-report">
      <p>
        <span className="mono wrap">{report.package.purl}</span> <VerdictScore verdict={report.verdict} score={report.score} />{' '}
        <span className="muted">
          {report.findings.length.toLocaleString('en-US')} {report.findings.length === 1 ? 'finding' : 'findings'}
        </span>
      </p>
      <p>
        <a href={jobPath(jobId)} onClick={followLink}>
          Open the report
        </a>
      </p>
    </div>
  );
}

/** The newest analysis of the package failed (409 `could_not_analyse`): no verdict, the reason and when. */
function UnanalysedPackage({ failure }: { failure: Unanalysed }) {
  return (
    <CouldNotAnalyse reason={failure.reason} when={failure.failedAt}>
      <p>
        The newest analysis of <span className="mono wrap">{failure.purl}</span> failed.{' '}
        <a href={jobPath(failure.job)} onClick={followLink}>
          Open the job
        </a>
      </p>
    </CouldNotAnalyse>
  );
}
