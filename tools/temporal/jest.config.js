// The suite shares one Temporal dev server: the one `npm test` starts
// (TEMPORAL_ADDRESS), or, under `nx test temporal` alone, the one the global
// setup starts — the same path every other project uses.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'temporal',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: '<rootDir>/jest-global-setup.js',
  globalTeardown: '<rootDir>/jest-global-teardown.js',
  testTimeout: 60_000,
};
