import { useId, useState } from 'react';
import type { Job } from '../../../lib/api-types';
import { uploadArchive } from '../api/upload-archive';
import { type Ecosystem, isEcosystem } from '../../../domain/purl';
import { formatBytes } from '../../../lib/format';
import { ARCHIVE_ACCEPT, UPLOAD_MAX_BYTES, checkArchive, guessEcosystem } from '../model/upload-checks';
import type { Sending } from './analysis-form';
import { EcosystemField } from './ecosystem-field';
import { UploadForm } from './upload-form';

interface ArchiveFormProps {
  onQueued: (job: Job) => void;
  /** The upload limit checked before sending. */
  maxBytes?: number;
}

/** Upload a package archive (sdist, wheel, zip, npm .tgz) to analyse it; it is only read, never run. */
export function ArchiveForm({ onQueued, maxBytes = UPLOAD_MAX_BYTES }: ArchiveFormProps) {
  const id = useId();
  const [ecosystem, setEcosystem] = useState<Ecosystem>('pypi');

  const choose = (chosen: File | null) => {
    const guessed = chosen ? guessEcosystem(chosen.name) : null;
    if (guessed) setEcosystem(guessed);
  };
  const send = async (file: File, { onProgress }: Sending) => {
    onQueued(await uploadArchive(file, ecosystem, { onProgress }));
  };

  return (
    <UploadForm
      label="Upload an archive"
      submitLabel="Upload and analyse"
      drop={{
        label: 'Package archive',
        hint: `Drop an sdist, wheel, zip or npm .tgz here, or choose one (at most ${formatBytes(maxBytes)}). It is read, never run.`,
        accept: ARCHIVE_ACCEPT,
      }}
      validate={(file) => checkArchive(file, maxBytes)}
      missing="Choose an archive to upload."
      send={send}
      onChoose={choose}
    >
      <EcosystemField
        id={`${id}-ecosystem`}
        value={ecosystem}
        onChange={(value) => isEcosystem(value) && setEcosystem(value)}
      />
    </UploadForm>
  );
}
