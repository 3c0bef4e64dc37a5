import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_PROFILES, rollbackScheduleToCloseSeconds, TASK_QUEUES, type ActivityRouting, type DeviceActivities, type InfrahubActivities } from '@synapse/contracts';

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

export type ChangeActivities = ReturnType<typeof changeActivities>;
