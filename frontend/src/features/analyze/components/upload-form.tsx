import { type ReactNode, useId, useState } from 'react';
import { AnalysisForm, type Sending } from './analysis-form';
import { DropZone } from './drop-zone';

interface UploadFormProps {
  /** The form's accessible name. */
  label: string;
  submitLabel: string;
  /** The drop zone's label, hint and accepted file types. */
  drop: { label: string; hint: string; accept: string };
  /** Checks a chosen file: a sentence naming the problem, or null. */
  validate: (file: File) => string | null;
  /** The problem when the form is sent with no file. */
  missing: string;
  /** Sends the checked file; resolves once the api accepted it, throws its refusal. */
  send: (file: File, sending: Sending) => Promise<void>;
  /** Called with each file chosen or dropped (null when the choice is cleared). */
  onChoose?: (file: File | null) => void;
  onSubmit?: () => void;
  /** The form's own fields, after the drop zone. */
  children?: ReactNode;
  outcome?: ReactNode;
}

/**
 * The forms that send a file (archive, lock file): a drop zone whose file is checked when
 * chosen and again on submit, inside the one submit shell with upload progress.
 */
export function UploadForm(props: UploadFormProps) {
  const { label, submitLabel, drop, validate, missing, send, onChoose, onSubmit, children, outcome } = props;
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setInvalid(chosen ? validate(chosen) : null);
    onChoose?.(chosen);
  };
  const check = () => {
    const problem = file ? validate(file) : missing;
    setInvalid(problem);
    return problem;
  };
  const sendFile = async (sending: Sending) => {
    if (file) await send(file, sending);
  };

  return (
    <AnalysisForm
      label={label}
      submitLabel={submitLabel}
      busyLabel="Uploading…"
      check={check}
      focusId={`${id}-file`}
      send={sendFile}
      onSubmit={onSubmit}
      upload
      resetKey={file}
      outcome={outcome}
    >
      <DropZone
        id={`${id}-file`}
        label={drop.label}
        hint={drop.hint}
        accept={drop.accept}
        file={file}
        error={invalid}
        onFile={choose}
      />
      {children}
    </AnalysisForm>
  );
}
