// got 14 and most of its dependencies ship only as ES modules, which Jest 30
// on Node 20 cannot load through its CommonJS runtime. babel-jest rewrites
// exactly those packages to CommonJS; everything else in node_modules stays
// untransformed, and the project's own .ts files keep the preset's ts-jest.
const preset = require('../../jest.preset.js');

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
  ...preset,
  displayName: 'infrahub-client',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: {
    ...preset.transform,
    [`node_modules/${ESM}/.+\\.js$`]: [
      'babel-jest',
      { babelrc: false, configFile: false, presets: [['@babel/preset-env', { targets: { node: 'current' }, modules: 'commonjs' }]] },
    ],
  },
  // Ignore node_modules except the ESM packages above (wherever npm nested them).
  transformIgnorePatterns: [`/node_modules/(?!${ESM}/)`],
  // Integration scenarios wait out real backoffs and Retry-After delays.
  testTimeout: 30_000,
};
