import { describe, expect, it } from 'vitest';
import { type TaskParamsSpec, initialValues, validateParams } from './task-fields';

const spec: TaskParamsSpec = {
  title: 'Params',
  description: null,
  fields: [
    { name: 'seconds', kind: 'number', title: 'Seconds', required: false, nullable: false, default: 10, minimum: 0, maximum: 600 },
    { name: 'tries', kind: 'integer', title: 'Tries', required: false, nullable: false, exclusiveMinimum: 0 },
    { name: 'mode', kind: 'enum', title: 'Mode', required: false, nullable: false, default: 'cpu', enum: ['cpu', 'sleep'] },
    { name: 'purl', kind: 'string', title: 'Purl', required: true, nullable: false, maxLength: 8, pattern: '^pkg:' },
    { name: 'note', kind: 'string', title: 'Note', required: false, nullable: true },
    { name: 'force', kind: 'boolean', title: 'Force', required: false, nullable: false, default: false },
  ],
};

describe('task fields', () => {
  it('starts from the schema defaults', () => {
    expect(initialValues(spec)).toEqual({ seconds: '10', tries: '', mode: 'cpu', purl: '', note: '', force: false });
  });

  it('builds typed params and leaves empty optional text out, so the API applies its default', () => {
    const values = { seconds: ' 2.5 ', tries: '3', mode: 'sleep', purl: 'pkg:x', note: '  ', force: true };
    expect(validateParams(spec, values)).toEqual({ ok: true, params: { seconds: 2.5, tries: 3, mode: 'sleep', purl: 'pkg:x', force: true } });
  });

  it('explains each invalid field the way the API would refuse it', () => {
    const values = { seconds: '601', tries: '0', mode: 'gpu', purl: '', note: '', force: false };
    expect(validateParams(spec, values)).toEqual({
      ok: false,
      errors: {
        seconds: 'Seconds must be between 0 and 600.',
        tries: 'Tries must be greater than 0.',
        mode: 'Choose one of: cpu, sleep.',
        purl: 'Enter Purl.',
      },
    });
    const more = validateParams(spec, { ...values, seconds: 'x', tries: '1.5', mode: 'cpu', purl: 'npm:thing' });
    expect(more).toEqual({
      ok: false,
      errors: {
        seconds: 'Enter a number for Seconds.',
        tries: 'Tries must be a whole number.',
        purl: 'Purl can have at most 8 characters.',
      },
    });
    expect(validateParams(spec, { ...values, seconds: '1', tries: '1', mode: 'cpu', purl: 'npm:x' })).toEqual({
      ok: false,
      errors: { purl: 'Purl is not in the expected form.' },
    });
  });
});
