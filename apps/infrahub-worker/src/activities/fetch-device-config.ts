import { checksum, ownershipScope, renderConfig } from '@synapse/device-config';
import { FetchDeviceConfigInput, parseInput, type FetchDeviceConfigResult } from '@synapse/contracts';
import { activitySettings, type InfrahubActivityDeps } from './deps';
import { progressHeartbeat } from '@synapse/observability';

/**
 * Step 1 of a change: the device's intent from Infrahub, rendered to the
 * native config of the managed paths, with its ownership scope (ports no
 * change may touch, policies the device must already have). The checksum
 * lets the workflow and the status record say exactly which intent was
 * deployed; the source (branch, time) lets the change record say where it
 * was read, even once that branch is gone.
 */
export function fetchDeviceConfigActivity(deps: InfrahubActivityDeps) {
  const { heartbeatIntervalMs } = activitySettings(deps);
  return async function fetchDeviceConfig(input: unknown): Promise<FetchDeviceConfigResult> {
    const { device, branch } = parseInput(FetchDeviceConfigInput, input, 'fetchDeviceConfig input');
    // An unknown device is IntentNotFound (non-retryable) from the client.
    const { intent, source } = await progressHeartbeat(heartbeatIntervalMs, { device }).during(() => deps.infrahub.getDeviceIntent(device, branch ? { branch } : {}));
    const config = renderConfig(intent);
    return { device, intent, config, checksum: checksum(config), scope: ownershipScope(intent), source };
  };
}
