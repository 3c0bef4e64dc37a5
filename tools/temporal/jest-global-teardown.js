// Entry point for other projects' jest.config.js:
//   globalTeardown: require.resolve('@synapse/temporal-tools/jest-global-teardown')
module.exports = require('./dist/jest-global-teardown').default;
