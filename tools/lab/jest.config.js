module.exports = { ...require('../../jest.preset.js'), displayName: 'lab', roots: ['<rootDir>/src', '<rootDir>/test'] };
