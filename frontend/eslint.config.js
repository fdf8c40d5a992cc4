import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The architecture, enforced: a feature never imports another feature (they are composed in
// src/app/), and the shared code (lib/, domain/, components/) never imports a feature or the
// app. Every folder under src/features/ is a feature, so a new one is covered as it appears.
const FEATURES = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const BOUNDARIES = [
  ...FEATURES.map((feature) => ({
    target: `./src/features/${feature}`,
    from: './src/features',
    except: [`./${feature}`],
    message: 'Features never import each other: move the shared part to src/domain/ or src/lib/, or compose them in src/app/.',
  })),
  {
    target: ['./src/lib', './src/domain', './src/components'],
    from: ['./src/features', './src/app'],
    message: 'Shared code never imports a feature or the app.',
  },
];

export default tseslint.config(
  { ignores: ['dist', 'test-results', 'playwright-report', 'src/lib/api-schema.ts'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks, import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'import/no-restricted-paths': ['error', { zones: BOUNDARIES }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Never render untrusted strings as HTML.',
        },
        {
          selector: "AssignmentExpression[left.property.name='innerHTML']",
          message: 'Never render untrusted strings as HTML.',
        },
      ],
    },
  },
);
