import { describe, expect, it } from 'vitest';
import { taskParams } from './gen-task-params.mjs';

// The shape django-ninja gives a body that is a union discriminated by `task`, nullable.
const unionDoc = {
  paths: {
    '/dispatch': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: { anyOf: [{ $ref: '#/components/schemas/DispatchIn' }, { type: 'null' }] },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      DispatchIn: {
        oneOf: [{ $ref: '#/components/schemas/SimulateDispatch' }, { $ref: '#/components/schemas/AnalyzeDispatch' }],
        discriminator: { propertyName: 'task' },
      },
      SimulateDispatch: {
        properties: { task: { const: 'simulate', type: 'string' }, params: { $ref: '#/components/schemas/SimulateParams' } },
      },
      AnalyzeDispatch: {
        properties: { task: { const: 'analyze', type: 'string' }, params: { allOf: [{ $ref: '#/components/schemas/AnalyzeParams' }] } },
      },
      SimulateParams: {
        title: 'SimulateParams',
        properties: {
          seconds: { type: 'number', minimum: 0, maximum: 600, default: 10, title: 'Seconds' },
          mode: { type: 'string', enum: ['cpu', 'sleep'], default: 'cpu', title: 'Mode' },
        },
      },
      AnalyzeParams: {
        title: 'AnalyzeParams',
        required: ['purl'],
        properties: {
          purl: { type: 'string', maxLength: 512, title: 'Purl' },
          force: { type: 'boolean', default: false, title: 'Force' },
          note: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, title: 'Note' },
        },
      },
    },
  },
};

describe('gen-task-params', () => {
  it('reads every task of a discriminated union, with each field a form needs', () => {
    const tasks = taskParams(unionDoc);
    expect(Object.keys(tasks)).toEqual(['simulate', 'analyze']);
    expect(tasks.simulate.fields).toEqual([
      { name: 'seconds', kind: 'number', title: 'Seconds', required: false, nullable: false, default: 10, minimum: 0, maximum: 600 },
      { name: 'mode', kind: 'enum', title: 'Mode', required: false, nullable: false, default: 'cpu', enum: ['cpu', 'sleep'] },
    ]);
    expect(tasks.analyze.fields).toEqual([
      { name: 'purl', kind: 'string', title: 'Purl', required: true, nullable: false, maxLength: 512 },
      { name: 'force', kind: 'boolean', title: 'Force', required: false, nullable: false, default: false },
      { name: 'note', kind: 'string', title: 'Note', required: false, nullable: true, default: null },
    ]);
  });

  it('refuses a field type it cannot render, naming the field', () => {
    const doc = structuredClone(unionDoc);
    doc.components.schemas.AnalyzeParams.properties.purl = { type: 'array', items: { type: 'string' } };
    expect(() => taskParams(doc)).toThrow(/field purl: unsupported schema/);
  });
});
