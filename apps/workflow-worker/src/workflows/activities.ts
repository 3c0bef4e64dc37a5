import { z } from 'zod';
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_PROFILES, TASK_QUEUES, type DeviceActivities, type InfrahubActivities } from '@synapse/contracts';

/**
 * Where a change's activities run. Production leaves this out and the queues
 * come from contracts' TASK_QUEUES. It is there for two cases: tests, where
 * every test file polls its own queues on one shared Temporal server, and a
 * deployment that runs a device worker per site on its own queue. It is a
 * second workflow argument rather than a ChangeRequest field because it is
 * about the deployment, not about the change an operator asks for.
 */
export const ActivityRouting = z
  .object({
    taskQueues: z
      .object({
        device: z.string().trim().min(1).optional(),
        infrahub: z.string().trim().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type ActivityRouting = z.infer<typeof ActivityRouting>;
export type ActivityRoutingInput = z.input<typeof ActivityRouting>;

/**
 * The activities a change calls, each group with its profile from contracts
 * (timeouts and retries are written only there). Workflows proxy contracts'
 * activity interfaces, never a worker's code.
 *
 * Device activities are cancelled with WAIT_CANCELLATION_COMPLETED: when a
 * change is cancelled, the rollback must not start before the deploy or
 * validation in flight has really stopped, or two Sets could race on the
 * device. It is written out because in SDK 1.24 leaving it unset sends
 * TRY_CANCEL (the proto's zero value), whatever the option's doc comment says.
 */
export function changeActivities(routing: ActivityRouting) {
  const deviceQueue = routing.taskQueues.device ?? TASK_QUEUES.device;
  const infrahubQueue = routing.taskQueues.infrahub ?? TASK_QUEUES.infrahub;
  const device = { taskQueue: deviceQueue, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
  return {
    infrahub: proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahub, taskQueue: infrahubQueue }),
    /** Backup and plan: reads of the device and of the backup store. */
    deviceRead: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceRead, ...device }),
    /** Archive, deploy, confirm, rollback: writes. */
    deviceWrite: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceWrite, ...device }),
    /** BGP and interface checks that wait for the network to settle. */
    deviceValidate: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceValidate, ...device }),
  };
}

export type ChangeActivities = ReturnType<typeof changeActivities>;
