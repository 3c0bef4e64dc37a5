import { ListDevicesInScopeInput, parseInput, SUPPRESSED_DEVICE_STATUSES, type ListDevicesInScopeResult } from '@synapse/contracts';
import { activitySettings, type InfrahubActivityDeps } from './deps';
import { progressHeartbeat } from '@synapse/observability';

/**
 * The first step of a drift run: which devices the scope covers, with their
 * Infrahub status. A device in maintenance is listed as suppressed: the run
 * reports it and neither reads nor touches it, since an operator is working
 * on it. One paged query whatever the scope's size, so a fleet-wide run
 * starts with one small history event; the intents are fetched batch by
 * batch afterwards. Names the scope lists that Infrahub does not know come
 * back in `unknown` rather than failing here, so the workflow can name them.
 */
export function listDevicesInScopeActivity(deps: InfrahubActivityDeps) {
  const { heartbeatIntervalMs } = activitySettings(deps);
  return async function listDevicesInScope(input: unknown): Promise<ListDevicesInScopeResult> {
    const { scope, branch } = parseInput(ListDevicesInScopeInput, input, 'listDevicesInScope input');
    const filters = scope.kind === 'devices' ? { names: scope.devices } : scope.kind === 'role' ? { role: scope.role } : {};
    // A fleet's listing is many pages: one beat per interval, whatever their number.
    const found = await progressHeartbeat(heartbeatIntervalMs, { scope: scope.kind }).during(() => deps.infrahub.listDevices({ ...filters, ...(branch ? { branch } : {}) }));
    const suppressedStatuses: readonly string[] = SUPPRESSED_DEVICE_STATUSES;
    const devices = found.map((d) => ({
      device: d.name,
      ...(d.status ? { status: d.status } : {}),
      suppressed: d.status !== undefined && suppressedStatuses.includes(d.status),
    }));
    // The operator's order for a named list, Infrahub's (by name) otherwise.
    if (scope.kind === 'devices') {
      const byName = new Map(devices.map((d) => [d.device, d]));
      return {
        devices: scope.devices.flatMap((name) => byName.get(name) ?? []),
        unknown: scope.devices.filter((name) => !byName.has(name)),
      };
    }
    return { devices: [...devices].sort((a, b) => a.device.localeCompare(b.device)), unknown: [] };
  };
}
