import type { ChildExit } from '../managed-child';
import { stackContext, type RunningService, type StackService } from './stack-service';

export interface StackHooks {
  onStarting?(service: StackService): void;
  onReady?(running: readonly RunningService[]): void;
  onStopping?(reason: string): void;
}

export interface StackOptions {
  /** Another reason to stop, besides a signal (the launcher went away): resolves with what happened. */
  stopWhen?: Promise<string>;
}

/** SIGHUP: the terminal closed. Each of them means "stop everything, cleanly". */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Starts the services in order (each sees what the earlier ones exported),
 * keeps them up until SIGINT/SIGTERM/SIGHUP, options.stopWhen, or one of them
 * ending on its own, then stops the rest in reverse order. Resolves with the
 * exit code for the process: 0 for a requested stop, 1 when something died or
 * failed to start.
 */
export async function runStack(services: readonly StackService[], hooks: StackHooks = {}, options: StackOptions = {}): Promise<number> {
  let requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<{ reason: string }>((resolve) => {
    requestStop = (signal) => resolve({ reason: `${signal} received` });
    options.stopWhen?.then((reason) => resolve({ reason }), () => undefined);
  });
  for (const signal of STOP_SIGNALS) process.on(signal, requestStop);
  try {
    return await startAndSupervise(services, stopRequested, hooks);
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, requestStop);
  }
}

async function startAndSupervise(services: readonly StackService[], stopRequested: Promise<{ reason: string }>, hooks: StackHooks): Promise<number> {
  const running: RunningService[] = [];
  const context = stackContext(process.env);

  for (const service of services) {
    hooks.onStarting?.(service);
    const starting = service.start(context);
    let outcome: { started: RunningService } | { reason: string };
    try {
      // A Ctrl-C during a slow start must not wait for that start to finish.
      outcome = await Promise.race([starting.then((started) => ({ started })), stopRequested]);
    } catch (error) {
      hooks.onStopping?.(`could not start ${service.name}: ${error instanceof Error ? error.message : String(error)}`);
      await stopAll(running);
      return 1;
    }
    if ('reason' in outcome) {
      hooks.onStopping?.(`${outcome.reason} while starting ${service.name}, stopping`);
      await starting.then((late) => late.stop(), () => undefined);
      await stopAll(running);
      return 0;
    }
    running.push(outcome.started);
    Object.assign(context.env, outcome.started.exports);
    Object.assign(context.scoped, outcome.started.scopedExports);
  }

  hooks.onReady?.(running);
  const firstExit = Promise.race(running.map((service) => service.exited.then((exit) => ({ service, exit }))));
  const ending = await Promise.race([stopRequested, firstExit]);
  if ('reason' in ending) {
    hooks.onStopping?.(`${ending.reason}, stopping everything`);
    await stopAll(running);
    return 0;
  }
  hooks.onStopping?.(`${ending.service.name} stopped unexpectedly (${describeExit(ending.exit)}), stopping the rest`);
  await stopAll(running.filter((service) => service !== ending.service));
  return 1;
}

/** Later services depend on earlier ones (workers on Temporal): stop them first. */
async function stopAll(running: readonly RunningService[]): Promise<void> {
  for (const service of [...running].reverse()) {
    await service.stop().catch((error: unknown) => {
      console.error(`stopping ${service.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
