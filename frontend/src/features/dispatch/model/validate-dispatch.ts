import { TASK_PARAMS } from '../../../lib/api-tasks';
import type { DispatchRequest } from '../../../lib/api-types';
import { type FieldValues, type TaskParamsSpec, initialValues, validateParams } from '../../../lib/task-fields';

/** Every task the api's registry offers, in its order (from the generated schema). */
export type TaskName = keyof typeof TASK_PARAMS;
export const TASKS = Object.keys(TASK_PARAMS) as TaskName[];
export const MAX_COUNT = 100;

export function taskSpec(task: string): TaskParamsSpec | undefined {
  return (TASK_PARAMS as Record<string, TaskParamsSpec>)[task];
}

export interface DispatchFormValues {
  task: string;
  count: string;
  params: FieldValues;
}

/** Messages keyed by `task`, `count` or `params.<field>`. */
export type DispatchFormErrors = Record<string, string>;

export interface ValidDispatch {
  request: DispatchRequest;
  count: number;
}

export function initialDispatchValues(task: string = TASKS[0] ?? ''): DispatchFormValues {
  const spec = taskSpec(task);
  return { task, count: '1', params: spec ? initialValues(spec) : {} };
}

/** Checks the form the way the API does, from the task's params schema. */
export function validateDispatch(
  values: DispatchFormValues,
): { ok: true; value: ValidDispatch } | { ok: false; errors: DispatchFormErrors } {
  const errors: DispatchFormErrors = {};
  const spec = taskSpec(values.task);
  let params: Record<string, unknown> = {};
  if (!spec) errors.task = 'Choose a task.';
  else {
    const checked = validateParams(spec, values.params);
    if (checked.ok) params = checked.params;
    else for (const [name, message] of Object.entries(checked.errors)) errors[`params.${name}`] = message;
  }
  const countText = values.count.trim();
  const count = countText === '' ? Number.NaN : Number(countText);
  if (countText === '') errors.count = 'Enter how many jobs to dispatch.';
  else if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    errors.count = `Count must be a whole number from 1 to ${MAX_COUNT}.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // The params were checked against this task's own schema, which is what the union pairs them with.
  const request = { task: values.task, params } as DispatchRequest;
  return { ok: true, value: { request, count } };
}
