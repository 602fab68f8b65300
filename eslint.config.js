// Lint rules: typescript-eslint's recommended set; library code must not print (docs/architecture.md: tracing
// goes through util.debuglog), so console is only allowed in the CLI, benchmarks and tests.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'build/**',
      'node_modules/**',
      '.camctl-tmp/**',
      'test-artifacts/**',
      'src/dashboard/ui/vendor/**',
      'coverage/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Prettier (npm run format) lays code out at 120 columns; what it cannot break — a long
      // string, template or URL — may run to 160, comments included.
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    files: ['src/cli/**', 'bench/**', 'test/**', 'bin/**', 'scripts/**', 'src/dashboard/ui/**', 'examples/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read untyped JSON replies; `any` there keeps assertions readable.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
