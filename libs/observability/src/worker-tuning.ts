import { envInteger } from '@synapse/contracts';

/**
 * How many activities one device or infrahub worker process runs at once,
 * and how many pollers fetch them: SYNAPSE_MAX_CONCURRENT_ACTIVITIES and
 * SYNAPSE_ACTIVITY_POLLERS, else the worker's own default (below).
 *
 * Why these defaults (README "Worker tuning" has the benchmark figures):
 *  - a device activity is mostly waiting (a gNMI answer, a BGP session
 *    settling) and a validation holds its slot for its whole settle window:
 *    a change at concurrency N keeps up to N validations open, so the
 *    device worker takes 200 at once, room for several rollouts'
 *    validations without their deploys queueing behind them;
 *  - the infrahub worker's activities are short HTTP calls that load
 *    Infrahub itself: 50 at once, so a fleet's records and renders do not
 *    flood the source of truth;
 *  - pollers: each is one long poll held open on the server; the SDK's 5.
 */
export const WORKER_TUNING_VARIABLES = { maxConcurrentActivities: 'SYNAPSE_MAX_CONCURRENT_ACTIVITIES', activityPollers: 'SYNAPSE_ACTIVITY_POLLERS' } as const;

export const DEVICE_WORKER_TUNING = { maxConcurrentActivities: 200, activityPollers: 5 } as const;
export const INFRAHUB_WORKER_TUNING = { maxConcurrentActivities: 50, activityPollers: 5 } as const;

export function activityWorkerTuning(
  defaults: { maxConcurrentActivities: number; activityPollers: number },
  env: NodeJS.ProcessEnv = process.env,
): { maxConcurrentActivityTaskExecutions: number; maxConcurrentActivityTaskPolls: number } {
  const executions = envInteger(env, WORKER_TUNING_VARIABLES.maxConcurrentActivities, defaults.maxConcurrentActivities, 1, 10_000);
  // The SDK refuses more pollers than slots.
  const polls = Math.min(envInteger(env, WORKER_TUNING_VARIABLES.activityPollers, defaults.activityPollers, 1, 100), executions);
  return { maxConcurrentActivityTaskExecutions: executions, maxConcurrentActivityTaskPolls: polls };
}
