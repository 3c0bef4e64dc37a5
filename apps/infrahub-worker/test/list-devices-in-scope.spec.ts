/**
 * listDevicesInScope against the Infrahub simulator: the devices a drift run
 * covers, with a device an operator put in maintenance (through Infrahub's
 * GraphQL API, as the UI does) listed as suppressed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';
import type { ListDevicesInScopeInput, ListDevicesInScopeResult } from '@synapse/contracts';
import { createInfrahubActivities } from '../src';

describe('listDevicesInScope', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  const env = new MockActivityEnvironment();

  beforeEach(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
  });
  afterEach(async () => {
    infrahub.close();
    await sim.stop();
  });

  const list = (input: ListDevicesInScopeInput) => env.run(createInfrahubActivities({ infrahub }).listDevicesInScope, input) as Promise<ListDevicesInScopeResult>;

  async function putInMaintenance(device: string): Promise<void> {
    const { id } = await infrahub.getDevice(device);
    const response = await fetch(`${sim.address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-INFRAHUB-KEY': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({ query: `mutation { DcimDeviceUpdate(data: { id: "${id}", status: { value: "maintenance" } }) { ok } }` }),
    });
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
  }

  it('lists every device for `all`, and only the role for `role`', async () => {
    expect((await list({ scope: { kind: 'all' } })).devices.map((d) => d.device)).toEqual(['leaf01', 'leaf02', 'spine01']);
    const leaves = await list({ scope: { kind: 'role', role: 'leaf' } });
    expect(leaves.devices).toEqual([
      { device: 'leaf01', status: 'active', suppressed: false },
      { device: 'leaf02', status: 'active', suppressed: false },
    ]);
  });

  it('marks a device in maintenance suppressed, keeps the operator\'s order and names unknown devices', async () => {
    await putInMaintenance('leaf02');
    const result = await list({ scope: { kind: 'devices', devices: ['spine01', 'leaf02', 'nosuch01'] } });
    expect(result).toEqual({
      devices: [
        { device: 'spine01', status: 'active', suppressed: false },
        { device: 'leaf02', status: 'maintenance', suppressed: true },
      ],
      unknown: ['nosuch01'],
    });
  });
});
