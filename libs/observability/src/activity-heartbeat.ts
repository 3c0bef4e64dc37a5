import { Context } from '@temporalio/activity';

export interface ProgressHeartbeat {
  /** Records progress (a step, a count) and heartbeats it at once, so the UI and a retry see it. */
  update(patch: Record<string, unknown>): void;
  /**
   * Heartbeats now and every interval until `work` settles. A call into a
   * device or Infrahub can legitimately outlast the heartbeat timeout (a Set
   * of a large config, the Infrahub client's own retries); without beats
   * meanwhile a live worker would look dead, and with them a dead one is
   * noticed within the profile's heartbeat timeout instead of its
   * start-to-close.
   */
  during<T>(work: () => Promise<T>): Promise<T>;
}

/** An activity's heartbeat, shared by the device and infrahub workers (the SDK throttles what it sends). */
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
