// One lint configuration for the whole monorepo (flat config).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/.work/**', '**/fixtures/**', '**/*.d.ts'] },
  js.configs.recommended,
  // Type-checked: unsafe `any` (JSON, untyped libraries) is caught by the linter (issue 13).
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unhandled promises are how votes get lost silently.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Off: here `async` without `await` is deliberate. Fastify handlers, readiness checks,
      // shutdown steps and test stubs must return a promise, and `async` turns a `throw` into
      // the rejection their callers expect; the unsafe promise cases are caught by
      // no-floating-promises and no-misused-promises above.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Services log through pino, never the console.
    files: ['services/*/src/**/*.ts', 'packages/common/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Plain JavaScript (config files, page scripts) is in no tsconfig: no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
