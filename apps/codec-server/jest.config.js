// Tests that need Temporal use the server `npm test` starts (TEMPORAL_ADDRESS) or,
// run alone, the one tools/temporal's global setup starts.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'codec-server',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup'),
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  testTimeout: 60_000,
};
