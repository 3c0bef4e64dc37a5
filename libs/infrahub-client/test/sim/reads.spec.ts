import { brownfieldLab, deviceIntent, generateFabric, LEGACY_IMPORT_POLICY, referenceLab, UNDERLAY_EXPORT_POLICY, UNDERLAY_IMPORT_POLICY } from '@synapse/lab';
import type { DeviceIntent } from '@synapse/contracts';
import type { InfrahubSim } from '@synapse/infrahub-sim';
import { InfrahubClient } from '../../src/index';
import { failure, testClient } from '../helpers';
import { DEFAULT_LAB_API_TOKEN, startSim, startSpoilingProxy } from './sim-helpers';

/**
 * Reading the source of truth from the Infrahub simulator over HTTP: the
 * reference lab's devices as an operator would look them up, and their
 * intent exactly as the lab defines it.
 */

/** Intent with order-free lists in a fixed order, so two equal intents compare equal. */
function normalized(intent: DeviceIntent): DeviceIntent {
  return {
    ...intent,
    interfaces: [...intent.interfaces].sort((a, b) => a.name.localeCompare(b.name)),
    routingPolicies: [...intent.routingPolicies].sort((a, b) => a.name.localeCompare(b.name)),
    prefixSets: [...intent.prefixSets].sort((a, b) => a.name.localeCompare(b.name)),
    bgp: intent.bgp && {
      ...intent.bgp,
      groups: [...intent.bgp.groups].sort((a, b) => a.name.localeCompare(b.name)),
      neighbors: [...intent.bgp.neighbors].sort((a, b) => a.peerAddress.localeCompare(b.peerAddress)),
    },
  };
}

