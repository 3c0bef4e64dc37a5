import { checksum, ownershipScope, renderConfig } from '@synapse/device-config';
import type { DeviceIntent, IntentSource, ManagedConfig, OwnershipScope } from '@synapse/contracts';
import { progressHeartbeat } from '@synapse/observability';
import type { InfrahubActivityDeps } from './deps';

/** An intent's rendered config, its checksum and ownership scope: what every rendering activity answers from. */
export function renderIntent(intent: DeviceIntent): { config: ManagedConfig; checksum: string; scope: OwnershipScope } {
  const config = renderConfig(intent);
  return { config, checksum: checksum(config), scope: ownershipScope(intent) };
}

/**
 * One device's intent read from Infrahub (heartbeating while it waits) and
 * rendered: fetchDeviceConfig and renderDeviceIntent share it, so the config
 * deployed by reference is the one fetchDeviceConfig would have carried.
 */
export async function readAndRenderIntent(
  deps: InfrahubActivityDeps,
  heartbeatIntervalMs: number,
  device: string,
  branch: string | undefined,
): Promise<{ intent: DeviceIntent; source: IntentSource; config: ManagedConfig; checksum: string; scope: OwnershipScope }> {
  // An unknown device is IntentNotFound (non-retryable) from the client.
  const { intent, source } = await progressHeartbeat(heartbeatIntervalMs, { device }).during(() => deps.infrahub.getDeviceIntent(device, branch ? { branch } : {}));
  return { intent, source, ...renderIntent(intent) };
}
