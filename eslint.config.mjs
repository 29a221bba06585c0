import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed deterministically: it may import only pure code (domain, messages,
// the workflow SDK) and activity *types*. Anything with I/O or a Node built-in is a build error.
const ioModules = [
  'stripe',
  'pg',
  'kysely',
  'pino',
  'nodemailer',
  'hono',
  '@hono/*',
  'jose',
  'prom-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  'zod',
];
const ioPaths = [
  '**/db',
  '**/db/**',
  '**/api',
  '**/api/**',
  '**/stripe',
  '**/stripe/**',
  '**/config',
  '**/notifications/**',
  '**/activities',
  '**/activities/**',
  '**/cli/**',
  '**/runtime/**',
  '**/background/**',
  '**/subscriptions/**',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.local/', 'coverage/', 'test/fixtures/**/*.json', 'src/client/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({ name, message: 'workflows must not use Node built-ins' })),
          patterns: [
            { group: ['node:*'], message: 'workflows must not use Node built-ins' },
            { group: ioModules, message: 'workflows must not import modules with I/O' },
            {
              group: ioPaths,
              allowTypeImports: true,
              message: 'workflows may import activities, db, api, stripe only as types',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
