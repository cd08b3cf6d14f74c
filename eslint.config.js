// Lint: typescript-eslint's recommended rules; `any` is banned so module boundaries stay typed; and the layers'
// import rules (README, Layout): core is a library for Node and imports neither the app nor Electron; main imports
// no renderer code (only the build script that bundles it, for the web host); the renderer, a web page, imports
// neither Electron nor Node's modules, and of main only the typed API (api.ts, its client and wire codec).
import tseslint from 'typescript-eslint';

const restricted = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.bench/**', 'test/fixtures/**', 'eslint.config.js', 'scratch-*', 'core/kernels/wasm/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted([
        { regex: '^(\\.\\./)+(main|renderer)/', message: 'core is a library: it imports nothing of the app (main/, renderer/).' },
        { regex: '^electron(/|$)', message: 'core runs without Electron.' },
      ]),
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted([
        { regex: '^(\\.\\./)+renderer/(?!build\\.ts$)', message: 'main imports no renderer code (only renderer/build.ts, which bundles it).' },
      ]),
    },
  },
  {
    files: ['renderer/src/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted([
        { regex: '^electron(/|$)', message: 'the renderer talks to the host only through the typed API.' },
        { regex: '^node:', message: 'the renderer is a web page: no Node modules.' },
        { regex: '^(\\.\\./)+main/(?!service/(api|api-client|wire-codec)\\.ts$)', message: 'of main, the renderer imports only the typed API.' },
      ]),
    },
  },
);
