/**
 * Runs the built `synapse` (dist/main.js, built by the global setup) as an
 * operator would: a child process, its exit code and its output. Always
 * asynchronous: the test's own Temporal worker runs in this process and must
 * keep polling while the CLI waits on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

export const CLI = path.join(__dirname, '..', 'dist', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The environment a CLI run gets: the suite's Temporal, and no stray SYNAPSE_* from the developer's shell. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SYNAPSE_')) env[name] = value;
  return { ...env, USER: 'alice', ...extra };
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Resolves when stdout contains `text`; rejects when the process ends first or after timeoutMs. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliRun>;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timeoutMs = options.timeoutMs ?? 45_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      listeners.forEach((l) => l());
      resolve({ code, stdout, stderr, durationMs: Date.now() - started });
    }),
  );
  const matches = (text: string | RegExp) => (typeof text === 'string' ? stdout.includes(text) : text.test(stdout));
  return {
    child,
    stdout: () => stdout,
    done,
    waitForOutput(text, waitMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (matches(text)) finish(resolve);
          else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`synapse ${args.join(' ')} ended before printing ${String(text)}:\n${stdout}\n${stderr}`)));
        };
        const timeout = setTimeout(() => finish(() => reject(new Error(`no ${String(text)} within ${waitMs} ms:\n${stdout}\n${stderr}`))), waitMs);
        const finish = (fn: () => void) => {
          clearTimeout(timeout);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `fn` until `ok` says yes or the time is up; returns the last value either way, for the assertion to judge. */
export async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
