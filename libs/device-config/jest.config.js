module.exports = { ...require('../../jest.preset.js'), displayName: 'device-config', roots: ['<rootDir>/src', '<rootDir>/test'] };
