// got's ESM packages are transformed by the shared preset (jest.preset.js).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'infrahub-client',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // Integration scenarios wait out real backoffs and Retry-After delays.
  testTimeout: 30_000,
};
