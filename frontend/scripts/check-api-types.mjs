#!/usr/bin/env node
// Fails when the committed openapi.json, src/lib/api-schema.ts or src/lib/api-tasks.ts differ from the backend's
// current schema. Usage: node scripts/check-api-types.mjs <freshly-exported-openapi.json>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { render as renderTaskParams } from './gen-task-params.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = process.argv[2] ? resolve(process.argv[2]) : join(root, 'openapi.json');
const committedSchema = join(root, 'openapi.json');
const committedTypes = join(root, 'src/lib/api-schema.ts');
const committedTasks = join(root, 'src/lib/api-tasks.ts');
const fix = 'Run `make frontend-types` and commit the result.';

const problems = [];
if (!isDeepStrictEqual(JSON.parse(readFileSync(fresh, 'utf8')), JSON.parse(readFileSync(committedSchema, 'utf8')))) {
  problems.push(`frontend/openapi.json differs from the backend's schema (${fresh}).`);
}

const dir = mkdtempSync(join(tmpdir(), 'api-types-'));
try {
  const generated = join(dir, 'api-schema.ts');
  execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [fresh, '-o', generated], { stdio: 'pipe' });
  if (readFileSync(generated, 'utf8') !== readFileSync(committedTypes, 'utf8')) {
    problems.push('frontend/src/lib/api-schema.ts is not what openapi-typescript generates from the schema.');
  }
  if (renderTaskParams(JSON.parse(readFileSync(fresh, 'utf8'))) !== readFileSync(committedTasks, 'utf8')) {
    problems.push('frontend/src/lib/api-tasks.ts is not what scripts/gen-task-params.mjs generates from the schema.');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`api types drift: ${problem}`);
  console.error(fix);
  process.exit(1);
}
console.log('api types: frontend/openapi.json, src/lib/api-schema.ts and src/lib/api-tasks.ts match the backend schema');
