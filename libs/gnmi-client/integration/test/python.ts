import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Python that has pygnmi: the venv bootstrap creates under .data/venv, or
 * SYNAPSE_PYTHON. Missing means set-up did not run — fail loudly, never skip.
 */
export function pythonWithPygnmi(): string {
  const explicit = process.env.SYNAPSE_PYTHON;
  if (explicit) return explicit;
  const venvPython = path.join(workspaceRoot(), '.data', 'venv', 'bin', 'python');
  if (!fs.existsSync(venvPython)) {
    throw new Error(`no Python with pygnmi at ${venvPython}: run \`node tools/scripts/bootstrap.js\` (npm test does) or set SYNAPSE_PYTHON`);
  }
  return venvPython;
}

/** The folder holding nx.json, found by walking up: this file runs from test/ and from dist/test/. */
function workspaceRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
