import { type FormEvent, type ReactNode, useState } from 'react';
import type { UploadProgress } from '../../../lib/upload';
import { SubmitError } from './submit-error';
import { UploadStatus } from './upload-status';

export interface Sending {
  /** Upload progress, for the forms that send a file. */
  onProgress: (progress: UploadProgress) => void;
}

interface AnalysisFormProps {
  /** The form's accessible name. */
  label: string;
  submitLabel: string;
  busyLabel: string;
  /** Checks the input on submit: a sentence naming the problem (nothing is sent), or null. */
  check: () => string | null;
  /** The field focused when check() finds a problem. */
  focusId: string;
  /** Sends the input; resolves once the api accepted it, throws its refusal. */
  send: (sending: Sending) => Promise<void>;
  /** Called as a submit starts (e.g. to clear an earlier outcome). */
  onSubmit?: () => void;
  /** Show upload progress while sending. */
  upload?: boolean;
  /** A refusal shown is cleared when this changes (e.g. another file was chosen). */
  resetKey?: unknown;
  /** The fields. */
  children: ReactNode;
  /** Below the button and any refusal: what the api answered. */
  outcome?: ReactNode;
}

/**
 * The one shell of the three ways to submit an analysis (package, archive, lock file): the
 * submit flow — check, focus the bad field, send once at a time, show progress and the api's
 * refusal in its own words — around each form's own fields.
 */
export function AnalysisForm(props: AnalysisFormProps) {
  const { label, submitLabel, busyLabel, check, focusId, send, onSubmit, upload = false, resetKey, children, outcome } = props;
  const [sending, setSending] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  // A refusal belongs to the input it answered: shown only while resetKey is unchanged.
  const [failure, setFailure] = useState<{ error: unknown; key: unknown } | null>(null);
  const shown = failure !== null && failure.key === resetKey ? failure : null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    setFailure(null);
    onSubmit?.();
    if (check() !== null) {
      document.getElementById(focusId)?.focus();
      return;
    }
    setSending(true);
    setProgress(null);
    try {
      await send({ onProgress: setProgress });
    } catch (error) {
      setFailure({ error, key: resetKey });
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="analyze-form" onSubmit={submit} noValidate aria-label={label}>
      {children}
      <button type="submit" className="primary" disabled={sending}>
        {sending ? busyLabel : submitLabel}
      </button>
      {sending && upload && <UploadStatus progress={progress} />}
      {shown && <SubmitError error={shown.error} />}
      {outcome}
    </form>
  );
}
