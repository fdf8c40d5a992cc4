import { type DragEvent, useRef, useState } from 'react';
import { formatBytes } from '../../../lib/format';

interface DropZoneProps {
  id: string;
  label: string;
  hint: string;
  accept: string;
  file: File | null;
  error: string | null;
  onFile: (file: File | null) => void;
}

/** A file input that also takes a dropped file; the native input stays, for keyboards and screen readers. */
export function DropZone({ id, label, hint, accept, file, error, onFile }: DropZoneProps) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) {
      // The input shows what was dropped, as if it had been picked.
      if (input.current) input.current.value = '';
      onFile(dropped);
    }
  };
  return (
    <div
      className={`drop-zone${over ? ' drop-over' : ''}${error ? ' drop-invalid' : ''}`}
      data-testid={`${id}-zone`}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={hintId}>
        {hint}
      </p>
      <input
        ref={input}
        id={id}
        type="file"
        accept={accept}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
      />
      {file && (
        <p className="chosen">
          <span className="mono wrap">{file.name}</span> <span className="muted">({formatBytes(file.size)})</span>
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
