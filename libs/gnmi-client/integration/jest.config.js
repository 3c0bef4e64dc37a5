module.exports = { ...require('../../../jest.preset.js'), displayName: 'gnmi-client-integration', roots: ['<rootDir>/test'] };
