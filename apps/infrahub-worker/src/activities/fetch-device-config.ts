import { checksum, renderConfig } from '@synapse/device-config';
import { FetchDeviceConfigInput, parseInput, type FetchDeviceConfigResult } from '@synapse/contracts';
import type { InfrahubActivityDeps } from './deps';

/**
 * Step 1 of a change: the device's intent from Infrahub, rendered to the
 * native config of the managed paths. The checksum lets the workflow and the
 * status record say exactly which intent was deployed.
 */
export function fetchDeviceConfigActivity(deps: InfrahubActivityDeps) {
  return async function fetchDeviceConfig(input: unknown): Promise<FetchDeviceConfigResult> {
    const { device, branch } = parseInput(FetchDeviceConfigInput, input, 'fetchDeviceConfig input');
    // An unknown device is IntentNotFound (non-retryable) from the client.
    const intent = await deps.infrahub.getDeviceIntent(device, branch ? { branch } : {});
    const config = renderConfig(intent);
    return { device, intent, config, checksum: checksum(config) };
  };
}
