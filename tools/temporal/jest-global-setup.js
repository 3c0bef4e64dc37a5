// Entry point for other projects' jest.config.js:
//   globalSetup: require.resolve('@synapse/temporal-tools/jest-global-setup')
// Plain JS over the built code, so Jest needs no transform for it.
module.exports = require('./dist/jest-global-setup').default;
