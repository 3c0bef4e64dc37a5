/**
 * `npx synapse` as the README and the `npm start` banner tell an operator to
 * run it: from a fresh clone, after the project's own set-up
 * (tools/scripts/bootstrap.js, which `npm start` and `npm test` run first:
 * npm ci and the Python venv) and the build `npm start` runs, against a
 * running Temporal (this suite's); and again after the CLI is rebuilt. npm ci
 * runs before anything is built, so the package bin must be a committed,
 * executable file (apps/cli/bin/synapse.js) and not dist/main.js, which does
 * not exist yet then and which every build writes again without an execute bit.
 *
 * The clone is of HEAD: what is committed is what is tested. With the
 * machine's npm, pip and Nx caches warm (a clone's `npm start` would use them
 * too) it took 1.5 to 2.5 minutes on a 2-core machine, most of it npm ci and
 * pip (50-95 s) and the CLI's rebuild (15-30 s); with cold caches, minutes more.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { temporalSettingsFromEnv } from '@synapse/contracts';

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');
const MINUTE = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * The environment of everything run in the clone: this process's, without
 * what ties it to this checkout or to the task running it (nx's NX_* such as
 * NX_WORKSPACE_ROOT_PATH and NX_SKIP_NX_CACHE, npm's npm_config_local_prefix
 * and npm_package_*, this checkout's node_modules/.bin on PATH) or to the
 * developer's shell (SYNAPSE_*), with the Node running this test first on PATH.
 */
function cloneEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('NX_') || name.startsWith('SYNAPSE_') || name === 'INIT_CWD') continue;
    if (name.startsWith('npm_') && (!name.startsWith('npm_config_') || name === 'npm_config_local_prefix')) continue;
    env[name] = value;
  }
  const insideWorkspace = (dir: string) => dir === WORKSPACE_ROOT || dir.startsWith(WORKSPACE_ROOT + path.sep);
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir && !insideWorkspace(path.resolve(dir)));
  return {
    ...env,
    PATH: [path.dirname(process.execPath), ...pathDirs].join(path.delimiter),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    // npm ci from the npm cache where it has the package, as a developer's second clone would.
    npm_config_prefer_offline: 'true',
  };
}

function run(command: string, args: string[], cwd: string, timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, { cwd, env: { ...cloneEnv(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}\n${command}: ${err.message}`, durationMs: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** What a failed step printed, last part first in mind: enough to see why without the whole npm ci log. */
function describeRun(what: string, result: Run): string {
  const tail = (text: string) => (text.length > 4000 ? `…${text.slice(-4000)}` : text);
  return `${what} exited with ${result.code} after ${result.durationMs} ms\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`;
}

async function mustSucceed(what: string, command: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(describeRun(what, result));
  return result;
}

describe('npx synapse from a fresh clone', () => {
  const temporal = temporalSettingsFromEnv();
  const timings: string[] = [];
  let tempDir: string;
  let clone: string;
  let startedAt: number;

  const npxSynapse = (args: string[]) => run('npx', ['synapse', ...args], clone, 2 * MINUTE, { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, USER: 'alice' });

  async function step(what: string, command: string, args: string[], timeoutMs: number): Promise<Run> {
    const result = await mustSucceed(what, command, args, clone, timeoutMs);
    timings.push(`${what} ${(result.durationMs / 1000).toFixed(1)} s`);
    return result;
  }

  async function expectNpxSynapseWorks(): Promise<void> {
    const help = await npxSynapse(['--help']);
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: synapse');
    expect(help.stdout).toContain('TEMPORAL_ADDRESS');

    // The banner's command: `TEMPORAL_ADDRESS=… npx synapse change list`.
    const list = await npxSynapse(['change', 'list']);
    if (list.code !== 0) throw new Error(describeRun('npx synapse change list', list));
    expect(list.stderr).toBe('');
  }

  beforeAll(async () => {
    startedAt = Date.now();
    tempDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'synapse-clone-')));
    clone = path.join(tempDir, 'repo');
    const cloned = await run('git', ['clone', '--quiet', WORKSPACE_ROOT, clone], tempDir, 2 * MINUTE);
    if (cloned.code !== 0) throw new Error(describeRun('git clone', cloned));
    // The project's own set-up, as `npm start`/`npm test` run it (prestart/pretest), then `npm start`'s build.
    await step('bootstrap (npm ci, venv)', process.execPath, ['tools/scripts/bootstrap.js'], 10 * MINUTE);
    timings.unshift(`git clone ${(cloned.durationMs / 1000).toFixed(1)} s`);
  }, 12 * MINUTE);

  afterAll(() => {
    if (tempDir) {
      // Deleting a clone's ~35,000 files took 30-75 s on a test machine's disk: a
      // process of its own does it, and the suite does not wait for it.
      const script = 'require("node:fs").rmSync(process.argv[1], { recursive: true, force: true })';
      spawn(process.execPath, ['-e', script, tempDir], { detached: true, stdio: 'ignore' }).unref();
    }
    console.log(`[install] ${timings.join(', ')}; ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all (${tempDir} is being removed)`);
  });

  it('has the launcher committed with its execute bit, and npm ci links it as node_modules/.bin/synapse', async () => {
    const staged = await mustSucceed('git ls-files', 'git', ['ls-files', '--stage', 'apps/cli/bin/synapse.js'], clone, MINUTE);
    expect(staged.stdout).toMatch(/^100755 /);
    const bin = path.join(clone, 'node_modules', '.bin', 'synapse');
    expect(realpathSync(bin)).toBe(path.join(clone, 'apps', 'cli', 'bin', 'synapse.js'));
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  it('before the build, says how to build instead of failing obscurely', async () => {
    const result = await npxSynapse(['--help']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the CLI is not built');
    expect(result.stderr).toContain('npx nx build cli');
  });

  it('after the build `npm start` runs, `npx synapse --help` and `npx synapse change list` work', async () => {
    await step('build (nx run-many -t build)', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], 10 * MINUTE);
    await expectNpxSynapseWorks();
  }, 12 * MINUTE);

  it('after the CLI is rebuilt (dist/ written anew), both still work', async () => {
    const main = path.join(clone, 'apps', 'cli', 'dist', 'main.js');
    const before = statSync(main).mtimeMs;
    rmSync(path.join(clone, 'apps', 'cli', 'dist'), { recursive: true, force: true });
    await step('rebuild (nx build cli)', 'npx', ['nx', 'build', 'cli', '--skip-nx-cache', '--excludeTaskDependencies', '--outputStyle=static'], 5 * MINUTE);
    expect(statSync(main).mtimeMs).toBeGreaterThan(before);
    await expectNpxSynapseWorks();
  }, 6 * MINUTE);
});
