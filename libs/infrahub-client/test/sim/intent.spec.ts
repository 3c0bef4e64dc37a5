import type { InfrahubSim } from '@synapse/infrahub-sim';
import { UNDERLAY_EXPORT_POLICY, UNDERLAY_IMPORT_POLICY } from '@synapse/lab';
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
    await expect(client.getDeviceIntent('leaf01')).resolves.toMatchObject({ intent: { name: 'leaf01' }, source: { branch: 'main' } });
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
    expect(err.message).toContain(`sets import_policies "reject-all" apart from its peer group "underlay" ("${UNDERLAY_IMPORT_POLICY}"); per-neighbor policies are not supported`);
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
    const { intent, source } = await client.getDeviceIntent('spine01', { branch: b });
    expect(source.branch).toBe(b);
    expect(intent.bgp!.neighbors.map((n) => n.peerAddress)).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.5']);
    expect(intent.interfaces.find((i) => i.name === 'ethernet-1/4')).toMatchObject({ enabled: false, mtu: 9214 });
    expect(intent.interfaces.filter((i) => i.enabled)).toHaveLength(4);
  });

  it("falls back to the remote address's device for a session without a peer session, and names none when Infrahub does not say", async () => {
    const b = await branch();
    const leaf = await client.getDevice('leaf01', { branch: b });
    const session = leaf.bgpSessions.find((s) => s.remoteIp === '10.0.0.0/31')!;
    await mutate('RoutingBGPSession', { id: session.id, peer_session: null }, b);
    const farEnd = async () => (await client.getDeviceIntent('leaf01', { branch: b })).intent.bgp!.neighbors.find((n) => n.peerAddress === '10.0.0.0')!;
    expect((await client.getDevice('leaf01', { branch: b })).bgpSessions.find((s) => s.id === session.id)!.peerSession).toBeUndefined();
    expect((await farEnd()).peerDevice).toBe('spine01');

    // The address no longer on spine01's port: nothing says who is at the far end.
    const spine = await client.getDevice('spine01', { branch: b });
    const port = spine.interfaces.find((i) => i.name === 'ethernet-1/1')!;
    await mutate('InterfacePhysical', { id: port.id, ip_addresses: [] }, b);
    const neighbor = await farEnd();
    expect(neighbor).toMatchObject({ peerAddress: '10.0.0.0', peerAs: 65000 });
    expect(neighbor).not.toHaveProperty('peerDevice');
    // main still has both.
    const { intent: onMain } = await client.getDeviceIntent('leaf01');
    expect(onMain.bgp!.neighbors.map((n) => n.peerDevice)).toEqual(['spine01', 'spine01']);
  });

  it('takes the peer session over the remote address when the two disagree', async () => {
    const b = await branch();
    const leaf = await client.getDevice('leaf01', { branch: b });
    const session = leaf.bgpSessions.find((s) => s.remoteIp === '10.0.0.0/31')!;
    // Re-point the session at leaf02's session to spine01: Infrahub now says leaf02 is the far end.
    const leaf02 = await client.getDevice('leaf02', { branch: b });
    await mutate('RoutingBGPSession', { id: session.id, peer_session: { id: leaf02.bgpSessions[0]!.id } }, b);
    const { intent } = await client.getDeviceIntent('leaf01', { branch: b });
    expect(intent.bgp!.neighbors.find((n) => n.peerAddress === '10.0.0.0')!.peerDevice).toBe('leaf02');
  });

  async function create(kind: string, data: Record<string, unknown>, onBranch: string): Promise<string> {
    const result = await rawGraphql<Record<string, { object: { id: string } }>>(sim, `mutation ($data: ${kind}CreateInput!) { ${kind}Create(data: $data) { object { id } } }`, { data }, onBranch);
    return result[`${kind}Create`]!.object.id;
  }

  async function peerGroupPolicies(onBranch: string, importPolicies: string): Promise<void> {
    const groups = await rawGraphql<{ RoutingBGPPeerGroup: { edges: { node: { id: string } }[] } }>(sim, 'query { RoutingBGPPeerGroup(name__value: "underlay") { edges { node { id } } } }', {}, onBranch);
    await mutate('RoutingBGPPeerGroup', { id: groups.RoutingBGPPeerGroup.edges[0]!.node.id, import_policies: { value: importPolicies } }, onBranch);
  }

  it('keeps a name Infrahub does not define on the group only (comma-separated names too), inventing no policy for it', async () => {
    const b = await branch();
    await peerGroupPolicies(b, `${UNDERLAY_IMPORT_POLICY}, bogons-out`);
    const { intent } = await client.getDeviceIntent('leaf01', { branch: b });
    expect(intent.bgp!.groups[0]!.importPolicies).toEqual([UNDERLAY_IMPORT_POLICY, 'bogons-out']);
    expect(intent.routingPolicies.map((p) => p.name)).toEqual([UNDERLAY_EXPORT_POLICY, UNDERLAY_IMPORT_POLICY]);
  });

  it('follows an operator editing a policy on a branch: statements in sequence order, the prefix sets they use, main untouched', async () => {
    const b = await branch();
    const policy = await rawGraphql<{ SynapseRoutingPolicy: { edges: { node: { id: string } }[] } }>(sim, `query { SynapseRoutingPolicy(name__value: "${UNDERLAY_IMPORT_POLICY}") { edges { node { id } } } }`, {}, b);
    await mutate('SynapseRoutingPolicy', { id: policy.SynapseRoutingPolicy.edges[0]!.node.id, default_action: { value: 'accept' } }, b);
    const bogons = await create('SynapsePrefixSet', { name: { value: 'bogons' } }, b);
    await create('SynapsePrefixSetEntry', { prefix: { value: '192.0.2.0/24' }, mask_length_range: { value: '24..32' }, prefix_set: { id: bogons } }, b);
    await create('SynapsePrefixSetEntry', { prefix: { value: '198.18.0.0/15' }, prefix_set: { id: bogons } }, b);
    await create('SynapsePrefixSet', { name: { value: 'unused' } }, b);
    // Sequence 5 puts it ahead of the seeded statement at 10, whatever the creation order.
    await create('SynapsePolicyStatement', { name: { value: 'drop-bogons' }, sequence: { value: 5 }, action: { value: 'reject' }, match_protocol: { value: 'bgp' }, policy: { hfid: [UNDERLAY_IMPORT_POLICY] }, match_prefix_set: { id: bogons } }, b);
    await create('SynapsePolicyStatement', { name: { value: 'statics' }, sequence: { value: 20 }, action: { value: 'accept' }, match_protocol: { value: 'static' }, policy: { hfid: [UNDERLAY_IMPORT_POLICY] } }, b);

    const { intent } = await client.getDeviceIntent('leaf02', { branch: b });
    expect(intent.routingPolicies.find((p) => p.name === UNDERLAY_IMPORT_POLICY)).toEqual({
      name: UNDERLAY_IMPORT_POLICY,
      defaultAction: 'accept',
      statements: [
        { name: 'drop-bogons', match: { prefixSet: 'bogons', protocol: 'bgp' }, action: 'reject' },
        { name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' },
        { name: 'statics', match: { protocol: 'static' }, action: 'accept' },
      ],
    });
    expect(intent.prefixSets).toEqual([
      { name: 'bogons', prefixes: [{ prefix: '192.0.2.0/24', maskLengthRange: '24..32' }, { prefix: '198.18.0.0/15', maskLengthRange: 'exact' }] },
      { name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] },
    ]);
    const { intent: onMain } = await client.getDeviceIntent('leaf02');
    expect(onMain.routingPolicies.find((p) => p.name === UNDERLAY_IMPORT_POLICY)!.statements.map((s) => s.name)).toEqual(['loopbacks']);
    expect(onMain.prefixSets.map((p) => p.name)).toEqual(['loopbacks']);
  });

  it('reads the intent as it was at a point in time (Infrahub time travel): the device, its sessions and its policies all of that instant', async () => {
    const b = await branch();
    const { intent: before } = await client.getDeviceIntent('leaf02', { branch: b });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const policy = await rawGraphql<{ SynapseRoutingPolicy: { edges: { node: { id: string } }[] } }>(sim, `query { SynapseRoutingPolicy(name__value: "${UNDERLAY_IMPORT_POLICY}") { edges { node { id } } } }`, {}, b);
    await mutate('SynapseRoutingPolicy', { id: policy.SynapseRoutingPolicy.edges[0]!.node.id, default_action: { value: 'accept' } }, b);
    const device = await rawGraphql<{ DcimDevice: { edges: { node: { id: string } }[] } }>(sim, 'query { DcimDevice(name__value: "leaf02") { edges { node { id } } } }', {}, b);
    await mutate('DcimDevice', { id: device.DcimDevice.edges[0]!.node.id, description: { value: 'edited after the plan' } }, b);

    const then = await client.getDeviceIntent('leaf02', { branch: b, at });
    expect(then.intent).toEqual(before);
    expect(then.source).toEqual({ branch: b, readAt: at });
    const now = await client.getDeviceIntent('leaf02', { branch: b });
    expect(now.intent.routingPolicies.find((p) => p.name === UNDERLAY_IMPORT_POLICY)!.defaultAction).toBe('accept');
    expect(now.intent).not.toEqual(before);

    const err = await failure(client.getDeviceIntent('leaf02', { at: 'last tuesday' }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toBe('getDeviceIntent options: at: not an ISO 8601 timestamp such as 2026-12-07T10:00:00Z');
  });

  it('turns a policy deleted from Infrahub into a reference the device must satisfy (and drops its statements)', async () => {
    const b = await branch();
    await rawGraphql(sim, `mutation { SynapseRoutingPolicyDelete(data: {hfid: ["${UNDERLAY_EXPORT_POLICY}"]}) { ok } }`, {}, b);
    const { intent } = await client.getDeviceIntent('spine01', { branch: b });
    expect(intent.bgp!.groups[0]!.exportPolicies).toEqual([UNDERLAY_EXPORT_POLICY]);
    expect(intent.routingPolicies.map((p) => p.name)).toEqual([UNDERLAY_IMPORT_POLICY]);
    const statements = await rawGraphql<{ SynapsePolicyStatement: { count: number } }>(sim, `query { SynapsePolicyStatement(policy__name__value: "${UNDERLAY_EXPORT_POLICY}") { count } }`, {}, b);
    expect(statements.SynapsePolicyStatement.count).toBe(0);
  });

  it('refuses a statement matching a prefix set with no prefixes, naming the set, policy and statement', async () => {
    const b = await branch();
    const empty = await create('SynapsePrefixSet', { name: { value: 'empty-set' } }, b);
    await create('SynapsePolicyStatement', { name: { value: 'nothing' }, sequence: { value: 30 }, action: { value: 'accept' }, policy: { hfid: [UNDERLAY_EXPORT_POLICY] }, match_prefix_set: { id: empty } }, b);
    const err = await failure(client.getDeviceIntent('leaf01', { branch: b }));
    expect(err.type).toBe('InvalidInput');
    expect(err.message).toContain(`prefix set "empty-set" (matched by routing policy "${UNDERLAY_EXPORT_POLICY}" statement "nothing") has no prefixes`);
  });
});
