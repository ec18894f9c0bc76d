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
);
