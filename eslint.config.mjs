// Lint rules that catch what tsc cannot: promises nobody awaits (a swallowed
// device error, a rollback that never ran) and I/O inside workflow code,
// which must stay deterministic for Temporal to replay it.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['{apps,libs,tools}/**/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Workflow code, and what the workflow bundle also loads: the observability interceptors and their helpers.
    files: [
      'apps/workflow-worker/src/workflows/**/*.ts',
      'libs/observability/src/{workflow-interceptors,log-context,labels,metric-names}.ts',
      'libs/temporal-connection/src/encoded-failure-converter.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'net', 'http', 'https', 'crypto', 'child_process', 'timers'],
              message: 'Workflow code is replayed by Temporal: no Node built-ins (do I/O in an activity).',
            },
            {
              group: ['@synapse/device-config', '@synapse/gnmi-client', '@synapse/infrahub-client', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'],
              message: 'Workflows proxy activities (contracts\' activity interfaces); they never load I/O libraries.',
            },
          ],
        },
      ],
    },
  },
);
