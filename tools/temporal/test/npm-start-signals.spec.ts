import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort, isPortFree } from '../src/free-port';
import { WORKSPACE_ROOT } from '../src/workspace-paths';
import { isRunning } from './process-state';

/**
 * The real `npm start`, as an operator runs it, stopped the ways an operator
 * (or their terminal, or their supervisor) stops it: SIGTERM or SIGINT to
 * npm, SIGHUP to npm (which npm does not forward), and the process that ran
 * `npm start` killed outright. Each time every process it started — npm,
 * the stack, the Temporal CLI's dev server, both simulators, the three
 * workers, their watchdogs — is gone and every port it listened on is free
 * within 10 s. Each stack runs on free ports and its own data directory, so
 * it clashes neither with the suite's Temporal server nor with an operator's
 * `npm start`.
 */
const STOP_DEADLINE_MS = 10_000;
const STARTUP_TIMEOUT_MS = 150_000;
const CASE_TIMEOUT_MS = STARTUP_TIMEOUT_MS + 30_000;

const stopTimes: string[] = [];

describe('npm start stops everything it started', () => {
  // `npm start` builds every project first. Built once here, each case's own build step is
  // nx's cache (about 2 s) rather than a full build racing the stack it starts.
  beforeAll(async () => {
    const build = await runToEnd('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], operatorEnv());
    if (build.code !== 0) throw new Error(`nx run-many -t build failed:\n${build.output.slice(-4000)}`);
  }, 15 * 60_000);

  afterAll(() => {
    console.log(`npm start, from the stop request to every process gone and every port free: ${stopTimes.join('; ')}`);
  });

  let stack: RunningNpmStart | undefined;
  afterEach(() => {
    // A failed case must not leave a stack behind: kill what is left of the tree it started.
    for (const pid of stack?.tree ?? []) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    if (stack) fs.rmSync(stack.dataDir, { recursive: true, force: true });
    stack = undefined;
  });

  it(
    'SIGTERM to npm: everything stops and every port is free within 10 s, npm exits 0; while up, each worker held only its own secrets',
    async () => {
      stack = await startNpmStart('npm');
      const workers = workerEnvironments(stack.tree);
      expect(Object.keys(workers).sort()).toEqual(['device-worker', 'infrahub-worker', 'workflow-worker']);
      expect(workers['device-worker']).toMatchObject({ SYNAPSE_DEVICE_USERNAME: 'admin', SYNAPSE_DEVICE_PASSWORD: 'NokiaSrl1!' });
      expect(workers['device-worker'].SYNAPSE_DEVICE_INVENTORY).toBe(path.join(stack.dataDir, 'stack', 'device-inventory.jsonl'));
      expect(workers['device-worker'].SYNAPSE_BACKUP_DIR).toBe(path.join(stack.dataDir, 'backups'));
      // The simulated devices serve TLS; the worker verifies them against the simulator's CA.
      expect(workers['device-worker']).toMatchObject({ SYNAPSE_GNMI_TRANSPORT: 'tls', SYNAPSE_GNMI_CA_FILE: path.join(stack.dataDir, 'stack', 'device-sim-ca.pem') });
      expect(namesLike(workers['device-worker'], /^INFRAHUB_(ADDRESS|API_TOKEN|USERNAME|PASSWORD)$/)).toEqual([]);
      expect(workers['infrahub-worker']).toMatchObject({ INFRAHUB_ADDRESS: `http://127.0.0.1:${stack.env.INFRAHUB_SIM_PORT}` });
      expect(workers['infrahub-worker'].INFRAHUB_API_TOKEN).toMatch(/\S/);
      expect(namesLike(workers['infrahub-worker'], /^SYNAPSE_DEVICE_/)).toEqual([]);
      expect(namesLike(workers['workflow-worker'], /^(SYNAPSE_DEVICE_|INFRAHUB_(ADDRESS|API_TOKEN|USERNAME|PASSWORD)$)/)).toEqual([]);
      // Nor does any other process of the tree (Temporal, the simulators, the watchdogs) hold one.
      const holders = (variable: string) =>
        stack!.tree.filter((pid) => variable in environmentOf(pid)).map((pid) => /apps\/([\w-]+)\//.exec(commandLine(pid))?.[1] ?? commandLine(pid));
      expect(holders('SYNAPSE_DEVICE_PASSWORD')).toEqual(['device-worker']);
      expect(holders('INFRAHUB_API_TOKEN')).toEqual(['infrahub-worker']);

      const stopped = await stopAndMeasure(stack, 'SIGTERM', () => process.kill(stack!.npmPid, 'SIGTERM'));

      expect(stopped.survivors).toEqual([]);
      expect(stopped.busyPorts).toEqual([]);
      expect(stack.output()).toContain('SIGTERM received, stopping everything');
      expect(await stack.npmExit).toEqual({ code: 0, signal: null });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGINT to npm: everything stops within 10 s, npm exits 0; `npm start -- --fresh` had removed the saved state first',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
      const seeded = [path.join(dataDir, 'stack', 'devices', 'leaf01.json'), path.join(dataDir, 'temporal', 'dev.sqlite'), path.join(dataDir, 'backups', 'leaf01.json')];
      for (const file of seeded) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, 'left over from an earlier run');
      }
      stack = await startNpmStart('npm', { dataDir, args: ['--', '--fresh'] });
      expect(stack.output()).toContain(`--fresh: removed ${[path.join(dataDir, 'stack', 'devices'), seeded[1], path.join(dataDir, 'backups')].join(', ')}`);

      const stopped = await stopAndMeasure(stack, 'SIGINT', () => process.kill(stack!.npmPid, 'SIGINT'));

      expect(stopped.survivors).toEqual([]);
      expect(stopped.busyPorts).toEqual([]);
      expect(stack.output()).toContain('SIGINT received, stopping everything');
      expect(await stack.npmExit).toEqual({ code: 0, signal: null });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGHUP to npm, which npm does not forward: npm dies, the stack notices and stops everything within 10 s',
    async () => {
      stack = await startNpmStart('npm');

      const stopped = await stopAndMeasure(stack, 'SIGHUP', () => process.kill(stack!.npmPid, 'SIGHUP'));

      expect(stopped.survivors).toEqual([]);
      expect(stopped.busyPorts).toEqual([]);
      expect(stack.output()).toMatch(/\(pid \d+\), which started us, is gone, stopping everything/);
      expect(stack.output()).toContain('stopped.');
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'the process that ran npm start is killed (SIGKILL): npm lives on as an orphan, yet everything stops within 10 s',
    async () => {
      stack = await startNpmStart('parent');

      const stopped = await stopAndMeasure(stack, 'parent SIGKILL', () => process.kill(stack!.rootPid, 'SIGKILL'));

      expect(stopped.survivors).toEqual([]);
      expect(stopped.busyPorts).toEqual([]);
      expect(stack.output()).toMatch(new RegExp(`\\(pid ${stack.rootPid}\\), which started npm start \\(pid ${stack.npmPid}\\), is gone, stopping everything`));
      expect(stack.output()).toContain('stopped.');
    },
    CASE_TIMEOUT_MS,
  );
});

interface RunningNpmStart {
  /** What we spawned: npm itself, or the parent process that ran it. */
  rootPid: number;
  npmPid: number;
  npmExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process of the tree once the stack was up, the root included. */
  tree: number[];
  /** Every port the stack announced in its banner. */
  ports: number[];
  dataDir: string;
  env: NodeJS.ProcessEnv;
  output(): string;
  /** Resolves once every holder of our output pipes has exited. */
  outputClosed: Promise<void>;
}

/**
 * Runs `npm start` (directly, or from a parent process that stays in
 * between) and resolves once its banner is complete.
 */
async function startNpmStart(launch: 'npm' | 'parent', options: { dataDir?: string; args?: string[] } = {}): Promise<RunningNpmStart> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
  const env: NodeJS.ProcessEnv = {
    ...operatorEnv(),
    TEMPORAL_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
    INFRAHUB_SIM_PORT: String(await findFreePort()),
    DEVICE_SIM_BASE_PORT: '0',
    SYNAPSE_STACK_DATA_DIR: dataDir,
  };
  const npmArgs = ['start', ...(options.args ?? [])];
  const launcher =
    launch === 'npm'
      ? spawn('npm', npmArgs, { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(
          process.execPath,
          [
            '-e',
            `const npm = require('node:child_process').spawn('npm', ${JSON.stringify(npmArgs)}, { stdio: 'inherit' });
             console.log('npm pid ' + npm.pid);
             setInterval(() => undefined, 60_000);`,
          ],
          { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
        );

  const lines: string[] = [];
  const closed = [launcher.stdout!, launcher.stderr!].map((stream) => {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => lines.push(line));
    return new Promise<void>((resolve) => stream.once('close', () => resolve()));
  });
  const launcherExit = exitOf(launcher);
  const output = () => lines.join('\n');

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!lines.includes('Press Ctrl-C to stop everything.')) {
    if (Date.now() > deadline || launcher.exitCode !== null || launcher.signalCode !== null) {
      launcher.kill('SIGTERM');
      throw new Error(`npm start did not come up (${launch}). Its output:\n${output().slice(-6000)}`);
    }
    await sleep(100);
  }

  const npmPid = launch === 'npm' ? launcher.pid! : Number(/^npm pid (\d+)$/m.exec(output())?.[1]);
  const banner = output();
  const ports = [
    Number(env.TEMPORAL_PORT),
    Number(env.TEMPORAL_UI_PORT),
    Number(env.INFRAHUB_SIM_PORT),
    // The devices (`  leaf01    127.0.0.1:40123`) and the simulator's control endpoint.
    ...[...banner.matchAll(/^ {2}[\w-]+ +127\.0\.0\.1:(\d+)$/gm)].map((match) => Number(match[1])),
    Number(/^Device-sim control +http:\/\/127\.0\.0\.1:(\d+)/m.exec(banner)?.[1]),
  ];
  expect(ports.length).toBeGreaterThanOrEqual(7);
  expect(ports.every((port) => Number.isInteger(port) && port > 0)).toBe(true);

  return {
    rootPid: launcher.pid!,
    npmPid,
    npmExit: launch === 'npm' ? launcherExit : new Promise(() => undefined),
    tree: descendantsOf(launcher.pid!),
    ports,
    dataDir,
    env,
    output,
    outputClosed: Promise.all(closed).then(() => undefined),
  };
}

/** Sends the stop, then waits for every process of the tree to be gone; reports what is left. */
async function stopAndMeasure(stack: RunningNpmStart, how: string, stop: () => void): Promise<{ survivors: string[]; busyPorts: number[] }> {
  // The whole tree: the stack, Temporal and its children, the simulators, the workers, the watchdogs.
  expect(stack.tree.length).toBeGreaterThanOrEqual(12);
  const startedAt = Date.now();
  stop();
  while (Date.now() - startedAt < STOP_DEADLINE_MS && stack.tree.some((pid) => isRunning(pid))) await sleep(50);
  const survivors = stack.tree.filter((pid) => isRunning(pid)).map(describeProcess);
  const busyPorts: number[] = [];
  for (const port of stack.ports) if (!(await isPortFree(port))) busyPorts.push(port);
  stopTimes.push(`${how} ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  // Its last words (why it stopped) are read to the end.
  await Promise.race([stack.outputClosed, sleep(2_000)]);
  return { survivors, busyPorts };
}

/** Our environment as an operator's shell would have it: no npm or nx task variables, no test Temporal. */
function operatorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|NX_)/i.test(name) || name === 'TEMPORAL_ADDRESS' || name === 'TEMPORAL_NAMESPACE') continue;
    env[name] = value;
  }
  return env;
}

/** The pid and every descendant, from /proc. */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Exited while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

function workerEnvironments(tree: number[]): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const pid of tree) {
    const worker = /apps\/([\w-]+-worker)\/dist\/main\.js/.exec(commandLine(pid))?.[1];
    if (!worker) continue;
    found[worker] = environmentOf(pid);
  }
  return found;
}

/** The environment a process was started with. */
function environmentOf(pid: number): Record<string, string> {
  try {
    const entries = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  } catch {
    return {};
  }
}

function namesLike(env: Record<string, string>, pattern: RegExp): string[] {
  return Object.keys(env).filter((name) => pattern.test(name));
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function describeProcess(pid: number): string {
  return `${pid} ${commandLine(pid).slice(0, 160)}`;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}
