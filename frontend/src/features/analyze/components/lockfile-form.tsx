import { useState } from 'react';
import type { Job, LockfileAnswer } from '../../../lib/api-types';
import { followLink, jobPath } from '../../../lib/router';
import { analysisSummary, jobPackage } from '../../../domain/report';
import { analysisOutcome, tallyOutcomes, tallyText } from '../../../domain/outcome';
import { UnanalysedBadge, VerdictBadge } from '../../../components/verdict-badge';
import { uploadLockfile } from '../api/upload-lockfile';
import { LOCKFILE_ACCEPT, LOCKFILE_NAMES, UPLOAD_MAX_BYTES, checkLockfile } from '../model/upload-checks';
import type { Sending } from './analysis-form';
import { UploadForm } from './upload-form';

interface LockfileFormProps {
  onQueued: (jobs: Job[]) => void;
  maxBytes?: number;
  /** The live jobs, so the outcome counts each one as it finishes. */
  jobs?: ReadonlyMap<string, Job>;
}

const LISTED = 20;

/** Upload a lock file: one analysis job per pinned package version, and every skipped line with its reason. */
export function LockfileForm({ onQueued, maxBytes = UPLOAD_MAX_BYTES, jobs }: LockfileFormProps) {
  const [answer, setAnswer] = useState<LockfileAnswer | null>(null);
  const [force, setForce] = useState(false);

  const send = async (file: File, { onProgress }: Sending) => {
    const result = await uploadLockfile(file, force, { onProgress });
    setAnswer(result);
    onQueued(result.items);
  };

  return (
    <UploadForm
      label="Upload a lock file"
      submitLabel="Analyse every pinned package"
      drop={{
        label: 'Dependency lock file',
        hint: `${LOCKFILE_NAMES.join(', ')}: every pinned version becomes an analysis job.`,
        accept: LOCKFILE_ACCEPT,
      }}
      validate={(file) => checkLockfile(file, maxBytes)}
      missing="Choose a lock file to upload."
      send={send}
      onChoose={() => setAnswer(null)}
      onSubmit={() => setAnswer(null)}
      outcome={<div role="status">{answer && <LockfileOutcome answer={answer} jobs={jobs} />}</div>}
    >
      <label className="check">
        <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Analyse again even if
        analysed before
      </label>
    </UploadForm>
  );
}

function LockfileOutcome({ answer, jobs }: { answer: LockfileAnswer; jobs?: ReadonlyMap<string, Job> }) {
  const { skipped } = answer;
  // The jobs as they are now (live), else as the upload answered (queued).
  const items = answer.items.map((job) => jobs?.get(job.id) ?? job);
  const unanalysed = items.filter((job) => analysisOutcome(job) === 'unanalysed');
  return (
    <div className="lockfile-outcome" data-testid="lockfile-outcome">
      <p className="form-status success">
        Created {items.length} analysis {items.length === 1 ? 'job' : 'jobs'} from {answer.format}
        {skipped.length > 0 ? `; skipped ${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'}.` : '.'}
      </p>
      {items.length > 0 && (
        <p className="lockfile-tally" data-testid="lockfile-tally">
          {tallyText(tallyOutcomes(items))}
        </p>
      )}
      {items.length > 0 && (
        <ul className="created-jobs">
          {items.slice(0, LISTED).map((job) => (
            <li key={job.id}>
              <a href={jobPath(job.id)} onClick={followLink} className="mono wrap">
                {jobPackage(job) ?? job.id}
              </a>{' '}
              <OutcomeBadge job={job} />
            </li>
          ))}
          {items.length > LISTED && <li className="muted">…and {items.length - LISTED} more in the jobs table.</li>}
        </ul>
      )}
      {unanalysed.length > 0 && (
        <>
          <p className="skipped-title">Could not analyse (no verdict, not clean):</p>
          <ul className="skipped" data-testid="lockfile-unanalysed">
            {unanalysed.map((job) => (
              <li key={job.id}>
                <span className="mono wrap">{jobPackage(job) ?? job.id}</span> — {job.error ?? 'no reason was recorded.'}
              </li>
            ))}
          </ul>
        </>
      )}
      {skipped.length > 0 && (
        <>
          <p className="skipped-title">Skipped:</p>
          <ul className="skipped">
            {skipped.map((item, index) => (
              <li key={index}>
                <span className="mono wrap">{item.line}</span> — {item.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function OutcomeBadge({ job }: { job: Job }) {
  const summary = analysisSummary(job);
  if (summary) return <VerdictBadge verdict={summary.verdict} />;
  return analysisOutcome(job) === 'unanalysed' ? <UnanalysedBadge reason={job.error} /> : null;
}
