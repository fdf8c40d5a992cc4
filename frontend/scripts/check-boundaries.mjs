// The import-boundary rule (eslint.config.js) must still fire: lint two imports that cross a
// boundary, as if they were files of the app, and fail unless ESLint rejects both. Guards
// against a resolver or config change that would silently let every import through.
import { ESLint } from 'eslint';

const eslint = new ESLint();
const probes = [
  ['src/features/stats/boundary-probe.ts', "import { AnalyzePanel } from '../analyze/components/analyze-panel';\nexport const probe = AnalyzePanel;\n"],
  ['src/domain/boundary-probe.ts', "import { getStats } from '../features/stats/api/get-stats';\nexport const probe = getStats;\n"],
];
let missed = 0;
for (const [filePath, code] of probes) {
  const [result] = await eslint.lintText(code, { filePath });
  const hit = result?.messages.some((m) => m.ruleId === 'import/no-restricted-paths');
  if (!hit) {
    console.error(`boundaries: ${filePath} crossed a boundary and eslint let it through`);
    missed += 1;
  }
}
if (missed) process.exit(1);
console.log(`boundaries: ${probes.length} crossing imports rejected by import/no-restricted-paths`);
