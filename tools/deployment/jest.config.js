// Parse-checks of the images, docker-compose.yml and the CI workflow, plus a
// simulated runtime image per app: its files gathered as the Dockerfile does
// and its command run, the workers against a real Temporal dev server (the
// one `npm test` starts, TEMPORAL_ADDRESS, or, run alone, the global setup's).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'deployment',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup'),
  globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown'),
  testTimeout: 120_000,
};
