import type { UploadProgress } from '../../../lib/upload';
import { formatBytes } from '../../../lib/format';

/** How much of the file has gone up; then, while the api reads it, says so. */
export function UploadStatus({ progress }: { progress: UploadProgress | null }) {
  if (!progress || progress.total === 0) return <p className="form-status">Uploading…</p>;
  const done = progress.loaded >= progress.total;
  const percent = Math.round((progress.loaded / progress.total) * 100);
  return (
    <div className="upload-status">
      <progress max={100} value={percent} aria-label="Upload progress">
        {percent}%
      </progress>
      <span className="form-status">
        {done
          ? 'Uploaded; the api is reading it…'
          : `Uploading ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} (${percent}%)`}
      </span>
    </div>
  );
}
