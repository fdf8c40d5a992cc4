#!/usr/bin/env node
// Prints the production JavaScript's gzipped size and fails above the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 100 * 1024;
const assets = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist/assets');
const files = readdirSync(assets).filter((name) => name.endsWith('.js'));
if (files.length === 0) {
  console.error('bundle size: no JavaScript in dist/assets; run the build first');
  process.exit(1);
}
let raw = 0;
let gzipped = 0;
for (const name of files) {
  const content = readFileSync(join(assets, name));
  raw += content.length;
  gzipped += gzipSync(content, { level: 9 }).length;
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`bundle size: ${files.length} JS file(s), ${kb(raw)} raw, ${kb(gzipped)} gzipped (budget ${kb(BUDGET_BYTES)})`);
if (gzipped > BUDGET_BYTES) {
  console.error('bundle size: over budget');
  process.exit(1);
}
