module.exports = { ...require('../../jest.preset.js'), displayName: 'device-sim', roots: ['<rootDir>/src', '<rootDir>/test'] };
