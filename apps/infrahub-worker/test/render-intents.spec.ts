/**
 * renderIntents against the Infrahub simulator: a drift batch's intents,
 * rendered, in the batch's order. A device Infrahub does not know is
 * answered with the reason (the run goes on without it); Infrahub itself
 * being down fails the batch as retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { deviceFacts, type DeviceIntent, type InfrahubActivities, type RenderIntentsResult } from '@synapse/contracts';
import { checksum, ownershipScope, renderConfig } from '@synapse/device-config';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { brownfieldLab, deviceIntent, referenceLab } from '@synapse/lab';
import { createInfrahubActivities } from '../src';

/** What renderIntents answers for a device it could render: drift's config and scope, and a rollout's role, checksum and facts. */
function renderedEntry(name: string, intent: DeviceIntent) {
  const config = renderConfig(intent);
  return { device: name, config, scope: ownershipScope(intent), role: intent.role, checksum: checksum(config), facts: deviceFacts(intent) };
}

describe('renderIntents', () => {
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  const env = new MockActivityEnvironment();

  beforeEach(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {}, retry: { maxAttempts: 1 } });
  });
  afterEach(async () => {
    infrahub.close();
    // One test stops the simulator itself.
    await sim.stop().catch(() => undefined);
  });

  const render = (input: Parameters<InfrahubActivities['renderIntents']>[0]) => env.run(createInfrahubActivities({ infrahub }).renderIntents, input) as Promise<RenderIntentsResult>;

  it("renders each device's intent, in the batch's order, and answers an unknown device with the reason", async () => {
    const result = await render({ devices: ['spine01', 'nosuch01', 'leaf02'], concurrency: 2 });
    expect(result.devices.map((d) => d.device)).toEqual(['spine01', 'nosuch01', 'leaf02']);
    for (const [i, name] of [[0, 'spine01'], [2, 'leaf02']] as const) {
      expect(result.devices[i]).toEqual(renderedEntry(name, deviceIntent(referenceLab(), name)));
    }
    expect(result.devices[1]).toEqual({ device: 'nosuch01', problem: expect.stringMatching(/nosuch01.*\[IntentNotFound\]$/) });
  });

  it("carries each device's ownership scope: its management port, and the policies only the device defines", async () => {
    const lab = brownfieldLab(referenceLab());
    const brownfield = await startInfrahubSim({ lab, port: 0 });
    const client = new InfrahubClient({ address: brownfield.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {}, retry: { maxAttempts: 1 } });
    try {
      const result = (await env.run(createInfrahubActivities({ infrahub: client }).renderIntents, { devices: ['leaf01', 'spine01'], concurrency: 2 })) as RenderIntentsResult;
      expect(result.devices).toEqual(
        ['leaf01', 'spine01'].map((name) => renderedEntry(name, deviceIntent(lab, name))),
      );
      expect(result.devices.map((d) => ('scope' in d ? d.scope.protectedInterfaces : []))).toEqual(
        ['leaf01', 'spine01'].map((name) => [lab.devices.find((d) => d.name === name)!.inbandManagement!.interface]),
      );
    } finally {
      client.close();
      await brownfield.stop();
    }
  });

  it("gives a rollout's plan each device's role, config checksum, and the far ends of its sessions and links", async () => {
    const result = await render({ devices: ['spine01', 'leaf01'], concurrency: 2 });
    const [spine, leaf] = result.devices;
    if (!spine || !('facts' in spine) || !leaf || !('facts' in leaf)) throw new Error(`not rendered: ${JSON.stringify(result.devices)}`);
    expect([spine.role, leaf.role]).toEqual(['spine', 'leaf']);
    // The checksum fetchDeviceConfig gives the same device: a plan can tell a device already running its target.
    const fetched = (await env.run(createInfrahubActivities({ infrahub }).fetchDeviceConfig, { device: 'leaf01' })) as { checksum: string };
    expect(leaf.checksum).toBe(fetched.checksum);
    expect(spine.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(leaf.facts).toEqual({
      neighbors: [
        { address: '10.0.0.0', peerAs: 65000, peer: 'spine01' },
        { address: '10.0.0.4', peerAs: 65000, peer: 'spine01' },
      ],
      interfaces: [
        { name: 'ethernet-1/49', enabled: true, peer: 'spine01' },
        { name: 'ethernet-1/50', enabled: true, peer: 'spine01' },
        { name: 'system0', enabled: true },
      ],
    });
    expect(spine.facts!.neighbors.map((n) => n.peer)).toEqual(['leaf01', 'leaf02', 'leaf01', 'leaf02']);
  });

  it('reads every intent of the batch at the instant asked (a plan is one point in time), whatever was edited since', async () => {
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const found = await fetch(`${sim.address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-infrahub-key': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({ query: '{ InterfacePhysical(name__value: "ethernet-1/49", device__name__value: "leaf01") { edges { node { id } } } }' }),
    }).then((r) => r.json() as Promise<{ data: { InterfacePhysical: { edges: { node: { id: string } }[] } } }>);
    const id = found.data.InterfacePhysical.edges[0]!.node.id;
    const edited = await fetch(`${sim.address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-infrahub-key': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({ query: `mutation { InterfacePhysicalUpdate(data: {id: "${id}", mtu: {value: 1500}}) { ok } }` }),
    }).then((r) => r.json() as Promise<{ data?: { InterfacePhysicalUpdate: { ok: boolean } } }>);
    expect(edited.data?.InterfacePhysicalUpdate.ok).toBe(true);

    const then = await render({ devices: ['leaf01', 'spine01'], concurrency: 2, at });
    expect(then.devices).toEqual(['leaf01', 'spine01'].map((name) => renderedEntry(name, deviceIntent(referenceLab(), name))));
    const now = await render({ devices: ['leaf01'], concurrency: 1 });
    expect(now.devices[0]).not.toEqual(then.devices[0]);
    expect(JSON.stringify(now.devices[0])).toContain('"mtu":1500');
  });

  it('fails the whole batch, retryable, when Infrahub is down', async () => {
    await sim.stop();
    const failure = await render({ devices: ['spine01'], concurrency: 1 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('InfrahubUnavailable');
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
  });

  it('refuses an empty batch at the boundary, naming the field', async () => {
    await expect(render({ devices: [] } as unknown as Parameters<InfrahubActivities['renderIntents']>[0])).rejects.toThrow(/renderIntents input: devices: at least one device/);
  });
});
