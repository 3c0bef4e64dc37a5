import type { InfrahubSim } from '@synapse/infrahub-sim';
import { InfrahubClient } from '../../src/index';
import { failure, testClient } from '../helpers';
import { DEFAULT_LAB_API_TOKEN, rawGraphql, startSim } from './sim-helpers';

/**
 * Source-of-truth data an operator got wrong, arranged on a branch through
 * Infrahub's own API, and what getDeviceIntent makes of it: a clear refusal
 * naming what is missing, or — where the data is valid but says "not now" —
 * an intent that reflects it.
 */
describe('device data that cannot (or can) form an intent', () => {
  let sim: InfrahubSim;
  let client: InfrahubClient;
  let branchCount = 0;
  beforeAll(async () => {
    sim = await startSim();
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  /** A fresh branch, so each scenario breaks its own copy of the lab. */
  async function branch(): Promise<string> {
    const name = `broken-${++branchCount}`;
    await client.createBranch(name);
    return name;
  }

  async function mutate(kind: string, data: Record<string, unknown>, onBranch: string): Promise<void> {
    await rawGraphql(sim, `mutation ($data: ${kind}UpdateInput!) { ${kind}Update(data: $data) { ok } }`, { data }, onBranch);
  }

  it('refuses a session without a peer group, naming the session, device and branch', async () => {
    const b = await branch();
    const device = await client.getDevice('leaf01', { branch: b });
    const session = device.bgpSessions.find((s) => s.remoteIp === '10.0.0.0/31')!;
    await mutate('RoutingBGPSession', { id: session.id, peer_group: null }, b);
    const err = await failure(client.getDeviceIntent('leaf01', { branch: b }));
    expect(err.type).toBe('InvalidInput');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`device "leaf01" on branch "${b}" cannot form a device intent`);
    expect(err.message).toContain(`BGP session "to spine01 ethernet-1/1" (${session.id}) has no peer_group`);
    // main is untouched
    await expect(client.getDeviceIntent('leaf01')).resolves.toMatchObject({ name: 'leaf01' });
  });

  it('refuses a device with sessions but no ASN', async () => {
    const b = await branch();
    const device = await client.getDevice('leaf02', { branch: b });
    await mutate('DcimDevice', { id: device.id, asn: null }, b);
    const err = await failure(client.getDeviceIntent('leaf02', { branch: b }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(/has 2 BGP session\(s\) but no ASN/);
  });

  it('refuses a loopback without an address, since the router id comes from it', async () => {
    const b = await branch();
    const device = await client.getDevice('spine01', { branch: b });
    const loopback = device.interfaces.find((i) => i.name === 'system0')!;
    await mutate('InterfaceVirtual', { id: loopback.id, ip_addresses: [] }, b);
    const err = await failure(client.getDeviceIntent('spine01', { branch: b }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toContain('loopback system0 has no IPv4 address for the BGP router id');
  });

  it('refuses per-session policies that differ from the peer group, rather than dropping them', async () => {
    const b = await branch();
    const device = await client.getDevice('leaf01', { branch: b });
    const session = device.bgpSessions[0]!;
    await mutate('RoutingBGPSession', { id: session.id, import_policies: { value: 'reject-all' } }, b);
    const err = await failure(client.getDeviceIntent('leaf01', { branch: b }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toMatch(/sets import_policies "reject-all" apart from its peer group "underlay" \("underlay-import"\); per-neighbor policies are not supported/);
  });

  it('refuses a device without a role, and lists every problem at once', async () => {
    const b = await branch();
    const device = await client.getDevice('leaf02', { branch: b });
    await mutate('DcimDevice', { id: device.id, role: { value: null } }, b);
    await mutate('RoutingBGPSession', { id: device.bgpSessions[0]!.id, peer_group: null }, b);
    const err = await failure(client.getDeviceIntent('leaf02', { branch: b }));
    expect(err.message).toContain('role is not set');
    expect(err.message).toContain('has no peer_group');
    expect(err.details.problems).toHaveLength(2);
  });

  it('leaves a disabled session out and marks a disabled port as not enabled', async () => {
    const b = await branch();
    const device = await client.getDevice('spine01', { branch: b });
    const session = device.bgpSessions.find((s) => s.remoteIp === '10.0.0.7/31')!;
    const port = device.interfaces.find((i) => i.name === 'ethernet-1/4')!;
    await mutate('RoutingBGPSession', { id: session.id, status: { value: 'disabled' } }, b);
    await mutate('InterfacePhysical', { id: port.id, status: { value: 'disabled' } }, b);
    const intent = await client.getDeviceIntent('spine01', { branch: b });
    expect(intent.bgp!.neighbors.map((n) => n.peerAddress)).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.5']);
    expect(intent.interfaces.find((i) => i.name === 'ethernet-1/4')).toMatchObject({ enabled: false, mtu: 9214 });
    expect(intent.interfaces.filter((i) => i.enabled)).toHaveLength(4);
  });

  it('adds every policy a group names (comma-separated) to the routing policies', async () => {
    const b = await branch();
    const groups = await rawGraphql<{ RoutingBGPPeerGroup: { edges: { node: { id: string } }[] } }>(
      sim,
      'query { RoutingBGPPeerGroup(name__value: "underlay") { edges { node { id } } } }',
      {},
      b,
    );
    await mutate('RoutingBGPPeerGroup', { id: groups.RoutingBGPPeerGroup.edges[0]!.node.id, import_policies: { value: 'underlay-import, bogons-out' } }, b);
    const intent = await client.getDeviceIntent('leaf01', { branch: b });
    expect(intent.bgp!.groups[0]!.importPolicies).toEqual(['underlay-import', 'bogons-out']);
    expect(intent.routingPolicies.map((p) => p.name)).toEqual(['bogons-out', 'underlay-export', 'underlay-import']);
    expect(intent.routingPolicies.every((p) => p.defaultAction === 'accept')).toBe(true);
  });
});
