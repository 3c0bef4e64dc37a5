import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

export const FIXTURES = path.join(__dirname, 'fixtures');
const WORKER_SCRIPT = path.join(FIXTURES, 'worker-process.js');
const BUILT_LIBRARY = path.join(__dirname, '..', 'dist', 'index.js');

export const temporalAddress = (): string => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
  return address;
};
export const temporalNamespace = (): string => process.env.TEMPORAL_NAMESPACE ?? 'default';

const silent = () => undefined;
export const quietLogger = { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent };

/**
 * The fixture workflows bundled once per test file with the library's
 * workflow interceptors, the way a production image prebuilds its bundle.
 */
export async function bundleFixtureWorkflows(workflowInterceptorModule: string): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: path.join(FIXTURES, 'workflows.ts'),
    workflowInterceptorModules: [workflowInterceptorModule],
    logger: quietLogger,
  });
}

export function writeBundle(bundle: WorkflowBundle, file: string): string {
  writeFileSync(file, bundle.code);
  return file;
}

export interface WorkerChild {
  child: ChildProcessWithoutNullStreams;
  ready: Record<string, unknown>;
  /** Every stdout line so far. */
  lines(): string[];
  /** The stdout lines that parsed as JSON objects. */
  records(): Record<string, unknown>[];
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves with the first record (already printed or to come) matching. */
  waitFor(match: (record: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/** Starts the fixture worker process and waits for its ready line. */
export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  if (!existsSync(BUILT_LIBRARY)) throw new Error(`${BUILT_LIBRARY} is missing: build the library first (npx nx run observability:build)`);
  const child = spawn(process.execPath, [WORKER_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_NAMESPACE: temporalNamespace(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const waiters: { match: (record: Record<string, unknown>) => boolean; resolve: (record: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      const record = parseRecord(line);
      if (!record) continue;
      records.push(record);
      for (const waiter of [...waiters]) {
        if (!waiter.match(record)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitFor = (match: (record: Record<string, unknown>) => boolean, what: string, timeoutMs = 30_000) => {
    const seen = records.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s; stdout:\n${lines.join('\n')}\nstderr: ${stderr}`)), timeoutMs);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited with ${code} before ${what}; stdout:\n${lines.join('\n')}\nstderr: ${stderr}`));
      });
      waiters.push({
        match,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      });
    });
  };

  const ready = await waitFor((record) => record.service === 'fixture-worker' && typeof record.taskQueue === 'string', 'ready line');
  return {
    child,
    ready,
    lines: () => [...lines],
    records: () => [...records],
    stderr: () => stderr,
    exited,
    waitFor,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The fixture worker's activities, for a worker in the test process. */
export const fixtureActivities = require('./fixtures/activities.js') as Record<string, (...args: unknown[]) => Promise<unknown>>;
