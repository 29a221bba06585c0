// Projects let CI run everything while a developer runs one layer: `npx jest --selectProjects unit`.
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] };
const base = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/setup/quiet-temporal.ts'],
};

module.exports = {
  // Hooks that create a schema or start an app take seconds on a loaded machine (CI shares two cores): jest's 5 s
  // default failed them there. A test that hangs still fails, after 30 s. (A global option: jest ignores it per project.)
  testTimeout: 30_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/tools/stripe-sim/test/unit/**/*.test.ts'],
    },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    {
      ...base,
      displayName: 'sim',
      testMatch: ['<rootDir>/tools/stripe-sim/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/unit/'],
    },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Real headless Chromium (Debian's, via playwright-core) against the whole stack: docs/testing.md "Browser tests".
    { ...base, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    // Private Postgres, Temporal, worker and API per file (restarted and killed by the tests): see docs/testing.md "Fault suite".
    { ...base, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
  ],
};