describe('reading devices from the simulator (reference lab)', () => {
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim();
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('gets leaf01 with its interfaces, addresses, BGP sessions, ASN, role, platform and deployment state', async () => {
    const device = await client.getDevice('leaf01');
    expect(device).toMatchObject({ name: 'leaf01', role: 'leaf', status: 'active', platform: 'srlinux', asn: 65001, branch: 'main', deployment: { state: 'pending' } });
    expect(device.deployment.lastChangeId).toBeUndefined();
    const byName = new Map(device.interfaces.map((i) => [i.name, i]));
    expect([...byName.keys()].sort()).toEqual(['ethernet-1/49', 'ethernet-1/50', 'system0']);
    expect(byName.get('ethernet-1/49')).toMatchObject({ kind: 'InterfacePhysical', mtu: 9214, status: 'active', role: 'core', description: 'to spine01 ethernet-1/1', ipAddresses: ['10.0.0.1/31'] });
    expect(byName.get('system0')).toMatchObject({ kind: 'InterfaceVirtual', ipAddresses: ['10.1.0.2/32'] });
    const sessions = [...device.bgpSessions].sort((a, b) => (a.remoteIp ?? '').localeCompare(b.remoteIp ?? ''));
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({
      localIp: '10.0.0.1/31',
      remoteIp: '10.0.0.0/31',
      localAs: 65001,
      remoteAs: 65000,
      status: 'active',
      sessionType: 'external',
      peerGroup: { name: 'underlay', importPolicies: [UNDERLAY_IMPORT_POLICY], exportPolicies: [UNDERLAY_EXPORT_POLICY] },
    });
    expect(sessions[1]).toMatchObject({ localIp: '10.0.0.5/31', remoteIp: '10.0.0.4/31' });
  });

  it.each(['spine01', 'leaf01', 'leaf02'])('maps %s to exactly the intent the lab defines', async (name) => {
    const { intent } = await client.getDeviceIntent(name);
    expect(normalized(intent)).toEqual(normalized(deviceIntent(referenceLab(), name)));
  });

  it('reads the policies the peer groups name, statements and prefix sets included, and says where and when it read', async () => {
    const before = Date.now();
    const { intent, source } = await client.getDeviceIntent('leaf01');
    expect(source.branch).toBe('main');
    expect(Date.parse(source.readAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(source.readAt)).toBeLessThanOrEqual(Date.now());
    expect(intent.routingPolicies).toEqual([
      { name: UNDERLAY_EXPORT_POLICY, defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
      { name: UNDERLAY_IMPORT_POLICY, defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
    ]);
    expect(intent.prefixSets).toEqual([{ name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] }]);
  });

  it('takes the router id from system0 and strips prefix lengths from neighbor addresses', async () => {
    const { intent } = await client.getDeviceIntent('spine01');
    expect(intent.bgp).toMatchObject({ asn: 65000, routerId: '10.1.0.1' });
    expect(intent.bgp!.neighbors.map((n) => `${n.peerAddress} AS${n.peerAs} from ${n.localAddress}`)).toEqual([
      '10.0.0.1 AS65001 from 10.0.0.0',
      '10.0.0.3 AS65002 from 10.0.0.2',
      '10.0.0.5 AS65001 from 10.0.0.4',
      '10.0.0.7 AS65002 from 10.0.0.6',
    ]);
    expect(intent.interfaces.find((i) => i.name === 'system0')).toEqual({ name: 'system0', enabled: true, ipv4Addresses: ['10.1.0.1/32'], role: 'loopback' });
  });

  it("names each neighbor's far-end device, from the session's peer session", async () => {
    const { intent } = await client.getDeviceIntent('spine01');
    expect(intent.bgp!.neighbors.map((n) => `${n.peerAddress} ${n.peerDevice}`)).toEqual(['10.0.0.1 leaf01', '10.0.0.3 leaf02', '10.0.0.5 leaf01', '10.0.0.7 leaf02']);
    const device = await client.getDevice('leaf01');
    expect(device.bgpSessions.map((s) => [s.remoteIp, s.peerSession?.device, s.remoteIpDevice]).sort()).toEqual([
      ['10.0.0.0/31', 'spine01', 'spine01'],
      ['10.0.0.4/31', 'spine01', 'spine01'],
    ]);
  });

  it('reads an intent, far ends included, in three GraphQL requests: device, sessions, policies', async () => {
    const proxy = await startSpoilingProxy(sim.address);
    const counted = testClient({ address: proxy.address, apiToken: DEFAULT_LAB_API_TOKEN });
    try {
      const { intent } = await counted.getDeviceIntent('leaf02');
      expect(intent.bgp!.neighbors.every((n) => n.peerDevice === 'spine01')).toBe(true);
      expect(proxy.seen.map((body) => /query (\w+)/.exec(body)?.[1])).toEqual(['DeviceDetail', 'DeviceBgpSessions', 'RoutingPolicies']);
    } finally {
      counted.close();
      await proxy.stop();
    }
  });

  it('reports an unknown device as IntentNotFound naming the device and branch', async () => {
    const err = await failure(client.getDevice('leaf99'));
    expect(err.type).toBe('IntentNotFound');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('no device named "leaf99" on branch "main"');
    expect(err.details).toMatchObject({ device: 'leaf99', branch: 'main' });
    expect((await failure(client.getDeviceIntent('leaf99', { branch: 'main' }))).type).toBe('IntentNotFound');
  });

  it('reports an unknown branch as BranchNotFound naming it', async () => {
    const err = await failure(client.getDevice('leaf01', { branch: 'change-that-never-was' }));
    expect(err.type).toBe('BranchNotFound');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('branch "change-that-never-was" does not exist');
  });

  it('lists devices with every filter the caller can give', async () => {
    const names = async (options: Parameters<InfrahubClient['listDevices']>[0]) => (await client.listDevices(options)).map((d) => d.name).sort();
    expect(await names({})).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect(await names({ role: 'leaf' })).toEqual(['leaf01', 'leaf02']);
    expect(await names({ roles: ['spine', 'leaf'] })).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect(await names({ role: 'spine', status: 'active' })).toEqual(['spine01']);
    expect(await names({ status: 'maintenance' })).toEqual([]);
    expect(await names({ names: ['leaf02', 'spine01', 'nope'] })).toEqual(['leaf02', 'spine01']);
    expect(await names({ names: [] })).toEqual([]);
    const [spine] = await client.listDevices({ names: ['spine01'] });
    expect(spine).toMatchObject({ name: 'spine01', role: 'spine', asn: 65000, platform: 'srlinux', deployment: { state: 'pending' } });
  });

  it('checks whether branches exist', async () => {
    await expect(client.branchExists('main')).resolves.toBe(true);
    await expect(client.branchExists('no-such-branch')).resolves.toBe(false);
  });
});

describe('reading a generated fabric page by page', () => {
  const lab = generateFabric({ spines: 2, leaves: 9 });
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim({ lab });
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('collects all 11 devices across pages of 4', async () => {
    const devices = await client.listDevices({ pageSize: 4 });
    expect(devices.map((d) => d.name).sort()).toEqual(lab.devices.map((d) => d.name).sort());
    expect(new Set(devices.map((d) => d.id)).size).toBe(11);
    const leaves = await client.listDevices({ role: 'leaf', pageSize: 2 });
    expect(leaves).toHaveLength(9);
  });

  it('maps a 4-byte-ASN leaf and a spine with nine sessions to the lab intent', async () => {
    for (const name of [lab.devices.find((d) => d.role === 'leaf')!.name, lab.devices.find((d) => d.role === 'spine')!.name]) {
      const { intent } = await client.getDeviceIntent(name);
      expect(normalized(intent)).toEqual(normalized(deviceIntent(lab, name)));
    }
    const { intent: spine } = await client.getDeviceIntent(lab.devices.find((d) => d.role === 'spine')!.name);
    expect(spine.bgp!.neighbors).toHaveLength(9);
    expect(spine.bgp!.asn).toBeGreaterThan(4_000_000_000);
  });
});

describe('reading the brownfield lab: a policy only the devices define, an in-band management port', () => {
  const lab = brownfieldLab(referenceLab());
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    sim = await startSim({ lab });
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it.each(['spine01', 'leaf01', 'leaf02'])('maps %s to exactly the intent the lab defines', async (name) => {
    const { intent } = await client.getDeviceIntent(name);
    expect(normalized(intent)).toEqual(normalized(deviceIntent(lab, name)));
  });

  it('keeps a policy Infrahub does not define on the peer group only, inventing nothing for it', async () => {
    const { intent } = await client.getDeviceIntent('leaf01');
    expect(intent.bgp!.groups).toEqual([{ name: 'underlay', importPolicies: [LEGACY_IMPORT_POLICY], exportPolicies: [UNDERLAY_EXPORT_POLICY] }]);
    expect(intent.routingPolicies.map((p) => p.name)).toEqual([UNDERLAY_EXPORT_POLICY]);
    expect(intent.prefixSets.map((p) => p.name)).toEqual(['loopbacks']);
  });

  it('carries the management port with its role and address, and no MTU nobody intended', async () => {
    const { intent } = await client.getDeviceIntent('spine01');
    const port = lab.devices.find((d) => d.name === 'spine01')!.inbandManagement!;
    expect(intent.interfaces.filter((i) => i.role === 'management')).toEqual([
      { name: port.interface, description: 'in-band management', enabled: true, ipv4Addresses: [port.address], role: 'management' },
    ]);
  });
});
