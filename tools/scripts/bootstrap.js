#!/usr/bin/env node
// Makes a fresh clone runnable: node_modules from package-lock.json, and a
// Python venv with tools/python/requirements.txt at .data/venv. Runs before
// `npm test` and `npm start`, so it is plain Node with no dependencies (there
// may be no node_modules yet) and does nothing when everything is in place.
// The Temporal CLI is obtained by tools/temporal (with-dev-server,
// start-stack, the Jest global setup), the one place that owns that logic.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const LOCKFILE = path.join(ROOT, 'package-lock.json');
// npm rewrites this after every install, so it is newer than the lockfile
// whenever node_modules matches it.
const INSTALLED_LOCKFILE = path.join(ROOT, 'node_modules', '.package-lock.json');
const VENV = path.join(ROOT, '.data', 'venv');
const VENV_PYTHON = path.join(VENV, 'bin', 'python');
const REQUIREMENTS = path.join(ROOT, 'tools', 'python', 'requirements.txt');
// Records which requirements (and which Python) the venv was built from.
const VENV_STAMP = path.join(VENV, '.synapse-requirements.sha256');

function log(message) {
  console.log(`[bootstrap] ${message}`);
}

function fail(message) {
  console.error(`[bootstrap] ${message}`);
  process.exit(1);
}

function run(command, args, what) {
  log(`${what}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`${what} failed: could not run ${command} (${result.error.code || result.error.message})`);
  if (result.status !== 0) fail(`${what} failed: ${command} exited with ${result.status ?? result.signal}`);
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function ensureNodeModules() {
  const installedAt = mtimeMs(INSTALLED_LOCKFILE);
  const lockedAt = mtimeMs(LOCKFILE);
  if (installedAt !== undefined && lockedAt !== undefined && installedAt >= lockedAt) return;
  const why = installedAt === undefined ? 'node_modules is missing' : 'package-lock.json is newer than node_modules';
  // npm_execpath is the npm that runs us under `npm test`; plain `npm` otherwise.
  const npmCli = process.env.npm_execpath;
  if (npmCli && npmCli.endsWith('.js')) run(process.execPath, [npmCli, 'ci', '--no-audit', '--no-fund'], `${why}, installing`);
  else run('npm', ['ci', '--no-audit', '--no-fund'], `${why}, installing`);
}

function requirementsFingerprint(python) {
  const version = spawnSync(python, ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(REQUIREMENTS))
    .update(version.stdout || '')
    .digest('hex');
}

function ensurePythonVenv() {
  if (fs.existsSync(VENV_PYTHON) && fs.existsSync(VENV_STAMP)) {
    // Fast path: only the venv's own Python version is asked, ~20 ms.
    if (fs.readFileSync(VENV_STAMP, 'utf8').trim() === requirementsFingerprint(VENV_PYTHON)) return;
  }
  if (!fs.existsSync(VENV_PYTHON)) {
    const python3 = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    if (python3.error) fail('python3 was not found on PATH. Install Python 3 with venv and pip (Debian: apt-get install python3 python3-venv python3-pip).');
    fs.mkdirSync(path.dirname(VENV), { recursive: true });
    const created = spawnSync('python3', ['-m', 'venv', VENV], { cwd: ROOT, encoding: 'utf8' });
    if (created.status !== 0) {
      fs.rmSync(VENV, { recursive: true, force: true });
      const ensurepipMissing = /ensurepip/.test(created.stderr + created.stdout);
      fail(
        `could not create the Python venv at ${path.relative(ROOT, VENV)}` +
          (ensurepipMissing ? ': python3 has no venv/ensurepip support (Debian: apt-get install python3-venv).' : `:\n${created.stderr}`),
      );
    }
    log(`created the Python venv at ${path.relative(ROOT, VENV)}`);
  }
  run(VENV_PYTHON, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', REQUIREMENTS], 'installing Python requirements');
  fs.writeFileSync(VENV_STAMP, requirementsFingerprint(VENV_PYTHON) + '\n');
}

const startedAt = Date.now();
ensureNodeModules();
ensurePythonVenv();
const elapsed = Date.now() - startedAt;
if (elapsed > 1000) log(`ready in ${(elapsed / 1000).toFixed(1)} s`);
