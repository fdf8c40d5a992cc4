import { useId, useState } from 'react';
import type { Job } from '../../../lib/api-types';
import { uploadArchive } from '../api/upload-archive';
import { ECOSYSTEMS, type Ecosystem, isEcosystem } from '../../../domain/purl';
import { formatBytes } from '../../../lib/format';
import { ARCHIVE_ACCEPT, UPLOAD_MAX_BYTES, checkArchive, guessEcosystem } from '../model/upload-checks';
import { AnalysisForm, type Sending } from './analysis-form';
import { DropZone } from './drop-zone';

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

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setInvalid(chosen ? checkArchive(chosen, maxBytes) : null);
    const guessed = chosen ? guessEcosystem(chosen.name) : null;
    if (guessed) setEcosystem(guessed);
  };
  const check = () => {
    const problem = file ? checkArchive(file, maxBytes) : 'Choose an archive to upload.';
    setInvalid(problem);
    return problem;
  };
  const send = async ({ onProgress }: Sending) => {
    if (file) onQueued(await uploadArchive(file, ecosystem, { onProgress }));
  };

  return (
    <AnalysisForm
      label="Upload an archive"
      submitLabel="Upload and analyse"
      busyLabel="Uploading…"
      check={check}
      focusId={`${id}-file`}
      send={send}
      upload
      resetKey={file}
    >
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
    </AnalysisForm>
  );
}
