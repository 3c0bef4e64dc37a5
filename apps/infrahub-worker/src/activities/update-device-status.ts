import { parseInput, UpdateDeviceStatusInput, type UpdateDeviceStatusResult } from '@synapse/contracts';
import type { InfrahubActivityDeps } from './deps';

/**
 * Last step of a change: the deployment state on the device and the change
 * record, in Infrahub, on its default branch whatever branch the intent came
 * from (the record names that branch): audit data outlives the branch. Safe
 * to retry: the client reuses an existing record of the same change and
 * device instead of creating a second one.
 */
export function updateDeviceStatusActivity(deps: InfrahubActivityDeps) {
  return async function updateDeviceStatus(input: unknown): Promise<UpdateDeviceStatusResult> {
    const parsed = parseInput(UpdateDeviceStatusInput, input, 'updateDeviceStatus input');
    return deps.infrahub.recordDeployment(parsed);
  };
}
