/**
 * A task's params as form fields, read from the generated TASK_PARAMS (api-tasks.ts),
 * and the same checks the API makes on them, so most mistakes never leave the browser.
 */
export interface FieldSpec {
  readonly name: string;
  readonly kind: 'enum' | 'number' | 'integer' | 'string' | 'boolean';
  readonly title: string;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

export interface TaskParamsSpec {
  readonly title: string;
  readonly description: string | null;
  readonly fields: readonly FieldSpec[];
}

/** What a form holds per field: text for inputs and selects, a flag for checkboxes. */
export type FieldValue = string | boolean;
export type FieldValues = Record<string, FieldValue>;

/** The form's starting values: each field's default, or empty. */
export function initialValues(spec: TaskParamsSpec): FieldValues {
  const values: FieldValues = {};
  for (const field of spec.fields) {
    if (field.kind === 'boolean') values[field.name] = field.default === true;
    else values[field.name] = field.default === undefined || field.default === null ? '' : String(field.default);
  }
  return values;
}

type Checked = { ok: true; value: unknown } | { ok: false; error: string };

function checkNumber(field: FieldSpec, text: string): Checked {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, error: `Enter a number for ${field.title}.` };
  if (field.kind === 'integer' && !Number.isInteger(value)) return { ok: false, error: `${field.title} must be a whole number.` };
  const low = field.minimum ?? field.exclusiveMinimum;
  const high = field.maximum ?? field.exclusiveMaximum;
  const tooLow =
    (field.minimum !== undefined && value < field.minimum) || (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum);
  const tooHigh =
    (field.maximum !== undefined && value > field.maximum) || (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum);
  if (tooLow || tooHigh) {
    if (low !== undefined && high !== undefined) return { ok: false, error: `${field.title} must be between ${low} and ${high}.` };
    if (field.minimum !== undefined) return { ok: false, error: `${field.title} must be at least ${low}.` };
    if (low !== undefined) return { ok: false, error: `${field.title} must be greater than ${low}.` };
    if (field.maximum !== undefined) return { ok: false, error: `${field.title} must be at most ${high}.` };
    return { ok: false, error: `${field.title} must be less than ${high}.` };
  }
  return { ok: true, value };
}

function checkString(field: FieldSpec, text: string): Checked {
  if (field.minLength !== undefined && text.length < field.minLength) {
    return { ok: false, error: `${field.title} needs at least ${field.minLength} characters.` };
  }
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return { ok: false, error: `${field.title} can have at most ${field.maxLength} characters.` };
  }
  if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(text)) {
    return { ok: false, error: `${field.title} is not in the expected form.` };
  }
  return { ok: true, value: text };
}

function checkField(field: FieldSpec, raw: FieldValue | undefined): Checked | null {
  if (field.kind === 'boolean') return { ok: true, value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  // An empty optional field is left out, so the API applies its own default.
  if (text.trim() === '' && field.kind !== 'number' && field.kind !== 'integer') {
    if (field.required) return { ok: false, error: `Enter ${field.title}.` };
    return null;
  }
  if (field.kind === 'enum') {
    const options = (field.enum ?? []).map(String);
    return options.includes(text) ? { ok: true, value: text } : { ok: false, error: `Choose one of: ${options.join(', ')}.` };
  }
  if (field.kind === 'number' || field.kind === 'integer') return checkNumber(field, text);
  return checkString(field, text.trim());
}

/** The params object for the API, or a message per invalid field. */
export function validateParams(
  spec: TaskParamsSpec,
  values: FieldValues,
): { ok: true; params: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of spec.fields) {
    const checked = checkField(field, values[field.name]);
    if (checked === null) continue;
    if (checked.ok) params[field.name] = checked.value;
    else errors[field.name] = checked.error;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params };
}
