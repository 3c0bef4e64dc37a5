import { Context } from '@temporalio/activity';

export interface ProgressHeartbeat {
  /** Records a step (phase change) and heartbeats it at once, so the UI and a retry see it. */
  update(patch: Record<string, unknown>): void;
  /**
   * Heartbeats now and every interval until `work` settles. A call into a
   * device (a Set of a large config, a slow device) can outlast the
   * heartbeat timeout; without this the server would declare the worker
   * lost while it is still waiting for the device.
   */
  during<T>(work: () => Promise<T>): Promise<T>;
}

export function progressHeartbeat(intervalMs: number, initial: Record<string, unknown>): ProgressHeartbeat {
  const context = Context.current();
  const details: Record<string, unknown> = { ...initial };
  const beat = () => context.heartbeat({ ...details });
  return {
    update(patch) {
      Object.assign(details, patch);
      beat();
    },
    async during(work) {
      beat();
      const timer = setInterval(beat, intervalMs);
      try {
        return await work();
      } finally {
        clearInterval(timer);
      }
    },
  };
}
