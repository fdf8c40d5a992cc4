import type { DispatchRequest } from '../../../lib/api-types';

export const TASKS = ['simulate'] as const;
export const MODES = ['cpu', 'sleep'] as const;
export const MAX_SECONDS = 600;
export const MAX_COUNT = 100;

export interface DispatchFormValues {
  task: string;
  seconds: string;
  mode: string;
  count: string;
}

export type DispatchFormErrors = Partial<Record<keyof DispatchFormValues, string>>;

export interface ValidDispatch {
  request: DispatchRequest;
  count: number;
}

/** Checks the form the way the API does, so most mistakes never leave the browser. */
export function validateDispatch(values: DispatchFormValues): { ok: true; value: ValidDispatch } | { ok: false; errors: DispatchFormErrors } {
  const errors: DispatchFormErrors = {};
  if (!(TASKS as readonly string[]).includes(values.task)) errors.task = 'Choose a task.';

  const seconds = parseNumber(values.seconds);
  if (seconds === null) errors.seconds = 'Enter the number of seconds.';
  else if (seconds < 0 || seconds > MAX_SECONDS) errors.seconds = `Seconds must be between 0 and ${MAX_SECONDS}.`;

  if (!(MODES as readonly string[]).includes(values.mode)) errors.mode = 'Choose cpu or sleep.';

  const count = parseNumber(values.count);
  if (count === null) errors.count = 'Enter how many jobs to dispatch.';
  else if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    errors.count = `Count must be a whole number from 1 to ${MAX_COUNT}.`;
  }

  if (Object.keys(errors).length > 0 || seconds === null || count === null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      request: { task: 'simulate', params: { seconds, mode: values.mode as 'cpu' | 'sleep' } },
      count,
    },
  };
}

function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}
