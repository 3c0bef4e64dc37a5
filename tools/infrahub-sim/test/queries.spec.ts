import { DeviceIntent } from '@synapse/contracts';
import { brownfieldLab, deviceIntent, generateFabric, LEGACY_IMPORT_POLICY, referenceLab, UNDERLAY_EXPORT_POLICY, UNDERLAY_IMPORT_POLICY, type Lab } from '@synapse/lab';
import { startInfrahubSim, type InfrahubSim } from '../src';
import { data, gql, names, useSim } from './helpers';

const sim = useSim();

describe('node queries on the reference lab', () => {
  it('lists every device with id, hfid, display label and type, ordered by name as the schema says', async () => {
    const result = await data(sim(), `{ DcimDevice { count edges { node { id hfid display_label __typename name { value } role { value } status { value label } deployment_state { value is_default } } } } }`);
    expect(result.DcimDevice.count).toBe(3);
    expect(names(result.DcimDevice.edges)).toEqual(['leaf01', 'leaf02', 'spine01']);
    const [leaf01] = result.DcimDevice.edges;
    expect(leaf01.node).toMatchObject({ hfid: ['leaf01'], display_label: 'leaf01', __typename: 'DcimDevice', role: { value: 'leaf' }, status: { value: 'active', label: 'Active' } });
    expect(leaf01.node.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(leaf01.node.deployment_state).toEqual({ value: 'pending', is_default: true });
  });

  it('keeps ids stable across restarts of the same lab', async () => {
    const query = `{ DcimDevice(name__value: "spine01") { edges { node { id } } } }`;
    const first = await data(sim(), query);
    const other = await startInfrahubSim();
    try {
      expect((await data(other, query)).DcimDevice.edges[0].node.id).toBe(first.DcimDevice.edges[0].node.id);
    } finally {
      await other.stop();
    }
  });

  it.each([
    ['name__value: "leaf01"', ['leaf01']],
    ['role__value: "spine"', ['spine01']],
    ['role__values: ["spine", "leaf"]', ['leaf01', 'leaf02', 'spine01']],
    ['status__value: "maintenance"', []],
    ['name__value: "LEAF", partial_match: true', ['leaf01', 'leaf02']],
    ['name__values: ["leaf02", "nope"]', ['leaf02']],
    ['asn__asn__value: 65002', ['leaf02']],
    ['interfaces__name__value: "ethernet-1/4"', ['spine01']],
    ['description__isnull: true, role__value: "leaf"', ['leaf01', 'leaf02']],
    ['primary_address__address__value: "10.1.0.1/32"', ['spine01']],
  ])('filters DcimDevice(%s)', async (filter, expected) => {
    const result = await data(sim(), `{ DcimDevice(${filter}) { count edges { node { name { value } } } } }`);
    expect(names(result.DcimDevice.edges)).toEqual(expected);
    expect(result.DcimDevice.count).toBe(expected.length);
  });

  it('filters by ids and by hfid', async () => {
    const all = await data(sim(), `{ DcimDevice { edges { node { id name { value } } } } }`);
    const spine = all.DcimDevice.edges.find((e: any) => e.node.name.value === 'spine01').node.id;
    const byIds = await data(sim(), `query($ids: [ID]) { DcimDevice(ids: $ids) { count edges { node { name { value } } } } }`, { variables: { ids: [spine, 'not-an-id'] } });
    expect(names(byIds.DcimDevice.edges)).toEqual(['spine01']);
    const byHfid = await data(sim(), `{ DcimDevice(hfid: ["leaf02"]) { edges { node { id name { value } } } } }`);
    expect(names(byHfid.DcimDevice.edges)).toEqual(['leaf02']);
  });

  it('pages with offset and limit while count stays the total', async () => {
    const page = (offset: number, limit: number) => data(sim(), `{ DcimDevice(offset: ${offset}, limit: ${limit}) { count edges { node { name { value } } } } }`);
    const first = await page(0, 2);
    const second = await page(2, 2);
    expect([first.DcimDevice.count, second.DcimDevice.count]).toEqual([3, 3]);
    expect([...names(first.DcimDevice.edges), ...names(second.DcimDevice.edges)]).toEqual(['leaf01', 'leaf02', 'spine01']);
    expect((await page(3, 10)).DcimDevice.edges).toEqual([]);
    expect((await page(0, 0)).DcimDevice).toEqual({ count: 3, edges: [] });
  });

  it('refuses a negative offset as a resolver error (HTTP 200 with errors)', async () => {
    const response = await gql(sim(), `{ DcimDevice(offset: -1) { count } }`);
    expect(response.status).toBe(200);
    expect(response.body.errors[0]).toMatchObject({ message: 'offset must be zero or more', path: ['DcimDevice'], locations: [{ line: 1, column: 3 }] });
  });

  it('serves relationships: asn, platform, primary address, and interfaces with their IP addresses', async () => {
    const result = await data(
      sim(),
      `{ DcimDevice(name__value: "leaf01") { edges { node {
          asn { node { id display_label asn { value } name { value } } }
          platform { node { name { value } } }
          primary_address { node { address { value ip prefixlen } } }
          interfaces { count edges { node { __typename hfid display_label name { value } description { value } mtu { value } status { value } role { value }
            ... on InterfaceLayer3 { ip_addresses { count edges { node { address { value } role { value } } } } } } } }
          loopback: interfaces(name__value: "system0") { count edges { node { name { value } } } }
        } } } }`,
    );
    const leaf = result.DcimDevice.edges[0].node;
    expect(leaf.asn.node).toMatchObject({ display_label: 'AS 65001: AS65001', asn: { value: 65001 }, name: { value: 'AS65001' } });
    expect(leaf.platform.node.name.value).toBe('srlinux');
    expect(leaf.primary_address.node.address).toEqual({ value: '10.1.0.2/32', ip: '10.1.0.2', prefixlen: 32 });
    expect(leaf.interfaces.count).toBe(3);
    expect(leaf.interfaces.edges.map((e: any) => [e.node.__typename, e.node.name.value, e.node.description.value, e.node.mtu.value, e.node.ip_addresses.edges.map((a: any) => a.node.address.value)])).toEqual([
      ['InterfacePhysical', 'ethernet-1/49', 'to spine01 ethernet-1/1', 9214, ['10.0.0.1/31']],
      ['InterfacePhysical', 'ethernet-1/50', 'to spine01 ethernet-1/3', 9214, ['10.0.0.5/31']],
      ['InterfaceVirtual', 'system0', null, 1514, ['10.1.0.2/32']],
    ]);
    expect(leaf.interfaces.edges[0].node.hfid).toEqual(['leaf01', 'ethernet-1/49']);
    expect(leaf.interfaces.edges[2].node.ip_addresses.edges[0].node.role.value).toBe('loopback');
    expect(leaf.loopback).toEqual({ count: 1, edges: [{ node: { name: { value: 'system0' } } }] });
  });

  it('has BGP sessions on both ends of every link, each pointing at its mirror', async () => {
    const result = await data(
      sim(),
      `{ RoutingBGPSession { count edges { node { id description { value } session_type { value } status { value }
          device { node { name { value } } }
          local_ip { node { address { value } } } remote_ip { node { address { value } } }
          local_as { node { asn { value } } } remote_as { node { asn { value } } }
          peer_group { node { name { value } import_policies { value } export_policies { value } } }
          peer_session { node { id ... on RoutingBGPSession { device { node { name { value } } } local_ip { node { address { value } } } remote_ip { node { address { value } } } peer_session { node { id } } } } }
        } } } }`,
    );
    expect(result.RoutingBGPSession.count).toBe(8);
    for (const { node } of result.RoutingBGPSession.edges) {
      const mirror = node.peer_session.node;
      expect(mirror.peer_session.node.id).toBe(node.id);
      expect(mirror.local_ip.node.address.value).toBe(node.remote_ip.node.address.value);
      expect(mirror.remote_ip.node.address.value).toBe(node.local_ip.node.address.value);
      expect(mirror.device.node.name.value).not.toBe(node.device.node.name.value);
      expect(node.local_as.node.asn.value).not.toBe(node.remote_as.node.asn.value);
      expect(node).toMatchObject({ session_type: { value: 'external' }, status: { value: 'active' } });
      expect(node.peer_group.node).toEqual({ name: { value: 'underlay' }, import_policies: { value: UNDERLAY_IMPORT_POLICY }, export_policies: { value: UNDERLAY_EXPORT_POLICY } });
    }
  });

  it("tells a session's far-end device two ways: its peer session's device, and the device of the port holding its remote address", async () => {
    const result = await data(
      sim(),
      `{ RoutingBGPSession(device__name__value: "spine01") { count edges { node { description { value }
          peer_session { node { device { node { name { value } } } } }
          remote_ip { node { address { value } interface { node { __typename ... on DcimInterface { name { value } device { node { name { value } } } } } } } }
        } } } }`,
    );
    const farEnds = result.RoutingBGPSession.edges.map(({ node }: any) => {
      const port = node.remote_ip.node.interface.node;
      return [node.description.value, node.peer_session.node.device.node.name.value, `${port.__typename} ${port.device.node.name.value} ${port.name.value}`];
    });
    expect(farEnds.sort()).toEqual([
      ['to leaf01 ethernet-1/49', 'leaf01', 'InterfacePhysical leaf01 ethernet-1/49'],
      ['to leaf01 ethernet-1/50', 'leaf01', 'InterfacePhysical leaf01 ethernet-1/50'],
      ['to leaf02 ethernet-1/49', 'leaf02', 'InterfacePhysical leaf02 ethernet-1/49'],
      ['to leaf02 ethernet-1/50', 'leaf02', 'InterfacePhysical leaf02 ethernet-1/50'],
    ]);
  });

  it.each([
    ['device__name__value: "leaf01"', ['to spine01 ethernet-1/1', 'to spine01 ethernet-1/3']],
    ['remote_as__asn__value: 65000, device__name__value: "leaf02"', ['to spine01 ethernet-1/2', 'to spine01 ethernet-1/4']],
    ['local_ip__address__value: "10.0.0.6/31"', ['to leaf02 ethernet-1/50']],
    ['description__value: "to leaf01 ethernet-1/49"', ['to leaf01 ethernet-1/49']],
  ])('filters RoutingBGPSession(%s) through relationships', async (filter, expected) => {
    const result = await data(sim(), `{ RoutingBGPSession(${filter}) { count edges { node { description { value } } } } }`);
    expect(result.RoutingBGPSession.edges.map((e: any) => e.node.description.value).sort()).toEqual(expected);
  });

  it('serves the routing policies the lab defines, statements in sequence order with their prefix sets', async () => {
    const result = await data(
      sim(),
      `query($names: [String]) { SynapseRoutingPolicy(name__values: $names) { count edges { node { hfid display_label name { value } default_action { value label }
          statements { count edges { node { hfid display_label name { value } sequence { value } action { value } match_protocol { value }
            policy { node { name { value } } }
            match_prefix_set { node { name { value } prefixes { edges { node { hfid prefix { value prefixlen version netmask broadcast_address num_addresses } mask_length_range { value is_default } } } } } } } } }
        } } } }`,
      { variables: { names: [UNDERLAY_IMPORT_POLICY, UNDERLAY_EXPORT_POLICY, 'not-in-infrahub'] } },
    );
    expect(result.SynapseRoutingPolicy.count).toBe(2);
    expect(names(result.SynapseRoutingPolicy.edges)).toEqual([UNDERLAY_EXPORT_POLICY, UNDERLAY_IMPORT_POLICY]);
    const [exportPolicy] = result.SynapseRoutingPolicy.edges;
    expect(exportPolicy.node).toMatchObject({ hfid: [UNDERLAY_EXPORT_POLICY], display_label: UNDERLAY_EXPORT_POLICY, default_action: { value: 'reject', label: 'Reject' } });
    expect(exportPolicy.node.statements).toEqual({
      count: 1,
      edges: [
        {
          node: {
            hfid: [UNDERLAY_EXPORT_POLICY, 'loopbacks'],
            display_label: '10 loopbacks',
            name: { value: 'loopbacks' },
            sequence: { value: 10 },
            action: { value: 'accept' },
            match_protocol: { value: null },
            policy: { node: { name: { value: UNDERLAY_EXPORT_POLICY } } },
            match_prefix_set: {
              node: {
                name: { value: 'loopbacks' },
                prefixes: {
                  edges: [
                    {
                      node: {
                        hfid: ['loopbacks', '10.1.0.0/16', '32..32'],
                        prefix: { value: '10.1.0.0/16', prefixlen: 16, version: 4, netmask: '255.255.0.0', broadcast_address: '10.1.255.255', num_addresses: 65536 },
                        mask_length_range: { value: '32..32', is_default: false },
                      },
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    });
  });

  it('filters statements by their policy and prefix sets by name', async () => {
    const result = await data(
      sim(),
      `{ SynapsePolicyStatement(policy__name__value: "${UNDERLAY_IMPORT_POLICY}") { count edges { node { name { value } } } }
         SynapsePrefixSet(name__values: ["loopbacks", "nope"]) { count }
         SynapsePrefixSetEntry(prefix__value: "10.1.0.0/16") { count edges { node { prefix_set { node { name { value } } } } } } }`,
    );
    expect(result.SynapsePolicyStatement).toEqual({ count: 1, edges: [{ node: { name: { value: 'loopbacks' } } }] });
    expect(result.SynapsePrefixSet.count).toBe(1);
    expect(result.SynapsePrefixSetEntry.edges[0].node.prefix_set.node.name.value).toBe('loopbacks');
  });

  it('queries a generic kind across its node kinds', async () => {
    const result = await data(sim(), `{ DcimInterface(device__name__value: "spine01") { count edges { node { __typename name { value } } } }
      all: DcimInterface { count } virtual: InterfaceVirtual { count } }`);
    expect(result.DcimInterface.count).toBe(5);
    expect(result.DcimInterface.edges.map((e: any) => e.node.__typename)).toEqual(['InterfacePhysical', 'InterfacePhysical', 'InterfacePhysical', 'InterfacePhysical', 'InterfaceVirtual']);
    expect([result.all.count, result.virtual.count]).toEqual([11, 3]);
  });

  it('answers with GraphQL validation errors for fields the schema lacks, with locations', async () => {
    const response = await gql(sim(), `{ DcimDevice { edges { node { bogus { value } } } } }`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: null, errors: [{ message: 'Cannot query field "bogus" on type "DcimDevice".', locations: [{ line: 1, column: 31 }] }] });
    const filter = await gql(sim(), `{ DcimDevice(colour__value: "red") { count } }`);
    expect(filter.body.errors[0].message).toMatch(/^Unknown argument "colour__value" on field "Query.DcimDevice"\./);
  });

  it('answers a syntax error with GraphQL\'s message and location', async () => {
    const response = await gql(sim(), `{ DcimDevice { count }`);
    expect(response.status).toBe(200);
    expect(response.body.errors[0]).toMatchObject({ message: 'Syntax Error: Expected Name, found <EOF>.', locations: [{ line: 1, column: 23 }] });
  });

  it('takes variables and picks the named operation', async () => {
    const query = `query One($name: String) { DcimDevice(name__value: $name) { count } } query Two { InfrahubInfo { version deployment_id } }`;
    const one = await data(sim(), query, { variables: { name: 'leaf02' }, operationName: 'One' });
    expect(one.DcimDevice.count).toBe(1);
    const two = await data(sim(), query, { operationName: 'Two' });
    expect(two.InfrahubInfo.version).toMatch(/^\d+\.\d+\.\d+$/);
    const badVariable = await gql(sim(), `query($n: Int) { DcimDevice(limit: $n) { count } }`, { variables: { n: 'three' } });
    expect(badVariable.body.errors[0].message).toMatch(/^Variable "\$n" got invalid value "three"; Int cannot represent non-integer value/);
  });
});

/** Rebuild a device's intent from Infrahub's data the way a client maps it (see the README). */
async function intentFromInfrahub(target: InfrahubSim, name: string): Promise<DeviceIntent> {
  const result = await data(
    target,
    `query Intent($name: String!) {
      DcimDevice(name__value: $name) { edges { node {
        name { value } role { value } status { value }
        platform { node { name { value } } }
        asn { node { asn { value } } }
        primary_address { node { address { value } } }
        interfaces { edges { node { __typename name { value } description { value } mtu { value } status { value } role { value }
          ... on InterfaceLayer3 { ip_addresses { edges { node { address { value } } } } } } } }
      } } }
      RoutingBGPSession(device__name__value: $name) { edges { node {
        description { value }
        local_ip { node { address { value } } } remote_ip { node { address { value } } }
        remote_as { node { asn { value } } }
        peer_group { node { name { value } import_policies { value } export_policies { value } address_family { value } } }
        peer_session { node { device { node { name { value } } } } }
      } } }
    }`,
    { variables: { name } },
  );
  const device = result.DcimDevice.edges[0].node;
  const sessions = result.RoutingBGPSession.edges.map((e: any) => e.node);
  const host = (prefixed: string) => prefixed.split('/')[0];
  const groups = new Map<string, any>(sessions.map((s: any) => [s.peer_group.node.name.value, s.peer_group.node]));
  // One query for every policy the groups name; a name Infrahub does not define is the device's own.
  const named = [...new Set([...groups.values()].flatMap((g) => [g.import_policies.value, g.export_policies.value]))];
  const defined = await data(
    target,
    `query Policies($names: [String]) { SynapseRoutingPolicy(name__values: $names) { edges { node {
        name { value } default_action { value }
        statements { edges { node { name { value } sequence { value } action { value } match_protocol { value }
          match_prefix_set { node { name { value } prefixes { edges { node { prefix { value } mask_length_range { value } } } } } } } } }
      } } } }`,
    { variables: { names: named } },
  );
  const prefixSets = new Map<string, any>();
  const routingPolicies = defined.SynapseRoutingPolicy.edges.map(({ node: policy }: any) => ({
    name: policy.name.value,
    defaultAction: policy.default_action.value,
    statements: policy.statements.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => a.sequence.value - b.sequence.value)
      .map((statement: any) => {
        const set = statement.match_prefix_set?.node;
        if (set) prefixSets.set(set.name.value, { name: set.name.value, prefixes: set.prefixes.edges.map((e: any) => ({ prefix: e.node.prefix.value, maskLengthRange: e.node.mask_length_range.value })) });
        return {
          name: statement.name.value,
          match: { ...(set ? { prefixSet: set.name.value } : {}), ...(statement.match_protocol.value ? { protocol: statement.match_protocol.value } : {}) },
          action: statement.action.value,
        };
      }),
  }));
  return DeviceIntent.parse({
    name: device.name.value,
    role: device.role.value,
    status: device.status.value,
    platform: device.platform.node.name.value,
    interfaces: device.interfaces.edges.map(({ node }: any) => {
      const role = node.__typename === 'InterfaceVirtual' ? 'loopback' : node.role.value === 'management' ? 'management' : 'fabric';
      return {
        name: node.name.value,
        ...(node.description.value ? { description: node.description.value } : {}),
        enabled: node.status.value === 'active',
        // Synapse sizes fabric ports only: a loopback's or management port's MTU is the schema default nobody set.
        ...(role === 'fabric' ? { mtu: node.mtu.value } : {}),
        ipv4Addresses: node.ip_addresses.edges.map((a: any) => a.node.address.value),
        role,
      };
    }),
    bgp: {
      asn: device.asn.node.asn.value,
      routerId: host(device.primary_address.node.address.value),
      afiSafi: [...new Set([...groups.values()].map((g) => (g.address_family.value === 'ipv4' ? 'ipv4-unicast' : 'ipv6-unicast')))],
      groups: [...groups.values()].map((g) => ({ name: g.name.value, importPolicies: [g.import_policies.value], exportPolicies: [g.export_policies.value] })),
      neighbors: sessions.map((s: any) => ({
        peerAddress: host(s.remote_ip.node.address.value),
        peerAs: s.remote_as.node.asn.value,
        peerGroup: s.peer_group.node.name.value,
        localAddress: host(s.local_ip.node.address.value),
        peerDevice: s.peer_session.node.device.node.name.value,
        description: s.description.value,
      })),
    },
    routingPolicies,
    prefixSets: [...prefixSets.values()],
  });
}

/** Order-free form: Infrahub orders by its schema's order_by, the lab by link order. */
function canonical(intent: DeviceIntent) {
  const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...intent,
    interfaces: byName(intent.interfaces),
    routingPolicies: byName(intent.routingPolicies),
    prefixSets: byName(intent.prefixSets),
    bgp: intent.bgp && { ...intent.bgp, neighbors: [...intent.bgp.neighbors].sort((a, b) => a.peerAddress.localeCompare(b.peerAddress)) },
  };
}

describe('the intent a client reads equals the lab intent', () => {
  it.each(['spine01', 'leaf01', 'leaf02'])('%s of the reference lab', async (name) => {
    expect(canonical(await intentFromInfrahub(sim(), name))).toEqual(canonical(deviceIntent(referenceLab(), name)));
  });

  describe('the brownfield reference lab', () => {
    const lab = brownfieldLab(referenceLab());
    const brownfield = useSim({ lab });

    it.each(['spine01', 'leaf01', 'leaf02'])('%s, with its in-band management port and a policy only the device defines', async (name) => {
      const intent = await intentFromInfrahub(brownfield(), name);
      expect(canonical(intent)).toEqual(canonical(deviceIntent(lab, name)));
      const port = lab.devices.find((d) => d.name === name)!.inbandManagement!;
      expect(intent.interfaces.filter((i) => i.role === 'management')).toEqual([
        { name: port.interface, description: 'in-band management', enabled: true, ipv4Addresses: [port.address], role: 'management' },
      ]);
      expect(intent.bgp?.groups[0]?.importPolicies).toEqual([LEGACY_IMPORT_POLICY]);
      expect(intent.routingPolicies.map((p) => p.name)).toEqual([UNDERLAY_EXPORT_POLICY]);
    });

    it('lists the management port as an InterfacePhysical with role management and its address', async () => {
      const result = await data(brownfield(), `{ InterfacePhysical(role__value: "management") { count edges { node { hfid role { value label } ip_addresses { edges { node { address { value } } } } } } } }`);
      expect(result.InterfacePhysical.count).toBe(3);
      const expected = lab.devices.map((d) => ({ hfid: [d.name, d.inbandManagement!.interface], address: d.inbandManagement!.address })).sort((a, b) => a.hfid[0]!.localeCompare(b.hfid[0]!));
      expect(result.InterfacePhysical.edges.map((e: any) => ({ hfid: e.node.hfid, address: e.node.ip_addresses.edges[0].node.address.value }))).toEqual(expected);
      expect(result.InterfacePhysical.edges[0].node.role).toEqual({ value: 'management', label: 'Management Interface' });
    });
  });
});

describe('a 1,000-device fabric (4 spines, 996 leaves)', () => {
  const lab: Lab = generateFabric({ spines: 4, leaves: 996 });
  const fabric = useSim({ lab });

  it('pages through all 1,000 devices 50 at a time, as the SDK does', async () => {
    const seen: string[] = [];
    let count = Infinity;
    for (let offset = 0; offset < count; offset += 50) {
      const page = await data(fabric(), `query($offset: Int, $limit: Int) { DcimDevice(offset: $offset, limit: $limit) { count edges { node { name { value } asn { node { asn { value } } } } } } }`, { variables: { offset, limit: 50 } });
      count = page.DcimDevice.count;
      seen.push(...names(page.DcimDevice.edges));
    }
    expect(count).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
  });

  it.each(['spine03', 'leaf001', 'leaf996'])('serves %s exactly as the lab intends it', async (name) => {
    expect(canonical(await intentFromInfrahub(fabric(), name))).toEqual(canonical(deviceIntent(lab, name)));
  });
});
