import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { TASK_QUEUES } from '@synapse/contracts';
import { activityObservabilityInterceptors, activityWorkerTuning, INFRAHUB_WORKER_TUNING, shutdownOptionsFromEnv } from '@synapse/observability';
import { createInfrahubActivities, type InfrahubActivityDeps } from './activities';

export interface InfrahubWorkerOptions extends InfrahubActivityDeps {
  connection: NativeConnection;
  namespace: string;
  /** Defaults to contracts' infrahub queue; tests pass their own to share one server. */
  taskQueue?: string;
  /** The payload codec when encryption keys are configured. */
  dataConverter?: DataConverter;
}

/** A worker that only serves source-of-truth activities; it runs no workflows. */
export function createInfrahubWorker(options: InfrahubWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.infrahub,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    activities: createInfrahubActivities({
      infrahub: options.infrahub,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.documents ? { documents: options.documents } : {}),
    }),
    interceptors: { activity: [activityObservabilityInterceptors()] },
    ...shutdownOptionsFromEnv(),
    // Slots and pollers (SYNAPSE_MAX_CONCURRENT_ACTIVITIES, SYNAPSE_ACTIVITY_POLLERS): see worker-tuning.ts.
    ...activityWorkerTuning(INFRAHUB_WORKER_TUNING),
  });
}
