// Shared Jest settings for every project. Tests are transpiled only (fast on
// 2 cores); `npm run typecheck` checks their types with tsc.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  reporters: ['default', path.join(__dirname, 'tools/scripts/jest-count-reporter.js')],
};
