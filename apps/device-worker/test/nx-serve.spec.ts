/**
 * `nx serve device-worker` is the developer's loop: @nx/js:node runs the
 * @nx/js:tsc build in watch mode and restarts the worker after every rebuild.
 * This runs that very command in a scratch copy of the workspace (the real
 * nx.json, root package.json and this project's package.json and sources),
 * waits for the worker's ready line, edits src/main.ts and waits for a
 * second ready line from the rebuilt code.
 *
 * Only apps/device-worker is copied as a project; the libraries it imports
 * come through node_modules (a link to this checkout's), built by this
 * target's `^build`. In the copy Nx then builds and watches device-worker
 * alone, which keeps the test to about half a minute on 2 cores.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROJECT = path.join('apps', 'device-worker');
const ROOT_FILES = ['nx.json', 'package.json', 'package-lock.json', 'tsconfig.base.json', 'jest.preset.js', '.gitignore'];
const READY = '{"service":"device-worker"';
const address = process.env.TEMPORAL_ADDRESS;
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

/** A copy Nx treats as its own workspace: no .git (so no shared cache), node_modules linked. */
function copyWorkspace(into: string): void {
  for (const file of ROOT_FILES) cpSync(path.join(ROOT, file), path.join(into, file));
  const skip = new Set(['dist', 'node_modules', 'test', '.data']);
  cpSync(path.join(ROOT, PROJECT), path.join(into, PROJECT), {
    recursive: true,
    filter: (source) => !skip.has(path.basename(source)) || path.dirname(source) !== path.join(ROOT, PROJECT),
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'), 'dir');
}

interface Serve {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  readyLines: () => string[];
  /** Resolves once `count` ready lines have been printed; rejects on exit or after `ms`. */
  waitForReady: (count: number, ms: number) => Promise<void>;
  /** SIGTERM to the whole process group (nx, the executor, tsc's watcher, the worker), SIGKILL after 10 s. */
  stop: () => Promise<void>;
}

function serve(cwd: string, env: NodeJS.ProcessEnv): Serve {
  // Its own process group, so stop() reaches every process nx starts.
  const child = spawn('npx', ['nx', 'serve', 'device-worker'], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const listener of listeners) listener();
      resolve();
    }),
  );
  const readyLines = () => output.split('\n').filter((line) => line.includes(READY));
  return {
    child,
    output: () => output,
    readyLines,
    waitForReady: (count, ms) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (readyLines().length >= count) finish();
          else if (exitCode !== undefined) finish(new Error(`nx serve exited (${exitCode}) after ${readyLines().length} ready line(s):\n${output.slice(-4000)}`));
        };
        const timer = setTimeout(() => finish(new Error(`${readyLines().length} ready line(s) within ${ms} ms, expected ${count}:\n${output.slice(-4000)}`)), ms);
        const finish = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      if (exitCode !== undefined) return;
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          // The group is gone already.
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      // Whatever of the group outlived nx itself.
      signal('SIGKILL');
    },
  };
}

describe('nx serve device-worker', () => {
  let dir: string;

  beforeAll(() => {
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    if (!existsSync(path.join(ROOT, 'libs', 'contracts', 'dist', 'index.js'))) throw new Error('the libraries are not built: run through nx (nx test device-worker builds them)');
    dir = mkdtempSync(path.join(tmpdir(), 'device-worker-nx-serve-'));
    copyWorkspace(dir);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds and restarts the worker after a source edit', async () => {
    const taskQueue = `device-operations-nx-serve-${randomUUID()}`;
    // A clean environment: none of the NX_* variables of the nx run this test may be part of.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      SYNAPSE_DEVICE_TASK_QUEUE: taskQueue,
      SYNAPSE_DEVICE_URGENT_TASK_QUEUE: `${taskQueue}-urgent`,
      SYNAPSE_BACKUP_DIR: path.join(dir, 'backups'),
    };
    const server = serve(dir, env);
    try {
      await server.waitForReady(1, 150_000);
      expect(JSON.parse(server.readyLines()[0]!.slice(server.readyLines()[0]!.indexOf(READY)))).toMatchObject({ service: 'device-worker', taskQueue, temporal: address });

      const marker = `// nx-serve test edit ${randomUUID()}`;
      appendFileSync(path.join(dir, PROJECT, 'src', 'main.ts'), `\n${marker}\n`);
      await server.waitForReady(2, 60_000);
      // The second worker runs the rebuilt code: tsc keeps comments, so the edit is in dist/main.js.
      expect(readFileSync(path.join(dir, PROJECT, 'dist', 'main.js'), 'utf8')).toContain(marker);
      // tsc's watcher saw the edit: an incremental rebuild, not a second start from scratch.
      expect(server.output()).toContain('File change detected. Starting incremental compilation...');
    } finally {
      await server.stop();
    }
  }, 240_000);
});
