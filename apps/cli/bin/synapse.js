#!/usr/bin/env node
// The `synapse` command (package bin). Committed, executable and plain
// CommonJS, so that `npm ci` links it on a fresh clone before anything is
// built and no rebuild of dist/ can take away its execute bit. It runs the
// built CLI, dist/main.js, which starts as soon as it is loaded.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

function notBuilt(what) {
  process.stderr.write(
    `synapse: the CLI is not built (${what}).\n` +
      'Build it from the repository root with `npx nx build cli` (or `npm start`, which builds everything), then run the command again.\n',
  );
  process.exit(1);
}

if (!fs.existsSync(MAIN)) notBuilt(`${path.relative(process.cwd(), MAIN) || MAIN} is missing`);
try {
  require(MAIN);
} catch (err) {
  // dist/main.js is there but a workspace library it loads is not built
  // (`Cannot find module '@synapse/contracts'` or '…/contracts/dist/index.js').
  const missing = err && err.code === 'MODULE_NOT_FOUND' && /Cannot find module '([^']+)'/.exec(err.message);
  if (missing && /@synapse\/|^(?!.*node_modules).*[\\/]dist[\\/]/.test(missing[1])) notBuilt(`${missing[1]} cannot be loaded`);
  throw err;
}
