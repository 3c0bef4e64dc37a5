import type { z } from 'zod';
import { isSynapseError, mapWithConcurrency, parseInput, ReadDeviceStatesInput, type DeviceStates, type ReadDeviceStatesResult } from '@synapse/contracts';
import { parsePath, type GnmiClient } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat } from '@synapse/observability';

const SESSION_STATE = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state';
const ADMIN_STATE = '/interface[name=*]/admin-state';
const OPER_STATE = '/interface[name=*]/oper-state';

/**
 * One read of the BGP session and interface states of a batch of devices:
 * the baseline a change is validated against (what was up before it), and
 * a rollout's fabric check after each wave. Reads only; a device that cannot
 * be read is answered with why, and the batch goes on. Heartbeats the count
 * read so far.
 */
export function readDeviceStates(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ReadDeviceStatesInput>): Promise<ReadDeviceStatesResult> => {
    const { devices, concurrency } = parseInput(ReadDeviceStatesInput, input, 'readDeviceStates input');
    const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { total: devices.length, read: 0 });
    let read = 0;
    const results = await progress.during(() =>
      mapWithConcurrency(devices, concurrency, async (device) => {
        try {
          return await runtime.withDevice(device, (client) => statesOf(client, device));
        } catch (err) {
          if (!isSynapseError(err)) throw err;
          return { device, unreachable: `${err.message} [${err.type}]` };
        } finally {
          progress.update({ read: ++read, last: device });
        }
      }),
    );
    return { devices: results };
  };
}

/** One device's sessions and interfaces; prepareDeploy's baseline too. */
export async function statesOf(client: GnmiClient, device: string): Promise<DeviceStates> {
  // One Get per path: a target answers NOT_FOUND for a whole Get when one wildcard matches nothing
  // (a device with no BGP configured yet), and that must not hide its interfaces.
  const reads = await Promise.all([SESSION_STATE, ADMIN_STATE, OPER_STATE].map((path) => readOrNothing(client, path)));
  const updates = reads.flat();
  const sessions: DeviceStates['sessions'] = {};
  const interfaces: DeviceStates['interfaces'] = {};
  for (const update of updates) {
    const elems = parsePath(update.path).elem;
    const last = elems[elems.length - 1]?.name;
    const peer = elems.find((e) => e.name === 'neighbor')?.key?.['peer-address'];
    if (peer !== undefined && last === 'session-state') {
      sessions[peer] = String(update.value);
      continue;
    }
    const name = elems[0]?.name === 'interface' && elems.length === 2 ? elems[0].key?.name : undefined;
    if (name === undefined) continue;
    // SR Linux enables an interface unless told otherwise; a config without admin-state says enable.
    const entry = (interfaces[name] ??= { admin: 'enable', oper: 'down' });
    if (last === 'admin-state') entry.admin = String(update.value);
    else if (last === 'oper-state') entry.oper = String(update.value);
  }
  return { device, sessions, interfaces };
}

/** A path the device has nothing at (gNMI NOT_FOUND) reads as no updates; any other failure stays one. */
async function readOrNothing(client: GnmiClient, path: string) {
  try {
    return (await client.get(path)).updates;
  } catch (err) {
    if (isSynapseError(err) && (err.details as { grpcStatus?: unknown } | undefined)?.grpcStatus === 'NOT_FOUND') return [];
    throw err;
  }
}
