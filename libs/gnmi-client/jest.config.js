module.exports = { ...require('../../jest.preset.js'), displayName: 'gnmi-client', roots: ['<rootDir>/src', '<rootDir>/test'], testPathIgnorePatterns: ['/node_modules/', '/dist/', '/integration/'] };
