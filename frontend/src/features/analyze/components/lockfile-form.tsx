import { type FormEvent, useId, useState } from 'react';
import type { UploadProgress } from '../../../lib/upload';
import type { Job, LockfileAnswer } from '../../../lib/api-types';
import { followLink, jobPath } from '../../../lib/router';
import { jobPackage } from '../../reports/model/report';
import { uploadLockfile } from '../api/upload-lockfile';
import { LOCKFILE_ACCEPT, LOCKFILE_NAMES, UPLOAD_MAX_BYTES, checkLockfile } from '../model/upload-checks';
import { DropZone } from './drop-zone';
import { UploadStatus } from './upload-status';
import { SubmitError } from './submit-error';

interface LockfileFormProps {
  onQueued: (jobs: Job[]) => void;
  maxBytes?: number;
}

const LISTED = 20;

/** Upload a lock file: one analysis job per pinned package version, and every skipped line with its reason. */
export function LockfileForm({ onQueued, maxBytes = UPLOAD_MAX_BYTES }: LockfileFormProps) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [answer, setAnswer] = useState<LockfileAnswer | null>(null);
  const [force, setForce] = useState(false);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setFailure(null);
    setAnswer(null);
    setInvalid(chosen ? checkLockfile(chosen, maxBytes) : null);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    setFailure(null);
    setAnswer(null);
    const problem = file ? checkLockfile(file, maxBytes) : 'Choose a lock file to upload.';
    setInvalid(problem);
    if (problem || !file) {
      document.getElementById(`${id}-file`)?.focus();
      return;
    }
    setSending(true);
    setProgress(null);
    try {
      const result = await uploadLockfile(file, force, { onProgress: setProgress });
      setAnswer(result);
      onQueued(result.items);
    } catch (error) {
      setFailure(error);
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="analyze-form" onSubmit={submit} noValidate aria-label="Upload a lock file">
      <DropZone
        id={`${id}-file`}
        label="Dependency lock file"
        hint={`${LOCKFILE_NAMES.join(', ')}: every pinned version becomes an analysis job.`}
        accept={LOCKFILE_ACCEPT}
        file={file}
        error={invalid}
        onFile={choose}
      />
      <label className="check">
        <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Analyse again even if
        analysed before
      </label>
      <button type="submit" className="primary" disabled={sending}>
        {sending ? 'Uploading…' : 'Analyse every pinned package'}
      </button>
      {sending && <UploadStatus progress={progress} />}
      {failure !== null && <SubmitError error={failure} />}
      <div role="status">{answer && <LockfileOutcome answer={answer} />}</div>
    </form>
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
