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
