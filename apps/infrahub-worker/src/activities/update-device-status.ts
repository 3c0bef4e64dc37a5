import { parseInput, UpdateDeviceStatusInput, type UpdateDeviceStatusResult } from '@synapse/contracts';
import { activitySettings, type InfrahubActivityDeps } from './deps';
import { progressHeartbeat } from '@synapse/observability';

/**
 * Last step of a change: the deployment state on the device and the change
 * record, in Infrahub, on its default branch whatever branch the intent came
 * from (the record names that branch): audit data outlives the branch. Safe
 * to retry: the client reuses an existing record of the same change and
 * device instead of creating a second one. With `onlyIfCurrent` the state is
 * left alone once another change has taken the device; the answer's
 * `stateWritten` (beyond the contract's fields) says which happened.
 */
export function updateDeviceStatusActivity(deps: InfrahubActivityDeps) {
  const { heartbeatIntervalMs } = activitySettings(deps);
  return async function updateDeviceStatus(input: unknown): Promise<UpdateDeviceStatusResult> {
    const parsed = parseInput(UpdateDeviceStatusInput, input, 'updateDeviceStatus input');
    return progressHeartbeat(heartbeatIntervalMs, { device: parsed.device, changeId: parsed.changeId }).during(() => deps.infrahub.recordDeployment(parsed));
  };
}
