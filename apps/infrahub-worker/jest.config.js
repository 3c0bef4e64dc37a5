// Activity tests run against the Infrahub simulator; the worker test also
// needs Temporal: the server `npm test` starts (TEMPORAL_ADDRESS) or, run
// alone, one the global setup starts.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'infrahub-worker',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup'),
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  testTimeout: 60_000,
};
