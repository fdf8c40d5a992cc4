import { type FormEvent, useId, useState } from 'react';
import type { UploadProgress } from '../../../lib/upload';
import type { Job } from '../../../lib/api-types';
import { uploadArchive } from '../api/upload-archive';
import { ECOSYSTEMS, type Ecosystem, isEcosystem } from '../model/purl';
import { ARCHIVE_ACCEPT, UPLOAD_MAX_BYTES, checkArchive, formatBytes, guessEcosystem } from '../model/upload-checks';
import { DropZone } from './drop-zone';
import { UploadStatus } from './upload-status';
import { SubmitError } from './submit-error';

interface ArchiveFormProps {
  onQueued: (job: Job) => void;
  /** The upload limit checked before sending. */
  maxBytes?: number;
}

/** Upload a package archive (sdist, wheel, zip, npm .tgz) to analyse it; it is only read, never run. */
export function ArchiveForm({ onQueued, maxBytes = UPLOAD_MAX_BYTES }: ArchiveFormProps) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [ecosystem, setEcosystem] = useState<Ecosystem>('pypi');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setFailure(null);
    setInvalid(chosen ? checkArchive(chosen, maxBytes) : null);
    const guessed = chosen ? guessEcosystem(chosen.name) : null;
    if (guessed) setEcosystem(guessed);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    setFailure(null);
    const problem = file ? checkArchive(file, maxBytes) : 'Choose an archive to upload.';
    setInvalid(problem);
    if (problem || !file) {
      document.getElementById(`${id}-file`)?.focus();
      return;
    }
    setSending(true);
    setProgress(null);
    try {
      onQueued(await uploadArchive(file, ecosystem, { onProgress: setProgress }));
    } catch (error) {
      setFailure(error);
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="analyze-form" onSubmit={submit} noValidate aria-label="Upload an archive">
      <DropZone
        id={`${id}-file`}
        label="Package archive"
        hint={`Drop an sdist, wheel, zip or npm .tgz here, or choose one (at most ${formatBytes(maxBytes)}). It is read, never run.`}
        accept={ARCHIVE_ACCEPT}
        file={file}
        error={invalid}
        onFile={choose}
      />
      <div className="field">
        <label htmlFor={`${id}-ecosystem`}>Ecosystem</label>
        <select
          id={`${id}-ecosystem`}
          value={ecosystem}
          onChange={(event) => isEcosystem(event.target.value) && setEcosystem(event.target.value)}
        >
          {ECOSYSTEMS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={sending}>
        {sending ? 'Uploading…' : 'Upload and analyse'}
      </button>
      {sending && <UploadStatus progress={progress} />}
      {failure !== null && <SubmitError error={failure} />}
    </form>
  );
}
