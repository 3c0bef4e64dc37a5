import type { Logger } from '@temporalio/common';
import { Runtime, type State } from '@temporalio/worker';
import { observabilitySettingsFromEnv } from './settings';

/**
 * After the grace time the SDK cancels the activities still running; this
 * is how long they then get to stop (a heartbeating activity sees the
 * cancellation at once) before the worker gives up on them and run() fails.
 */
export const SHUTDOWN_FORCE_MARGIN_MS = 10_000;

export interface ShutdownOptions {
  /** Worker.create's shutdownGraceTime, in ms: how long in-flight activities may finish after shutdown starts. */
  shutdownGraceTime: number;
  /** Worker.create's shutdownForceTime, in ms: the grace plus a margin, so a worker never hangs in shutdown. */
  shutdownForceTime: number;
}

/** Worker.create's shutdown options from SYNAPSE_SHUTDOWN_GRACE_SECONDS (default 30). */
export function shutdownOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ShutdownOptions {
  const graceMs = Math.round(observabilitySettingsFromEnv(env).shutdownGraceSeconds * 1000);
  return { shutdownGraceTime: graceMs, shutdownForceTime: graceMs + SHUTDOWN_FORCE_MARGIN_MS };
}

/** What runUntilSignal needs of a Worker. */
export interface RunnableWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
  readonly options: { readonly taskQueue: string; readonly shutdownGraceTimeMs?: number; readonly shutdownForceTimeMs?: number };
}

/**
 * Several Workers of one process (one per task queue) run, stop and report
 * as one: stopping one stops all, and the group is RUNNING only while all are.
 */
export function workerGroup(workers: readonly RunnableWorker[]): RunnableWorker {
  const [first] = workers;
  if (!first) throw new Error('workerGroup: no workers');
  return {
    options: { ...first.options, taskQueue: workers.map((w) => w.options.taskQueue).join(', ') },
    getState: () => {
      const states = workers.map((w) => w.getState());
      return states.every((s) => s === 'RUNNING') ? 'RUNNING' : (states.find((s) => s !== 'RUNNING') ?? 'STOPPED');
    },
    shutdown: () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    run: async () => {
      // One worker ending (a failure) must not leave the others polling without it.
      const runs = workers.map((w) =>
        w.run().finally(() => {
          for (const other of workers) if (other !== w && other.getState() === 'RUNNING') other.shutdown();
        }),
      );
      const outcomes = await Promise.allSettled(runs);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

export interface RunUntilSignalOptions {
  service: string;
  /** Runs after the worker stopped, e.g. closing the health endpoint or device channels. */
  onStop?: () => void | Promise<void>;
  /** Defaults to the Runtime's logger (the one installRuntime set up). */
  logger?: Logger;
  /** Defaults to SIGTERM (what a container runtime sends) and SIGINT (Ctrl-C). */
  signals?: NodeJS.Signals[];
}

export interface RunOutcome {
  /** The signal that stopped the worker; undefined when it stopped for another reason. */
  signal?: NodeJS.Signals;
}

/**
 * Runs the worker until SIGTERM or SIGINT. The signal calls
 * worker.shutdown(): polling stops at once, in-flight activities get the
 * worker's shutdownGraceTime to finish, then the SDK cancels the rest (the
 * cancelled attempt fails and the server retries it on another worker).
 * Resolves when worker.run() does; a second signal while draining is only
 * logged. Rejects with run()'s error; when activities ignored their
 * cancellation until shutdownForceTime, with an error that says so (the SDK's
 * own is "Worker still in use", from releasing a worker they still hold).
 *
 * The Runtime must not handle the signals itself (installRuntime sets
 * `shutdownSignals: []`), or it would shut the worker down before onStop's
 * resources know.
 */
export async function runUntilSignal(worker: RunnableWorker, options: RunUntilSignalOptions): Promise<RunOutcome> {
  const runtime = Runtime.instance();
  const logger = options.logger ?? runtime.logger;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const graceSeconds = (worker.options.shutdownGraceTimeMs ?? 0) / 1000;
  const forceSeconds = worker.options.shutdownForceTimeMs === undefined ? undefined : worker.options.shutdownForceTimeMs / 1000;
  let received: NodeJS.Signals | undefined;
  let receivedAt = 0;

  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      logger.warn(`${options.service}: ${signal} received while shutting down; still waiting for in-flight work (grace ${graceSeconds} s)`, { signal });
      return;
    }
    received = signal;
    receivedAt = Date.now();
    logger.info(`${options.service}: ${signal} received, shutting down: polling stops, in-flight work gets ${graceSeconds} s`, {
      signal,
      taskQueue: worker.options.taskQueue,
      shutdownGraceSeconds: graceSeconds,
    });
    // Anything but RUNNING means the worker is already on its way down (or failed on its own).
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  for (const signal of signals) process.on(signal, onSignal);

  try {
    await worker.run();
    logger.info(`${options.service}: stopped`, { signal: received, taskQueue: worker.options.taskQueue });
    return received === undefined ? {} : { signal: received };
  } catch (err) {
    if (received !== undefined && forceSeconds !== undefined && Date.now() - receivedAt >= forceSeconds * 1000 - 100) {
      const message =
        `${options.service}: in-flight activities were still running ${forceSeconds} s after ${received} ` +
        `(${graceSeconds} s of grace, then cancelled, and they ignored it); exiting without them`;
      logger.error(message, { error: err, signal: received });
      throw new Error(message, { cause: err });
    }
    throw err;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    try {
      await options.onStop?.();
    } finally {
      // The forwarding logger holds lines for up to 100 ms to order them; the process may exit next.
      runtime.flushLogs();
    }
  }
}
