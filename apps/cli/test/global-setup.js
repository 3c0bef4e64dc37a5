// Builds the CLI (tsc is incremental: a no-op when nothing changed), then
// gets Temporal the way every project's tests do.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function setup() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
  await require('@synapse/temporal-tools/jest-global-setup')();
};
