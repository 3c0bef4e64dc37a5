module.exports = { ...require('../../jest.preset.js'), displayName: 'infrahub-sim', roots: ['<rootDir>/src', '<rootDir>/test'] };
