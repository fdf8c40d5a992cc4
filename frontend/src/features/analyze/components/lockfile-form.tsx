import { useState } from 'react';
import type { Job, LockfileAnswer } from '../../../lib/api-types';
import { followLink, jobPath } from '../../../lib/router';
import { jobPackage } from '../../../domain/report';
import { uploadLockfile } from '../api/upload-lockfile';
import { LOCKFILE_ACCEPT, LOCKFILE_NAMES, UPLOAD_MAX_BYTES, checkLockfile } from '../model/upload-checks';
import type { Sending } from './analysis-form';
import { UploadForm } from './upload-form';

interface LockfileFormProps {
  onQueued: (jobs: Job[]) => void;
  maxBytes?: number;
}

const LISTED = 20;

/** Upload a lock file: one analysis job per pinned package version, and every skipped line with its reason. */
export function LockfileForm({ onQueued, maxBytes = UPLOAD_MAX_BYTES }: LockfileFormProps) {
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
      outcome={<div role="status">{answer && <LockfileOutcome answer={answer} />}</div>}
    >
      <label className="check">
        <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Analyse again even if
        analysed before
      </label>
    </UploadForm>
  );
}

function LockfileOutcome({ answer }: { answer: LockfileAnswer }) {
  const { items, skipped } = answer;
  return (
    <div className="lockfile-outcome" data-testid="lockfile-outcome">
      <p className="form-status success">
        Created {items.length} analysis {items.length === 1 ? 'job' : 'jobs'} from {answer.format}
        {skipped.length > 0 ? `; skipped ${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'}.` : '.'}
      </p>
      {items.length > 0 && (
        <ul className="created-jobs">
          {items.slice(0, LISTED).map((job) => (
            <li key={job.id}>
              <a href={jobPath(job.id)} onClick={followLink} className="mono wrap">
                {jobPackage(job) ?? job.id}
              </a>
            </li>
          ))}
          {items.length > LISTED && <li className="muted">…and {items.length - LISTED} more in the jobs table.</li>}
        </ul>
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
