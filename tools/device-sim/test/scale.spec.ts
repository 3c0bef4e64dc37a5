import { status } from '@grpc/grpc-js';
import { generateFabric, startDeviceSim, type DeviceSim } from '../src';
import { connect, expectGrpcError } from './helpers';

const CONCURRENCY = 32;

async function forEachBounded<T>(items: T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await action(items[next++]);
    }),
  );
}

describe('scale', () => {
  it('serves a 1,000-device fabric from one process: every device answers Capabilities, then all stop', async () => {
    const topology = generateFabric({ spines: 2, leaves: 998 });
    expect(topology.devices).toHaveLength(1000);
    const startedAt = Date.now();
    const sim: DeviceSim = await startDeviceSim({ topology, convergenceDelayMs: 100 });
    const startupMs = Date.now() - startedAt;
    let answered = 0;
    try {
      const addresses = new Set(sim.devices.map((d) => d.address));
      expect(addresses.size).toBe(1000);

      await forEachBounded(sim.devices, CONCURRENCY, async (device) => {
        const client = connect(device.address);
        try {
          const capabilities = await client.capabilities();
          if (capabilities.gNMI_version === '0.10.0') answered++;
        } finally {
          client.close();
        }
      });
      expect(answered).toBe(1000);
      expect(sim.state('leaf998')).toMatchObject({ interface: [{ name: 'mgmt0', 'oper-state': 'up' }] });
    } finally {
      const stoppingAt = Date.now();
      await sim.stop();
      expect(Date.now() - stoppingAt).toBeLessThan(15_000);
    }
    const gone = connect(sim.devices[500].address);
    try {
      await expectGrpcError(gone.capabilities(), status.UNAVAILABLE);
    } finally {
      gone.close();
    }
    expect(startupMs).toBeLessThan(30_000);
  }, 120_000);
});
