// Scenario tests on a real Temporal dev server (the one `npm test` starts,
// TEMPORAL_ADDRESS, or, run alone, the one the global setup starts), with the
// real device and infrahub activities against the two simulators.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'workflow-worker',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup'),
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  // One file at a time: every file's changes take the real device locks
  // (workflow ids `device/<name>`), which are global to the namespace, so two
  // files changing leaf01 at once would see each other as a busy device.
  maxWorkers: 1,
  testTimeout: 90_000,
};
