// Activity tests run against the device simulator in process; the worker test
// needs Temporal: the server `npm test` starts (TEMPORAL_ADDRESS), or, under
// `nx test device-worker` alone, the one tools/temporal's global setup starts.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'device-worker',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup'),
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  testTimeout: 60_000,
};
