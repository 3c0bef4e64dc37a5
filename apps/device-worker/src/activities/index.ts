import type { DeviceActivities } from '@synapse/contracts';
import { activityBoundary } from './boundary';
import { backupRunningConfig } from './backup-running-config';
import { checkDrift } from './check-drift';
import { confirmCommit } from './confirm-commit';
import { deployConfig } from './deploy-config';
import { diffConfig } from './diff-config';
import { prepareDeploy } from './prepare-deploy';
import { createRuntime, type DeviceActivityDeps } from './deps';
import { readDeviceStates } from './read-device-states';
import { readRunningConfig } from './read-running-config';
import { recordOwnership } from './record-ownership';
import { rollbackConfig } from './rollback-config';
import { storeBackup } from './store-backup';
import { validateBgp } from './validate-bgp';
import { validateInterfaces } from './validate-interfaces';
import { validateAndConfirm } from './validate-and-confirm';

export { commitIdFor } from './deploy-config';
export { DEFAULT_SETTINGS, type DeviceActivityDeps, type DeviceActivitySettings, type GnmiClientFactory } from './deps';
export type { StoredBackup } from './store-backup';

/**
 * The device-operations activities, with their clients injected: the worker
 * wires a GnmiClientPool, the inventory and the git backup store; tests wire
 * the simulator. They satisfy contracts' `DeviceActivities`, which workflows
 * proxy on TASK_QUEUES.device without importing this worker. Every input is
 * parsed with its contracts schema first (a bad one is a non-retryable
 * InvalidInput naming the field), and every typed error leaves as an
 * ApplicationFailure of its type.
 */
export function createDeviceActivities(deps: DeviceActivityDeps) {
  const runtime = createRuntime(deps);
  return {
    backupRunningConfig: activityBoundary(backupRunningConfig(runtime)),
    storeBackup: activityBoundary(storeBackup(runtime)),
    diffConfig: activityBoundary(diffConfig(runtime)),
    deployConfig: activityBoundary(deployConfig(runtime)),
    confirmCommit: activityBoundary(confirmCommit(runtime)),
    rollbackConfig: activityBoundary(rollbackConfig(runtime)),
    recordOwnership: activityBoundary(recordOwnership(runtime)),
    validateBgp: activityBoundary(validateBgp(runtime)),
    validateInterfaces: activityBoundary(validateInterfaces(runtime)),
    checkDrift: activityBoundary(checkDrift(runtime)),
    prepareDeploy: activityBoundary(prepareDeploy(runtime)),
    validateAndConfirm: activityBoundary(validateAndConfirm(runtime)),
    readDeviceStates: activityBoundary(readDeviceStates(runtime)),
    readRunningConfig: activityBoundary(readRunningConfig(runtime)),
  } satisfies DeviceActivities;
}

/** What this worker registers: contracts' DeviceActivities, with the richer storeBackup result (the archive commit) visible. */
export type DeviceWorkerActivities = ReturnType<typeof createDeviceActivities>;
