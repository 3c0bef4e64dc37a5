import type { ChildExit } from '../managed-child';
import type { RunningService, StackContext, StackService } from './stack-service';

export interface StackHooks {
  onStarting?(service: StackService): void;
  onReady?(running: readonly RunningService[]): void;
  onStopping?(reason: string): void;
}

/**
 * Starts the services in order (each sees what the earlier ones exported),
 * keeps them up until SIGINT/SIGTERM or until one of them ends on its own,
 * then stops the rest in reverse order. Resolves with the exit code for the
 * process: 0 for a requested stop, 1 when something died or failed to start.
 */
export async function runStack(services: readonly StackService[], hooks: StackHooks = {}): Promise<number> {
  let requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<{ signal: NodeJS.Signals }>((resolve) => {
    requestStop = (signal) => resolve({ signal });
  });
  process.on('SIGINT', requestStop);
  process.on('SIGTERM', requestStop);
  try {
    return await startAndSupervise(services, stopRequested, hooks);
  } finally {
    process.removeListener('SIGINT', requestStop);
    process.removeListener('SIGTERM', requestStop);
  }
}

async function startAndSupervise(
  services: readonly StackService[],
  stopRequested: Promise<{ signal: NodeJS.Signals }>,
  hooks: StackHooks,
): Promise<number> {
  const running: RunningService[] = [];
  const context: StackContext = { env: { ...process.env } };

  for (const service of services) {
    hooks.onStarting?.(service);
    const starting = service.start(context);
    let outcome: { started: RunningService } | { signal: NodeJS.Signals };
    try {
      // A Ctrl-C during a slow start must not wait for that start to finish.
      outcome = await Promise.race([starting.then((started) => ({ started })), stopRequested]);
    } catch (error) {
      hooks.onStopping?.(`could not start ${service.name}: ${error instanceof Error ? error.message : String(error)}`);
      await stopAll(running);
      return 1;
    }
    if ('signal' in outcome) {
      hooks.onStopping?.(`${outcome.signal} received while starting ${service.name}, stopping`);
      await starting.then((late) => late.stop(), () => undefined);
      await stopAll(running);
      return 0;
    }
    running.push(outcome.started);
    Object.assign(context.env, outcome.started.exports);
  }

  hooks.onReady?.(running);
  const firstExit = Promise.race(running.map((service) => service.exited.then((exit) => ({ service, exit }))));
  const ending = await Promise.race([stopRequested, firstExit]);
  if ('signal' in ending) {
    hooks.onStopping?.(`${ending.signal} received, stopping everything`);
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
