module.exports = { ...require('../../jest.preset.js'), displayName: 'temporal', roots: ['<rootDir>/src', '<rootDir>/test'] };
