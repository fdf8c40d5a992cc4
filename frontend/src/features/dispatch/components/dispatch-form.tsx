import { type FormEvent, useId, useState } from 'react';
import { describeError, fieldProblems, retryHint } from '../../../lib/api-error';
import type { Job } from '../../../lib/api-types';
import { dispatchJob } from '../api/dispatch-job';
import {
  type DispatchFormErrors,
  type DispatchFormValues,
  MAX_COUNT,
  MAX_SECONDS,
  MODES,
  TASKS,
  validateDispatch,
} from '../model/validate-dispatch';

interface DispatchFormProps {
  /** Called with each job as the API accepts it, so the table shows it at once. */
  onDispatched: (job: Job) => void;
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending'; done: number; total: number }
  | { kind: 'done'; total: number }
  | { kind: 'error'; done: number; total: number; message: string; problems: string[]; retry: string | null };

const INITIAL: DispatchFormValues = { task: 'simulate', seconds: '10', mode: 'cpu', count: '1' };

export function DispatchForm({ onDispatched }: DispatchFormProps) {
  const [values, setValues] = useState<DispatchFormValues>(INITIAL);
  const [errors, setErrors] = useState<DispatchFormErrors>({});
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const sending = outcome.kind === 'sending';
  const idPrefix = useId();

  const update = (field: keyof DispatchFormValues) => (event: { target: { value: string } }) => {
    setValues((current) => ({ ...current, [field]: event.target.value }));
    if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const checked = validateDispatch(values);
    if (!checked.ok) {
      setErrors(checked.errors);
      setOutcome({ kind: 'idle' });
      const field = (['task', 'seconds', 'mode', 'count'] as const).find((name) => checked.errors[name]);
      if (field) document.getElementById(`${idPrefix}-${field}`)?.focus();
      return;
    }
    setErrors({});
    const { request, count } = checked.value;
    let done = 0;
    setOutcome({ kind: 'sending', done, total: count });
    try {
      for (; done < count; ) {
        onDispatched(await dispatchJob(request));
        done += 1;
        setOutcome({ kind: 'sending', done, total: count });
      }
      setOutcome({ kind: 'done', total: count });
    } catch (error) {
      setOutcome({
        kind: 'error',
        done,
        total: count,
        message: describeError(error),
        problems: fieldProblems(error),
        retry: retryHint(error),
      });
    }
  }

  const fieldProps = (field: keyof DispatchFormValues) => ({
    id: `${idPrefix}-${field}`,
    name: field,
    value: values[field],
    onChange: update(field),
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `${idPrefix}-${field}-error` : undefined,
  });

  const fieldError = (field: keyof DispatchFormValues) =>
    errors[field] ? (
      <p className="field-error" id={`${idPrefix}-${field}-error`}>
        {errors[field]}
      </p>
    ) : null;

  return (
    <section className="panel" aria-labelledby={`${idPrefix}-title`}>
      <h2 id={`${idPrefix}-title`}>Dispatch jobs</h2>
      <form className="dispatch-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${idPrefix}-task`}>Task</label>
          <select {...fieldProps('task')}>
            {TASKS.map((task) => (
              <option key={task} value={task}>
                {task}
              </option>
            ))}
          </select>
          {fieldError('task')}
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-seconds`}>Seconds</label>
          <input
            {...fieldProps('seconds')}
            type="number"
            inputMode="decimal"
            min={0}
            max={MAX_SECONDS}
            step="any"
          />
          {fieldError('seconds')}
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-mode`}>Mode</label>
          <select {...fieldProps('mode')}>
            {MODES.map((mode) => (
              <option key={mode} value={mode}>
                {mode}
              </option>
            ))}
          </select>
          {fieldError('mode')}
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-count`}>Count</label>
          <input {...fieldProps('count')} type="number" inputMode="numeric" min={1} max={MAX_COUNT} step={1} />
          {fieldError('count')}
        </div>
        <button type="submit" className="primary" disabled={sending}>
          {sending ? 'Dispatching…' : 'Dispatch'}
        </button>
      </form>
      <OutcomeMessage outcome={outcome} />
    </section>
  );
}

function OutcomeMessage({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'idle':
      return <p className="form-status" role="status" />;
    case 'sending':
      return (
        <p className="form-status" role="status">
          Dispatching {outcome.done + 1} of {outcome.total}…
        </p>
      );
    case 'done':
      return (
        <p className="form-status success" role="status">
          Dispatched {outcome.total} {outcome.total === 1 ? 'job' : 'jobs'}.
        </p>
      );
    case 'error':
      return (
        <div className="form-error" role="alert">
          <p>{outcome.message}</p>
          {outcome.retry && <p className="retry-hint">{outcome.retry}</p>}
          {outcome.problems.length > 0 && (
            <ul>
              {outcome.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          )}
          {outcome.total > 1 && (
            <p className="muted">
              {outcome.done} of {outcome.total} jobs were dispatched before this error.
            </p>
          )}
        </div>
      );
  }
}
