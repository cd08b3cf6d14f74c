// Lint: typescript-eslint's recommended rules; `any` is banned so module boundaries stay typed.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.bench/**', 'test/fixtures/**', 'eslint.config.js', 'scratch-*', 'core/kernels/wasm/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
