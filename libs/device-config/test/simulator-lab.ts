import type { ManagedConfig } from '@synapse/contracts';
import { startDeviceSim, referenceLabTopology, labTopology, LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT, type DeviceSim } from '@synapse/device-sim';
import type { Lab } from '@synapse/lab';
import { deployOperations } from '../src';
import { GnmiClient, parsePath } from '@synapse/gnmi-client';
import { LAB_DEVICES, type LabDevice } from './lab';

/** The reference lab running in device-sim, one gNMI client per device, as a deploy activity would hold them. */
export interface RunningLab {
  sim: DeviceSim;
  clients: Record<LabDevice, GnmiClient>;
  stop(): Promise<void>;
}

export const CONVERGENCE_MS = 100;

export async function startLab(lab?: Lab): Promise<RunningLab> {
  const sim = await startDeviceSim({ topology: lab ? labTopology(lab) : referenceLabTopology(), convergenceDelayMs: CONVERGENCE_MS });
  const clients = Object.fromEntries(
    LAB_DEVICES.map((name) => [name, new GnmiClient({ name, address: sim.address(name), transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS })]),
  ) as Record<LabDevice, GnmiClient>;
  return {
    sim,
    clients,
    async stop() {
      for (const client of Object.values(clients)) client.close();
      await sim.stop();
    },
  };
}

/** The deploy as the device-worker does it: one Set of what the rendered config owns, plus the plan's deletions. */
export function deploy(client: GnmiClient, config: ManagedConfig, deletions: string[] = []) {
  return client.set(deployOperations({ config, delete: deletions }));
}

/** Leaf values under a wildcard path, keyed by one list key (`peer-address`, `name`). */
export async function stateByKey(client: GnmiClient, path: string, key: string, type: 'STATE' | 'CONFIG' = 'STATE'): Promise<Record<string, unknown>> {
  const { updates } = await client.get(path, { type });
  return Object.fromEntries(
    updates.map((u) => {
      const elem = parsePath(u.path).elem.find((e) => e.key?.[key] !== undefined);
      return [elem!.key![key], u.value];
    }),
  );
}

export async function sessionStates(client: GnmiClient): Promise<Record<string, unknown>> {
  return stateByKey(client, '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state', 'peer-address');
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
