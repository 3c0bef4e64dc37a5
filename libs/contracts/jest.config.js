module.exports = { ...require('../../jest.preset.js'), displayName: 'contracts', roots: ['<rootDir>/src'] };
