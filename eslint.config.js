// Lint: typescript-eslint's recommended rules over our TypeScript; bundles and caches are ignored.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.build/**', 'node_modules/**', '**/fixtures/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests and harness code read loosely typed JSON from tools; `any` there is deliberate and local.
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // A ratchet, not a target: today's worst values (December 2026), so nothing gets worse. Lower each
    // number when the function holding it is split; never raise it. Today 9 functions are over complexity
    // 25 (22 before the last splits; issue 27 aims for 12 or fewer); the worst is the CLI's planStage (71), the longest function is
    // the CLI's workflow discover (212 lines, not counting blanks and comments). Test code is left out of
    // the length rule: a describe block holding its cases is long by design (the longest is 428 lines).
    rules: { complexity: ['error', 71] },
  },
  {
    ignores: ['**/test/**', '**/*.test.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 212, skipBlankLines: true, skipComments: true }] },
  },
  {
    // A focused or skipped test silently shrinks the suite: CI would pass while testing less.
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'test', 'it'].flatMap((object) =>
          ['only', 'skip', 'todo'].map((property) => ({ object, property, message: `${object}.${property} focuses or skips tests; remove it before committing.` })),
        ),
      ],
      'no-restricted-globals': ['error', ...['fit', 'fdescribe', 'xit', 'xdescribe', 'xtest'].map((name) => ({ name, message: `${name} focuses or skips tests.` }))],
    },
  },
);
