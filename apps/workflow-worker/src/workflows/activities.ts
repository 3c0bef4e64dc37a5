import { ActivityCancellationType, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import {
  ACTIVITY_PROFILES,
  rollbackScheduleToCloseSeconds,
  TASK_QUEUES,
  unlistedActivityQueues,
  type ActivityRouting,
  type DeviceActivities,
  type InfrahubActivities,
} from '@synapse/contracts';
import { localActivities } from './rollout-signals';

export { ActivityRouting, type ActivityRoutingInput } from '@synapse/contracts';

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
  const activities = activitiesOn(routing);
  const requested = [routing.taskQueues.device, routing.taskQueues.deviceUrgent, routing.taskQueues.infrahub];
  // On contracts' queues (every change without per-site device workers) there is nothing to
  // check and nothing is recorded: the commands are exactly those before the check existed.
  // Routed workflows begun before it go on as they started.
  if (unlistedActivityQueues(requested, []).length === 0 || !patched(ACTIVITY_QUEUE_ALLOW_LIST_PATCH)) return activities;
  const allowed = allowListCheck(requested);
  return {
    infrahub: gated(activities.infrahub, allowed),
    infrahubAudit: gated(activities.infrahubAudit, allowed),
    deviceRead: gated(activities.deviceRead, allowed),
    deviceWrite: gated(activities.deviceWrite, allowed),
    deviceConfirm: gated(activities.deviceConfirm, allowed),
    deviceValidate: gated(activities.deviceValidate, allowed),
    deviceScan: gated(activities.deviceScan, allowed),
    deviceRollback: (commitConfirmWindowSeconds: number | undefined) => gated(activities.deviceRollback(commitConfirmWindowSeconds), allowed),
  };
}

/**
 * A routed workflow reaches only queues the workflow worker allows: its
 * first activity asks the worker (a local activity, recorded in history) and
 * no activity is scheduled before the answer. A queue outside the list fails
 * that call, and every later one, with InvalidInput: nothing reaches it.
 */
export const ACTIVITY_QUEUE_ALLOW_LIST_PATCH = 'activity-queue-allow-list';

function allowListCheck(requested: readonly (string | undefined)[]): () => Promise<void> {
  let verdict: Promise<void> | undefined;
  return () => {
    verdict ??= localActivities()
      .allowedActivityQueues()
      .then((allowed) => {
        const unlisted = unlistedActivityQueues(requested, allowed);
        if (unlisted.length === 0) return;
        throw ApplicationFailure.create({
          type: 'InvalidInput',
          nonRetryable: true,
          message:
            `activity task queue ${unlisted.map((queue) => `"${queue}"`).join(', ')} in the workflow's routing is not one this workflow worker allows: ` +
            `add it to SYNAPSE_ACTIVITY_TASK_QUEUES on the workflow worker (beside ${TASK_QUEUES.device}, ${TASK_QUEUES.deviceUrgent}, ${TASK_QUEUES.infrahub}); no activity was scheduled there`,
        });
      })
      .catch((err: unknown) => {
        // A check cancelled with its scope is asked again by the next call (a rollback in a non-cancellable scope).
        if (!(err instanceof ApplicationFailure)) verdict = undefined;
        throw err;
      });
    return verdict;
  };
}

function gated<T extends object>(activities: T, allowed: () => Promise<void>): T {
  return new Proxy(activities, {
    get(target, name) {
      const call = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => allowed().then(() => call(...args));
    },
  });
}

function activitiesOn(routing: ActivityRouting) {
  const deviceQueue = routing.taskQueues.device ?? TASK_QUEUES.device;
  const urgentQueue = routing.taskQueues.deviceUrgent ?? TASK_QUEUES.deviceUrgent;
  const infrahubQueue = routing.taskQueues.infrahub ?? TASK_QUEUES.infrahub;
  const device = { taskQueue: deviceQueue, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
  const urgent = { ...device, taskQueue: urgentQueue };
  return {
    infrahub: proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahub, taskQueue: infrahubQueue }),
    /** Audit written after the device was let go: retried for a day (see the profile). */
    infrahubAudit: proxyActivities<InfrahubActivities>({ ...ACTIVITY_PROFILES.infrahubAudit, taskQueue: infrahubQueue }),
    /** Backup and plan: reads of the device and of the backup store. */
    deviceRead: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceRead, ...device }),
    /** Archive, deploy, ownership record: writes. */
    deviceWrite: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceWrite, ...device }),
    /**
     * Confirming a commit: on the device worker's urgent queue, so a
     * commit-confirmed window never runs out while the confirm waits behind
     * other changes' validations or drift scans.
     */
    deviceConfirm: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceWrite, ...urgent }),
    /** BGP and interface checks that wait for the network to settle. */
    deviceValidate: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceValidate, ...device }),
    /** Drift checks of a batch of devices: reads that heartbeat their progress. */
    deviceScan: proxyActivities<DeviceActivities>({ ...ACTIVITY_PROFILES.deviceScan, ...device }),
    /**
     * Putting a backup back: retried without an attempt limit until past
     * the deploy's commit-confirmed window (none: a fixed bound), so a device
     * unreachable for a while is still restored, or found reverted by itself.
     */
    deviceRollback: (commitConfirmWindowSeconds: number | undefined) =>
      proxyActivities<DeviceActivities>({
        ...ACTIVITY_PROFILES.deviceRollback,
        scheduleToCloseTimeout: `${rollbackScheduleToCloseSeconds(commitConfirmWindowSeconds)} seconds`,
        // Urgent too: a rollback must not wait behind the validations it is undoing.
        ...urgent,
      }),
  };
}

export type ChangeActivities = ReturnType<typeof activitiesOn>;
