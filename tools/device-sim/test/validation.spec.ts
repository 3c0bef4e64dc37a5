import { status } from '@grpc/grpc-js';
import type { WireSetRequest } from '@synapse/gnmi-client';
import type { DeviceSim } from '../src';
import { connect, deployRequest, expectGrpcError, fixture, startLab, update, wirePath, type TestClient } from './helpers';

const NI = '/network-instance[name=default]';
const BGP = `${NI}/protocols/bgp`;

/** Each rule a real SR Linux enforces at commit, with the exact path the refusal must name. */
const CASES: Array<[string, WireSetRequest, string | RegExp]> = [
  [
    'an interface name SR Linux does not allow',
    { update: [update('/interface[name=eth1]', { 'admin-state': 'enable' })] },
    '/interface[name=eth1]/name: "eth1" is not a valid interface name',
  ],
  ['a loopback named loopback0', { update: [update('/interface[name=loopback0]', { 'admin-state': 'enable' })] }, '/interface[name=loopback0]/name: "loopback0" is not a valid'],
  ['an ethernet port above 128', { update: [update('/interface[name=ethernet-1/200]', {})] }, '/interface[name=ethernet-1/200]/name: "ethernet-1/200" is not a valid interface name'],
  ['an ethernet slot above 99', { update: [update('/interface[name=ethernet-100/1]', {})] }, '/interface[name=ethernet-100/1]/name: "ethernet-100/1" is not a valid interface name'],
  ['an ethernet MTU below 1500', { update: [update('/interface[name=ethernet-1/1]/mtu', 100)] }, '/interface[name=ethernet-1/1]/mtu: 100 is out of range 1500..9500 for ethernet ports'],
  ['an ethernet MTU of 1450 (valid elsewhere)', { update: [update('/interface[name=ethernet-1/1]/mtu', 1450)] }, '/interface[name=ethernet-1/1]/mtu: 1450 is out of range 1500..9500 for ethernet ports'],
  ['an ethernet MTU above 9500', { update: [update('/interface[name=ethernet-1/1]/mtu', 9501)] }, '/interface[name=ethernet-1/1]/mtu: 9501 is out of range 1500..9500 for ethernet ports'],
  ['a mgmt MTU above 9216', { update: [update('/interface[name=mgmt0]/mtu', 9217)] }, '/interface[name=mgmt0]/mtu: 9217 is out of range 1500..9216 for mgmt interfaces'],
  ['a mgmt MTU of 1450 (only lif/vhn go below 1500)', { update: [update('/interface[name=mgmt0]/mtu', 1450)] }, '/interface[name=mgmt0]/mtu: 1450 is out of range 1500..9216 for mgmt interfaces'],
  ['an MTU given as a string', { update: [update('/interface[name=ethernet-1/1]', { mtu: '9000' })] }, '/interface[name=ethernet-1/1]/mtu: expected an unsigned integer, got "9000"'],
  ['a bad admin-state', { update: [update('/interface[name=ethernet-1/1]/admin-state', 'up')] }, '/interface[name=ethernet-1/1]/admin-state: "up" is not one of: enable, disable'],
  ['a description over 255 characters', { update: [update('/interface[name=ethernet-1/1]/description', 'x'.repeat(256))] }, '/interface[name=ethernet-1/1]/description: length 256 exceeds the maximum of 255'],
  ['a subinterface index above 9999', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=10000]', {})] }, '/interface[name=ethernet-1/1]/subinterface[index=10000]/index: 10000 is out of range 0..9999'],
  ['system0 with a subinterface other than 0', { update: [update('/interface[name=system0]/subinterface[index=1]', {})] }, '/interface[name=system0]/subinterface[index=1]: system0 supports only subinterface 0'],
  ...['10.0.0.300/31', '10.0.0.1/33', '10.0.0.1', 'ten/31'].map((prefix): [string, WireSetRequest, string] => [
    `a bad interface address ${prefix}`,
    { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv4/address', [{ 'ip-prefix': prefix }])] },
    `/interface[name=ethernet-1/1]/subinterface[index=0]/ipv4/address[ip-prefix=${prefix}]/ip-prefix: "${prefix}" is not a valid IPv4 address with prefix length`,
  ]),
  [
    'an unknown leaf inside a value',
    { update: [update('/interface[name=ethernet-1/1]', { speed: '100G' })] },
    '/interface[name=ethernet-1/1]/speed: unknown element "speed"',
  ],
  ['an unknown element in the path', { update: [update('/interface[name=ethernet-1/1]/ethernet/speed', '100G')] }, /\/interface\[name=ethernet-1\/1\]\/ethernet\/speed: unknown element "speed"/],
  ['an unknown top-level container', { update: [update('/qos', {})] }, '/qos: unknown element "qos"'],
  [
    'a network-instance interface that is not a subinterface',
    { update: [update(`${NI}/interface[name=ethernet-1/1]`, {})] },
    `${NI}/interface[name=ethernet-1/1]/name: "ethernet-1/1" is not a subinterface name`,
  ],
  [
    'a network-instance interface naming a missing subinterface',
    { update: [update(`${NI}/interface[name=ethernet-1/7.0]`, {})] },
    `${NI}/interface[name=ethernet-1/7.0]: subinterface ethernet-1/7.0 does not exist`,
  ],
  [
    'a subinterface in two network-instances',
    { update: [update('/network-instance[name=mgmt]/interface[name=ethernet-1/1.0]', {})] },
    /\/network-instance\[name=(mgmt|default)\]\/interface\[name=ethernet-1\/1\.0\]: subinterface ethernet-1\/1\.0 already belongs to network-instance/,
  ],
  ['BGP without autonomous-system', { delete: [wirePath(`${BGP}/autonomous-system`)] }, `${BGP}/autonomous-system: mandatory leaf "autonomous-system" is missing`],
  ['BGP without router-id', { delete: [wirePath(`${BGP}/router-id`)] }, `${BGP}/router-id: mandatory leaf "router-id" is missing`],
  ['a router-id that is not IPv4', { update: [update(`${BGP}/router-id`, '10.1.0')] }, `${BGP}/router-id: "10.1.0" is not an IPv4 address`],
  ['an autonomous-system of 0', { update: [update(`${BGP}/autonomous-system`, 0)] }, `${BGP}/autonomous-system: 0 is out of range 1..4294967295`],
  [
    'BGP with no afi-safi enabled',
    { update: [update(`${BGP}/afi-safi[afi-safi-name=ipv4-unicast]/admin-state`, 'disable')] },
    `${BGP}/afi-safi: at least one afi-safi must have admin-state enable`,
  ],
  ['an unknown afi-safi identity', { update: [update(`${BGP}/afi-safi[afi-safi-name=ipv5-unicast]`, { 'admin-state': 'enable' })] }, /afi-safi-name: "ipv5-unicast" is not one of/],
  [
    'a neighbor in a group that does not exist',
    { update: [update(`${BGP}/neighbor[peer-address=10.0.0.1]/peer-group`, 'spines')] },
    `${BGP}/neighbor[peer-address=10.0.0.1]/peer-group: group "spines" does not exist`,
  ],
  ['a neighbor without peer-group', { delete: [wirePath(`${BGP}/neighbor[peer-address=10.0.0.1]/peer-group`)] }, `${BGP}/neighbor[peer-address=10.0.0.1]/peer-group: mandatory leaf`],
  [
    'a neighbor with no peer-as anywhere',
    { delete: [wirePath(`${BGP}/neighbor[peer-address=10.0.0.1]/peer-as`)] },
    `${BGP}/neighbor[peer-address=10.0.0.1]/peer-as: no peer-as is configured on the neighbor or on its group "leaves"`,
  ],
  ['a neighbor address that is not an IP', { update: [update(`${BGP}/neighbor[peer-address=leaf03]`, { 'peer-group': 'leaves', 'peer-as': 1 })] }, `${BGP}/neighbor[peer-address=leaf03]/peer-address: "leaf03" is not an IP address`],
  [
    'a group export-policy that does not exist',
    { update: [update(`${BGP}/group[group-name=leaves]/export-policy`, ['export-loopbacks', 'export-everything'])] },
    `${BGP}/group[group-name=leaves]/export-policy: policy "export-everything" does not exist under /routing-policy`,
  ],
  [
    'deleting a policy a group still uses',
    { delete: [wirePath('/routing-policy/policy[name=import-all]')] },
    `${BGP}/group[group-name=leaves]/import-policy: policy "import-all" does not exist`,
  ],
  ['a policy-result that is not accept|reject', { update: [update('/routing-policy/policy[name=import-all]/default-action/policy-result', 'permit')] }, /default-action\/policy-result: "permit" is not one of: accept, reject/],
  [
    'a statement matching a missing prefix-set',
    { update: [update('/routing-policy/policy[name=import-all]/statement[name=s1]/match/prefix/prefix-set', 'nope')] },
    '/routing-policy/policy[name=import-all]/statement[name=s1]/match/prefix/prefix-set: prefix-set "nope" does not exist',
  ],
  [
    "24.10's match/prefix-set leaf (25.3 has only match/prefix/prefix-set)",
    { update: [update('/routing-policy/policy[name=import-all]/statement[name=s1]', { match: { 'prefix-set': 'loopbacks' } })] },
    '/routing-policy/policy[name=import-all]/statement[name=s1]/match/prefix-set: unknown element "prefix-set"',
  ],
  ['a route prefix with host bits set', { update: [update('/routing-policy/prefix-set[name=p]/prefix', [{ 'ip-prefix': '10.1.0.1/24', 'mask-length-range': 'exact' }])] }, /ip-prefix: "10.1.0.1\/24" is not a valid IP prefix/],
  ['an identity from the wrong module', { update: [update(NI, { type: 'srl_nokia-common:default' })] }, `${NI}/type: identity "srl_nokia-common:default" is not from module srl_nokia-network-instance`],
  ['a member qualified with the wrong module', { update: [update('/interface[name=ethernet-1/1]', { 'srl_nokia-bgp:mtu': 9000 })] }, /\/interface\[name=ethernet-1\/1\]\/mtu: "mtu" is defined by module srl_nokia-interfaces/],
  ['a container given as a list', { update: [update('/interface[name=ethernet-1/1]', { subinterface: { index: 0 } })] }, '/interface[name=ethernet-1/1]/subinterface: expected a JSON array for list "subinterface", got an object'],
  ['a list entry without its key', { update: [update('/interface', [{ mtu: 9000 }])] }, '/interface[name=?]: list entry lacks its key "name"'],
  [
    'a duplicate list entry',
    { update: [update('/interface', [{ name: 'lo1' }, { name: 'lo1', description: 'again' }])] },
    '/interface[name=lo1]: duplicate entry in list "interface"',
  ],
];

describe('validation: invalid config is refused whole, naming the path', () => {
  let sim: DeviceSim;
  let spine: TestClient;

  beforeAll(async () => {
    sim = await startLab();
    spine = connect(sim.address('spine01'));
    await spine.set(deployRequest(fixture('spine01')));
  });

  afterAll(async () => {
    spine.close();
    await sim.stop();
  });

  it.each(CASES)('refuses %s', async (_title, request, message) => {
    const before = sim.runningConfig('spine01');
    const error = await expectGrpcError(spine.set(request), status.INVALID_ARGUMENT, message);
    expect(error.details.startsWith('/')).toBe(true);
    expect(sim.runningConfig('spine01')).toEqual(before);
  });

  it('accepts each boundary value the rules allow', async () => {
    await spine.set({
      update: [
        update('/interface[name=ethernet-1/1]/mtu', 1500),
        update('/interface[name=ethernet-1/2]/mtu', 9500),
        update('/interface[name=mgmt0]/mtu', 9216),
        update('/interface[name=ethernet-99/128]', { description: 'd'.repeat(255), subinterface: [{ index: 9999 }] }),
        update('/interface[name=lag1000]', { mtu: 1500 }),
        update('/interface[name=lo255]', {}),
        update('/interface[name=irb255]', {}),
        update(`${BGP}/neighbor[peer-address=2001:db8::1]`, { 'peer-group': 'leaves', 'peer-as': 4294967295 }),
      ],
    });
    expect((sim.runningConfig('spine01') as { interface: unknown[] }).interface).toEqual(
      expect.arrayContaining([{ name: 'ethernet-99/128', description: 'd'.repeat(255), subinterface: [{ index: 9999 }] }, { name: 'lag1000', mtu: 1500 }]),
    );
  });
});
