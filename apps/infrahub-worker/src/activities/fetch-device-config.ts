import { FetchDeviceConfigInput, parseInput, type FetchDeviceConfigResult } from '@synapse/contracts';
import { activitySettings, type InfrahubActivityDeps } from './deps';
import { readAndRenderIntent } from './render-intent';

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
    const { intent, config, checksum, scope, source } = await readAndRenderIntent(deps, heartbeatIntervalMs, device, branch);
    return { device, intent, config, checksum, scope, source };
  };
}
