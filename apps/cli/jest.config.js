// The tests run the built CLI (dist/main.js) as a child process against
// Temporal: the server `npm test` starts (TEMPORAL_ADDRESS) or, run alone,
// the one tools/temporal's global setup starts. The setup builds the CLI
// first so `npx jest` never tests a stale dist/.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  testTimeout: 90_000,
};
