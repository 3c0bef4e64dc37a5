// Shared Jest settings for every project. Tests are transpiled only (fast on
// 2 cores); each project's `typecheck` target checks their types with tsc.
const path = require('node:path');

// got 14 and most of its dependencies ship only as ES modules, which Jest 30
// on Node 20 cannot load through its CommonJS runtime. babel-jest rewrites
// exactly those packages to CommonJS, for every project that (directly or via
// @synapse/infrahub-client) loads got; the rest of node_modules stays as is.
const ESM_PACKAGES = [
  'got',
  '@sindresorhus/is',
  'byte-counter',
  'cacheable-lookup',
  'cacheable-request',
  'decompress-response',
  'form-data-encoder',
  'keyv',
  '@keyv/[^/]+',
  'lowercase-keys',
  'p-cancelable',
  'responselike',
  'mimic-response',
  'normalize-url',
  'get-stream',
  'is-stream',
  '@sec-ant/readable-stream',
];
const ESM = `(?:${ESM_PACKAGES.join('|')})`;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true } },
    ],
    [`node_modules/${ESM}/.+\\.js$`]: [
      'babel-jest',
      { babelrc: false, configFile: false, presets: [['@babel/preset-env', { targets: { node: 'current' }, modules: 'commonjs' }]] },
    ],
  },
  // Ignore node_modules except the ESM packages above (wherever npm nested them).
  transformIgnorePatterns: [`/node_modules/(?!${ESM}/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  reporters: ['default', path.join(__dirname, 'tools/scripts/jest-count-reporter.js')],
};
