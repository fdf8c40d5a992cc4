import { type FormEvent, useId, useState } from 'react';
import type { FieldValue } from '../../../lib/task-fields';
import { describeError, fieldProblems, retryHint } from '../../../lib/api-error';
import type { Job } from '../../../lib/api-types';
import { dispatchJob } from '../api/dispatch-job';
import {
  type DispatchFormErrors,
  type DispatchFormValues,
  MAX_COUNT,
  TASKS,
  initialDispatchValues,
  taskSpec,
  validateDispatch,
} from '../model/validate-dispatch';
import { ParamField } from './param-field';

interface DispatchFormProps {
  /** Called with each job as the API accepts it, so the table shows it at once. */
  onDispatched: (job: Job) => void;
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending'; done: number; total: number }
  | { kind: 'done'; total: number }
  | { kind: 'error'; done: number; total: number; message: string; problems: string[]; retry: string | null };

export function DispatchForm({ onDispatched }: DispatchFormProps) {
  const [values, setValues] = useState<DispatchFormValues>(() => initialDispatchValues());
  const [errors, setErrors] = useState<DispatchFormErrors>({});
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const sending = outcome.kind === 'sending';
  const idPrefix = useId();

  const spec = taskSpec(values.task);
  const domId = (key: string) => `${idPrefix}-${key.replace('.', '-')}`;
  const clearError = (key: string) => {
    if (errors[key]) {
      setErrors((current) => Object.fromEntries(Object.entries(current).filter(([name]) => name !== key)));
    }
  };
  const setTask = (task: string) => {
    setValues((current) => ({ ...initialDispatchValues(task), count: current.count }));
    setErrors({});
  };
  const setParam = (name: string, value: FieldValue) => {
    setValues((current) => ({ ...current, params: { ...current.params, [name]: value } }));
    clearError(`params.${name}`);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const checked = validateDispatch(values);
    if (!checked.ok) {
      setErrors(checked.errors);
      setOutcome({ kind: 'idle' });
      const order = ['task', ...(spec?.fields ?? []).map((field) => `params.${field.name}`), 'count'];
      const first = order.find((key) => checked.errors[key]);
      if (first) document.getElementById(domId(first))?.focus();
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

  const fieldError = (key: string) =>
    errors[key] ? (
      <p className="field-error" id={`${domId(key)}-error`}>
        {errors[key]}
      </p>
    ) : null;
  const invalid = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${domId(key)}-error` : undefined,
  });

  return (
    <section className="panel" aria-labelledby={`${idPrefix}-title`}>
      <h2 id={`${idPrefix}-title`}>Dispatch jobs</h2>
      {spec?.description && (
        <p className="hint task-hint">
          {values.task}: {spec.description}
        </p>
      )}
      <form className="dispatch-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={domId('task')}>Task</label>
          <select id={domId('task')} name="task" value={values.task} onChange={(event) => setTask(event.target.value)} {...invalid('task')}>
            {TASKS.map((task) => (
              <option key={task} value={task}>
                {task}
              </option>
            ))}
          </select>
          {fieldError('task')}
        </div>
        {spec?.fields.map((field) => (
          <ParamField
            key={`${values.task}.${field.name}`}
            field={field}
            id={domId(`params.${field.name}`)}
            value={values.params[field.name]}
            error={errors[`params.${field.name}`]}
            onChange={(value) => setParam(field.name, value)}
          />
        ))}
        <div className="field">
          <label htmlFor={domId('count')}>Count</label>
          <input
            id={domId('count')}
            name="count"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_COUNT}
            step={1}
            value={values.count}
            onChange={(event) => {
              setValues((current) => ({ ...current, count: event.target.value }));
              clearError('count');
            }}
            {...invalid('count')}
          />
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
