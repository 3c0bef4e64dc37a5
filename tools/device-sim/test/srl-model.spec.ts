import { status } from '@grpc/grpc-js';
import type { WireSetRequest } from '@synapse/gnmi-client';
import type { DeviceSim } from '../src';
import { backup, canonical, connect, decode, expectGrpcError, getValue, getValues, pathText, replaceRoot, startLab, update, wirePath, type TestClient } from './helpers';
import { fullConfig } from './srl-25-3';

const BGP = '/network-instance[name=default]/protocols/bgp';
const STATEMENTS = '/routing-policy/policy[name=export-loopbacks]/statement';

/**
 * SR Linux 25.3's rules for the nodes the simulator models
 * (libs/device-config/SRLINUX-MODEL.md), each with the exact path a refusal
 * must name. The device starts from fullConfig(), which uses every node kind.
 */
const REFUSED: Array<[string, WireSetRequest, string | RegExp]> = [
  // ---- interface names (srl_nokia-common interface-all, 25.3) ----
  ...['ethernet-1/200', 'ethernet-100/1', 'ethernet-0/1', 'ethernet-01/1', 'ethernet-1/m7/1', 'ethernet-1/100/1', 'lag0', 'lag1001', 'lo256', 'irb256', 'eth1', 'loopback0', 'mgmt1'].map(
    (name): [string, WireSetRequest, string] => [`the interface name ${name}`, { update: [update(`/interface[name=${name}]`, {})] }, `/interface[name=${name}]/name: "${name}" is not a valid interface name`],
  ),
  ['a mgmt0 subinterface other than 0', { update: [update('/interface[name=mgmt0]/subinterface[index=1]', {})] }, '/interface[name=mgmt0]/subinterface[index=1]: mgmt0 supports only subinterface 0'],
  ['a sync0 subinterface', { update: [update('/interface[name=sync0]/subinterface[index=0]', {})] }, '/interface[name=sync0]/subinterface[index=0]: subinterfaces not supported on sync0 port'],
  ['system0 disabled', { update: [update('/interface[name=system0]/admin-state', 'disable')] }, '/interface[name=system0]/admin-state: admin-state must be enable'],
  // ---- MTU ----
  ['an MTU on a loopback', { update: [update('/interface[name=lo0]/mtu', 1500)] }, '/interface[name=lo0]/mtu: mtu is not configurable on loopback interfaces'],
  ['an MTU on an irb', { update: [update('/interface[name=irb0]/mtu', 1500)] }, '/interface[name=irb0]/mtu: mtu is not configurable on irb interfaces'],
  ['an MTU on system0', { update: [update('/interface[name=system0]/mtu', 1500)] }, '/interface[name=system0]/mtu: mtu is not configurable on system0'],
  ['a LAG MTU below 1500', { update: [update('/interface[name=lag1]/mtu', 1499)] }, '/interface[name=lag1]/mtu: 1499 is out of range 1500..9500 for lag interfaces'],
  ['an MTU on a port in breakout mode', { update: [update('/interface[name=ethernet-1/20]/mtu', 9000)] }, '/interface[name=ethernet-1/20]/mtu: mtu not configurable when breakout-mode is enabled'],
  ['an MTU on a LAG member', { update: [update('/interface[name=ethernet-1/10]/mtu', 9000)] }, '/interface[name=ethernet-1/10]/ethernet/aggregate-id: mtu and aggregate-id can not be configured together'],
  // ---- breakout ----
  [
    'num-breakout-ports as a JSON number (an enumeration is a string)',
    { update: [update('/interface[name=ethernet-1/21]/breakout-mode', { 'num-breakout-ports': 4, 'breakout-port-speed': '25G' })] },
    '/interface[name=ethernet-1/21]/breakout-mode/num-breakout-ports: expected one of 1, 2, 3, 4, 8 as a JSON string, got 4',
  ],
  ['a breakout-mode without its speed', { update: [update('/interface[name=ethernet-1/21]/breakout-mode', { 'num-breakout-ports': '4' })] }, '/interface[name=ethernet-1/21]/breakout-mode/breakout-port-speed: mandatory leaf'],
  ['5 breakout ports', { update: [update('/interface[name=ethernet-1/21]/breakout-mode', { 'num-breakout-ports': '5', 'breakout-port-speed': '25G' })] }, /num-breakout-ports: "5" is not one of: 1, 2, 3, 4, 8/],
  ['a breakout speed of 800G', { update: [update('/interface[name=ethernet-1/21]/breakout-mode', { 'num-breakout-ports': '2', 'breakout-port-speed': '800G' })] }, /breakout-port-speed: "800G" is not one of/],
  [
    '1 breakout port at 25G',
    { update: [update('/interface[name=ethernet-1/21]/breakout-mode', { 'num-breakout-ports': '1', 'breakout-port-speed': '25G' })] },
    '/interface[name=ethernet-1/21]/breakout-mode/num-breakout-ports: breakout-port-speed must be 100G when num-breakout-ports is 1',
  ],
  ['breakout on a LAG', { update: [update('/interface[name=lag2]/breakout-mode', { 'num-breakout-ports': '4', 'breakout-port-speed': '25G' })] }, '/interface[name=lag2]/breakout-mode: Breakout not supported for this port type'],
  ['port-speed on a port in breakout mode', { update: [update('/interface[name=ethernet-1/20]/ethernet/port-speed', '100G')] }, '/interface[name=ethernet-1/20]/ethernet/port-speed: port-speed not configurable when breakout-mode is enabled'],
  ['vlan-tagging on a port in breakout mode', { update: [update('/interface[name=ethernet-1/20]/vlan-tagging', true)] }, '/interface[name=ethernet-1/20]/vlan-tagging: vlan-tagging not configurable when breakout-mode is enabled'],
  ['LAG membership of a port in breakout mode', { update: [update('/interface[name=ethernet-1/20]/ethernet/aggregate-id', 'lag1')] }, '/interface[name=ethernet-1/20]/ethernet/aggregate-id: aggregate-id not configurable when breakout-mode is enabled'],
  [
    'FEC on a port in breakout mode',
    { update: [update('/interface[name=ethernet-1/20]/transceiver/forward-error-correction', 'rs-528')] },
    '/interface[name=ethernet-1/20]/transceiver/forward-error-correction: forward-error-correction not configurable when breakout-mode is enabled',
  ],
  ['loopback-mode on a port in breakout mode', { update: [update('/interface[name=ethernet-1/20]/loopback-mode', 'facility')] }, '/interface[name=ethernet-1/20]/loopback-mode: loopback-mode not configurable when breakout-mode is enabled'],
  ['a breakout port beyond the count', { update: [update('/interface[name=ethernet-1/20/5]', {})] }, '/interface[name=ethernet-1/20/5]: ethernet-1/20/5 does not exist: ethernet-1/20 is broken out into 4 port(s)'],
  ['a breakout port of a connector not in breakout mode', { update: [update('/interface[name=ethernet-1/21/1]', {})] }, '/interface[name=ethernet-1/21/1]: ethernet-1/21/1 is breakout port 1 of ethernet-1/21, which has no breakout-mode'],
  ['removing breakout-mode under a configured breakout port', { delete: [wirePath('/interface[name=ethernet-1/20]/breakout-mode')] }, '/interface[name=ethernet-1/20/1]: ethernet-1/20/1 is breakout port 1 of ethernet-1/20'],
  // ---- ethernet, transceiver ----
  ['a port speed SR Linux does not have', { update: [update('/interface[name=ethernet-1/1]/ethernet/port-speed', '3G')] }, /\/interface\[name=ethernet-1\/1\]\/ethernet\/port-speed: "3G" is not one of/],
  ['port-speed on a LAG', { update: [update('/interface[name=lag1]/ethernet/port-speed', '100G')] }, '/interface[name=lag1]/ethernet/port-speed: port speed not configurable on this interface'],
  ['membership of a LAG that does not exist', { update: [update('/interface[name=ethernet-1/12]/ethernet/aggregate-id', 'lag9')] }, '/interface[name=ethernet-1/12]/ethernet/aggregate-id: interface "lag9" does not exist'],
  ['membership of something that is not a LAG', { update: [update('/interface[name=ethernet-1/12]/ethernet/aggregate-id', 'ethernet-1/1')] }, '/interface[name=ethernet-1/12]/ethernet/aggregate-id: "ethernet-1/1" is not a LAG interface'],
  [
    'a LAG member with vlan-tagging',
    { update: [update('/interface[name=ethernet-1/10]/vlan-tagging', false)] },
    '/interface[name=ethernet-1/10]/ethernet/aggregate-id: vlan-tagging and aggregate-id can not be configured together',
  ],
  ['forwarding-viable without membership', { update: [update('/interface[name=ethernet-1/1]/ethernet/forwarding-viable', true)] }, '/interface[name=ethernet-1/1]/ethernet/forwarding-viable: aggregate-id must be configured'],
  ['a transceiver FEC SR Linux does not have', { update: [update('/interface[name=ethernet-1/1]/transceiver/forward-error-correction', 'rs-999')] }, /transceiver\/forward-error-correction: "rs-999" is not one of: disabled, rs-528, rs-544, base-r, rs-108/],
  ['FEC on a LAG', { update: [update('/interface[name=lag1]/transceiver/forward-error-correction', 'rs-528')] }, '/interface[name=lag1]/transceiver/forward-error-correction: forward-error-correction not supported on this interface'],
  [
    'FEC under both transceiver and ethernet',
    { update: [update('/interface[name=ethernet-1/1]/ethernet/forward-error-correction/fec-option', 'rs-528')] },
    '/interface[name=ethernet-1/1]/ethernet/forward-error-correction/fec-option: FEC is configured under transceiver as well',
  ],
  ['a hold-time that is not a multiple of 50', { update: [update('/interface[name=ethernet-1/1]/ethernet/hold-time/up', 120)] }, '/interface[name=ethernet-1/1]/ethernet/hold-time/up: hold-time up must be a multiple of 50'],
  ['loopback-mode on a LAG', { update: [update('/interface[name=lag1]/loopback-mode', 'terminal')] }, '/interface[name=lag1]/loopback-mode: physical loopback not supported on this interface'],
  // ---- LAG ----
  ['a lag container on an ethernet port', { update: [update('/interface[name=ethernet-1/1]', { 'srl_nokia-interfaces-lag:lag': {} })] }, '/interface[name=ethernet-1/1]/lag: lag container can only be configured on LAG interfaces'],
  ['the lag container qualified with the wrong module', { update: [update('/interface[name=lag1]', { 'srl_nokia-interfaces:lag': {} })] }, '/interface[name=lag1]/lag: "lag" is defined by module srl_nokia-interfaces-lag, not srl_nokia-interfaces'],
  ['an unknown lag-type', { update: [update('/interface[name=lag1]/lag/lag-type', 'dynamic')] }, '/interface[name=lag1]/lag/lag-type: "dynamic" is not one of: lacp, static'],
  ['min-links above 64', { update: [update('/interface[name=lag1]/lag/min-links', 65)] }, '/interface[name=lag1]/lag/min-links: 65 is out of range 1..64'],
  ['LACP fallback on a static LAG', { update: [update('/interface[name=lag2]', { 'srl_nokia-interfaces-lag:lag': { 'lacp-fallback-mode': 'static' } })] }, '/interface[name=lag2]/lag/lacp-fallback-mode: precondition failed: lag type should be lacp'],
  // ---- VLAN tagging ----
  ['vlan-tagging on a loopback', { update: [update('/interface[name=lo0]/vlan-tagging', true)] }, '/interface[name=lo0]/vlan-tagging: vlan-tagging is supported on ethernet and lag interfaces only'],
  ['vlan-tagging given as a string', { update: [update('/interface[name=ethernet-1/1]', { 'srl_nokia-interfaces-vlans:vlan-tagging': 'true' })] }, '/interface[name=ethernet-1/1]/vlan-tagging: expected true or false, got "true"'],
  [
    'a single-tagged subinterface on an untagged port',
    { update: [update('/interface[name=ethernet-1/1]/subinterface[index=5]', { 'srl_nokia-interfaces-vlans:vlan': { encap: { 'single-tagged': { 'vlan-id': 5 } } } })] },
    '/interface[name=ethernet-1/1]/subinterface[index=5]/vlan/encap/single-tagged: single-tagged encapsulation needs vlan-tagging true on ethernet-1/1',
  ],
  ['VLAN 4095', { update: [update('/interface[name=ethernet-1/30]/subinterface[index=10]/vlan/encap/single-tagged/vlan-id', 4095)] }, /vlan-id: 4095 is not valid \(expected 1..4094, "optional" or "any"\)/],
  // ---- subinterfaces ----
  ['an unknown subinterface type', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/type', 'switched')] }, /subinterface\[index=0\]\/type: "switched" is not one of: routed, bridged, local-mirror-dest/],
  ['a subinterface type from the wrong module', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/type', 'srl_nokia-common:routed')] }, /identity "srl_nokia-common:routed" is not from module srl_nokia-interfaces/],
  ['a subinterface type on a loopback', { update: [update('/interface[name=lo1]/subinterface[index=0]/type', 'routed')] }, '/interface[name=lo1]/subinterface[index=0]/type: type not supported on this interface'],
  ['an IPv6 address without a prefix length', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv6/address', [{ 'ip-prefix': '2001:db8::5' }])] }, /ipv6\/address\[ip-prefix=2001:db8::5\]\/ip-prefix: "2001:db8::5" is not a valid IPv6 address/],
  ['an IPv4 address under ipv6', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv6/address', [{ 'ip-prefix': '10.0.0.0/31' }])] }, /is not a valid IPv6 address with prefix length/],
  ['an IPv6 address type SR Linux does not have', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv6/address[ip-prefix=2001:db8::/127]/type', 'anycast')] }, /type: "anycast" is not one of: global-unicast, link-local-unicast/],
  ['IPv4 on a bridged subinterface', { update: [update('/interface[name=ethernet-1/30]/subinterface[index=20]/ipv4/admin-state', 'enable')] }, '/interface[name=ethernet-1/30]/subinterface[index=20]/ipv4: ipv4 is not supported on a bridged subinterface'],
  ['an l2-mtu on a routed subinterface', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/l2-mtu', 9000)] }, '/interface[name=ethernet-1/1]/subinterface[index=0]/l2-mtu: l2-mtu only allowed with type bridged'],
  ['an ip-mtu on a loopback subinterface', { update: [update('/interface[name=lo1]/subinterface[index=0]/ip-mtu', 1500)] }, '/interface[name=lo1]/subinterface[index=0]/ip-mtu: ip-mtu not supported on this interface'],
  ['an empty leaf given as true', { update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.0/31]/primary', true)] }, /primary: an empty leaf is written \[null\], got true/],
  // ---- ACL ----
  [
    'binding a filter that does not exist',
    { update: [update('/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter', [{ name: 'nope', type: 'ipv4' }])] },
    '/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter[name=nope][type=ipv4]: acl-filter "nope" of type ipv4 does not exist under /acl',
  ],
  [
    'binding a filter under the wrong type',
    { update: [update('/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter', [{ name: 'protect', type: 'mac' }])] },
    '/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter[name=protect][type=mac]: acl-filter "protect" of type mac does not exist under /acl',
  ],
  [
    'binding the system filter',
    { update: [update('/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter', [{ name: 'system', type: 'ipv4' }])] },
    '/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter[name=system][type=ipv4]: the system filter cannot be bound to an interface',
  ],
  [
    'a binding on a subinterface that does not exist',
    { update: [update('/acl/interface[interface-id=e1.5]', { 'interface-ref': { interface: 'ethernet-1/1', subinterface: 5 } })] },
    '/acl/interface[interface-id=e1.5]/interface-ref/subinterface: subinterface ethernet-1/1.5 does not exist',
  ],
  [
    'deleting a subinterface an ACL is bound to',
    { delete: [wirePath('/interface[name=ethernet-1/30]/subinterface[index=10]')] },
    '/acl/interface[interface-id=ethernet-1/30.10]/interface-ref/subinterface: subinterface ethernet-1/30.10 does not exist',
  ],
  [
    'five filters in one direction',
    {
      update: [
        update('/acl', { 'acl-filter': ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'ipv4' })) }),
        update('/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter', ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'ipv4' }))),
      ],
    },
    '/acl/interface[interface-id=ethernet-1/30.10]/output/acl-filter: at most 4 entries allowed, got 5',
  ],
  ['a filter type SR Linux does not have', { update: [update('/acl/acl-filter[name=x][type=ipx]', {})] }, /\/acl\/acl-filter\[name=x\]\[type=ipx\]\/type: "ipx" is not one of: ipv4, ipv6, mac/],
  ['an entry sequence-id above 65535', { update: [update('/acl/acl-filter[name=protect][type=ipv4]/entry[sequence-id=70000]', {})] }, /entry\[sequence-id=70000\]\/sequence-id: 70000 is out of range 0..65535/],
  [
    'an IPv6 match in an IPv4 filter',
    { update: [update('/acl/acl-filter[name=protect][type=ipv4]/entry[sequence-id=20]', { match: { ipv6: { 'next-header': 'tcp' } }, action: { drop: {} } })] },
    '/acl/acl-filter[name=protect][type=ipv4]/entry[sequence-id=20]/match/ipv6: an ipv6 match needs a filter of type ipv6',
  ],
  // ---- routing policy ----
  ["24.10's match/prefix-set leaf", { update: [update(`${STATEMENTS}[name=loopbacks]/match`, { 'prefix-set': 'loopbacks' })] }, `${STATEMENTS}[name=loopbacks]/match/prefix-set: unknown element "prefix-set"`],
  ['a statement matching a prefix-set that does not exist', { update: [update(`${STATEMENTS}[name=loopbacks]/match/prefix/prefix-set`, 'nope')] }, `${STATEMENTS}[name=loopbacks]/match/prefix/prefix-set: prefix-set "nope" does not exist`],
  ['a protocol SR Linux does not have', { update: [update(`${STATEMENTS}[name=connected]/match/protocol`, 'rip')] }, /match\/protocol: "rip" is not one of: aggregate, arp-nd, bgp/],
  ['a protocol from the wrong module', { update: [update(`${STATEMENTS}[name=connected]/match/protocol`, 'srl_nokia-bgp:bgp')] }, /identity "srl_nokia-bgp:bgp" is not from module srl_nokia-common/],
  ['next-statement as a default action', { update: [update('/routing-policy/policy[name=reject-all]/default-action/policy-result', 'next-statement')] }, /default-action\/policy-result: "next-statement" is not one of: accept, reject, next-policy/],
  ['a mask-length-range that is not a range', { update: [update('/routing-policy/prefix-set[name=loopbacks]/prefix', [{ 'ip-prefix': '10.2.0.0/16', 'mask-length-range': '24..16' }])] }, /mask-length-range: 24..16 is not a range of prefix lengths within 0..32/],
  ['calling a policy that does not exist', { update: [update(`${STATEMENTS}[name=rest]/match/call-policy`, ['nope'])] }, `${STATEMENTS}[name=rest]/match/call-policy: policy "nope" does not exist`],
  // ---- BGP ----
  ['a group name over 64 characters', { update: [update(`${BGP}/group[group-name=${'g'.repeat(65)}]`, {})] }, /group-name: length 65 exceeds the maximum of 64/],
  ["24.10's sr-policy-ipv4 address family", { update: [update(`${BGP}/afi-safi[afi-safi-name=sr-policy-ipv4]`, { 'admin-state': 'enable' })] }, /afi-safi-name: "sr-policy-ipv4" is not one of/],
  [
    'fifteen export policies',
    { update: [update(`${BGP}/group[group-name=fabric]/export-policy`, Array.from({ length: 15 }, (_, i) => `p${i + 1}`))] },
    `${BGP}/group[group-name=fabric]/export-policy: at most 14 value(s) allowed, got 15`,
  ],
  ['a zone on an IPv4 peer', { update: [update(`${BGP}/neighbor[peer-address=10.0.0.9%ethernet-1/1.0]`, { 'peer-group': 'fabric' })] }, /peer-address: "10.0.0.9%ethernet-1\/1.0" is not an IP address/],
  ['a zone that is not a subinterface', { update: [update(`${BGP}/neighbor[peer-address=fe80::9%eth1]`, { 'peer-group': 'fabric' })] }, /peer-address: "fe80::9%eth1" is not an IP address/],
  [
    'BGP in a mac-vrf',
    { update: [update('/network-instance[name=bridge]/protocols/bgp', { 'autonomous-system': 1, 'router-id': '1.1.1.1', 'afi-safi': [{ 'afi-safi-name': 'evpn', 'admin-state': 'enable' }] })] },
    '/network-instance[name=bridge]/protocols/bgp: BGP is not supported in a network-instance of type mac-vrf',
  ],
  // ---- network-instance ----
  ['a network-instance name with a slash', { update: [update('/network-instance[name=red/blue]', { type: 'ip-vrf' })] }, /\/network-instance\[name=red\/blue\]\/name: "red\/blue" is not valid/],
  ['a network-instance name over 247 characters', { update: [update(`/network-instance[name=${'n'.repeat(248)}]`, { type: 'ip-vrf' })] }, /name: length 248 exceeds the maximum of 247/],
  ['a network-instance type SR Linux does not have', { update: [update('/network-instance[name=red]', { type: 'vrf' })] }, /\/network-instance\[name=red\]\/type: "vrf" is not one of: default, ip-vrf, mac-vrf, host, vpws/],
  [
    'a second instance left at the default type',
    { update: [update('/network-instance[name=red]', { description: 'no type' })] },
    '/network-instance[name=red]/type: only one network-instance can be of type default ("default" already is)',
  ],
  ['system0 in an ip-vrf', { update: [update('/network-instance[name=blue]/interface[name=system0.0]', {})] }, '/network-instance[name=blue]/interface[name=system0.0]: system0.0 can only be used in a network-instance of type default'],
  ['a loopback in a mac-vrf', { update: [update('/network-instance[name=bridge]/interface[name=lo1.0]', {})] }, '/network-instance[name=bridge]/interface[name=lo1.0]: loopback subinterface lo1.0 cannot be used in a mac-vrf'],
  [
    'a local-mirror-dest subinterface in an instance',
    { update: [update('/interface[name=ethernet-1/1]/subinterface[index=9]', { type: 'local-mirror-dest' }), update('/network-instance[name=blue]/interface[name=ethernet-1/1.9]', {})] },
    '/network-instance[name=blue]/interface[name=ethernet-1/1.9]: ethernet-1/1.9 is a local-mirror-dest subinterface and cannot be in a network-instance',
  ],
  ['a router-id on a mac-vrf', { update: [update('/network-instance[name=bridge]/router-id', '1.1.1.1')] }, '/network-instance[name=bridge]/router-id: router-id is only supported in default and ip-vrf network-instances'],
  ['mgmt0.1 in an instance', { update: [update('/network-instance[name=blue]/interface[name=mgmt0.1]', {})] }, /interface\[name=mgmt0\.1\]\/name: "mgmt0.1" is not a subinterface name/],
  // ---- system ----
  ['the pre-24.3 gnmi-server', { update: [update('/system', { 'srl_nokia-gnmi-server:gnmi-server': { 'admin-state': 'enable' } })] }, '/system/gnmi-server: unknown element "gnmi-server"'],
  ['an unknown system child', { update: [update('/system', { 'srl_nokia-foo:foo': {} })] }, '/system/foo: unknown element "foo"'],
  ['a system service under the wrong module', { update: [update('/system', { 'srl_nokia-system:ntp': {} })] }, '/system/ntp: "ntp" is defined by module srl_nokia-ntp, not srl_nokia-system'],
  ['grpc-server as a container', { update: [update('/system', { 'srl_nokia-grpc:grpc-server': { name: 'mgmt' } })] }, '/system/grpc-server: expected a JSON array for list "grpc-server", got an object'],
  ['a gRPC server in a network-instance that does not exist', { update: [update('/system/grpc-server[name=mgmt]/network-instance', 'nope')] }, '/system/grpc-server[name=mgmt]/network-instance: network-instance "nope" does not exist'],
  ['a gRPC server in a mac-vrf', { update: [update('/system/grpc-server[name=mgmt]/network-instance', 'bridge')] }, "/system/grpc-server[name=mgmt]/network-instance: gRPC server cannot be started in a network-instance of type 'mac-vrf'"],
  ['a gRPC service SR Linux does not have', { update: [update('/system/grpc-server[name=mgmt]/services', ['gnmi', 'netconf'])] }, /grpc-server\[name=mgmt\]\/services: "netconf" is not one of: gnmi, gnoi/],
  ['a gRPC port above 65535', { update: [update('/system/grpc-server[name=mgmt]/port', 70000)] }, '/system/grpc-server[name=mgmt]/port: 70000 is out of range 0..65535'],
];

describe('SR Linux 25.3 model: what the device refuses', () => {
  let sim: DeviceSim;
  let client: TestClient;

  beforeAll(async () => {
    sim = await startLab();
    client = connect(sim.address('spine01'));
    await client.set(replaceRoot(fullConfig()));
  });

  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it.each(REFUSED)('refuses %s', async (_title, request, message) => {
    const before = sim.runningConfig('spine01');
    const error = await expectGrpcError(client.set(request), status.INVALID_ARGUMENT, message);
    expect(error.details.startsWith('/')).toBe(true);
    expect(sim.runningConfig('spine01')).toEqual(before);
  });
});

describe('SR Linux 25.3 model: what the device accepts, and how it answers', () => {
  let sim: DeviceSim;
  let client: TestClient;

  beforeAll(async () => {
    sim = await startLab();
    client = connect(sim.address('spine01'));
  });

  beforeEach(async () => {
    await client.set(replaceRoot(fullConfig()));
  });

  afterAll(async () => {
    client.close();
    await sim.stop();
  });

  it('round-trips a config using every modelled node: Get CONFIG in JSON_IETF is what was set, in canonical form', async () => {
    const returned = await backup(client);
    expect(canonical(returned, { keepNames: true })).toEqual(canonical(fullConfig(), { keepNames: true }));
    // Restoring that backup changes nothing, and reads back the same again.
    const running = sim.runningConfig('spine01');
    await client.set(replaceRoot(returned));
    expect(sim.runningConfig('spine01')).toEqual(running);
    expect(await backup(client)).toEqual(returned);
  });

  it('qualifies module boundaries and identities in JSON_IETF as SR Linux does', async () => {
    const root = await backup(client);
    expect(Object.keys(root).sort()).toEqual([
      'srl_nokia-acl:acl',
      'srl_nokia-interfaces:interface',
      'srl_nokia-network-instance:network-instance',
      'srl_nokia-routing-policy:routing-policy',
      'srl_nokia-system:system',
    ]);
    const interfaces = root['srl_nokia-interfaces:interface'] as Array<Record<string, any>>;
    const itf = (name: string) => interfaces.find((i) => i.name === name)!;
    expect(itf('lag1')['srl_nokia-interfaces-lag:lag']).toEqual({ 'lag-type': 'lacp', 'min-links': 1, 'member-speed': '100G', 'srl_nokia-lacp:lacp': { interval: 'FAST' } });
    expect(itf('ethernet-1/30')['srl_nokia-interfaces-vlans:vlan-tagging']).toBe(true);
    expect(itf('ethernet-1/30').subinterface[0]['srl_nokia-interfaces-vlans:vlan']).toEqual({ encap: { 'single-tagged': { 'vlan-id': 10 } } });
    expect(itf('ethernet-1/1').subinterface[0].type).toBe('srl_nokia-interfaces:routed');
    expect(itf('ethernet-1/1').ethernet).toEqual({ 'port-speed': '100G', 'hold-time': { up: 150 } });
    expect(itf('ethernet-1/20')['breakout-mode']).toEqual({ 'num-breakout-ports': '4', 'breakout-port-speed': '25G' });
    expect(itf('ethernet-1/1').subinterface[0].ipv4.address[0]).toEqual({ 'ip-prefix': '10.0.0.0/31', primary: [null] });
    const system = root['srl_nokia-system:system'] as Record<string, any>;
    expect(system['srl_nokia-grpc:grpc-server']).toEqual([{ name: 'mgmt', 'admin-state': 'enable', 'network-instance': 'mgmt', port: 57400, services: ['srl_nokia-grpc:gnmi'] }]);
    expect(Object.keys(system).sort()).toEqual([
      'control-plane-traffic',
      'srl_nokia-aaa:aaa',
      'srl_nokia-grpc:grpc-server',
      'srl_nokia-ntp:ntp',
      'srl_nokia-ssh:ssh-server',
      'srl_nokia-system-name:name',
      'srl_nokia-system-snmp:snmp',
    ]);
    const policy = (root['srl_nokia-routing-policy:routing-policy'] as Record<string, any>).policy[0];
    expect(policy.statement[1].match).toEqual({ protocol: 'srl_nokia-common:local' });
  });

  it('carries anydata exactly as sent: prefixes inside kept in JSON_IETF, stripped in JSON', async () => {
    const ietfValue = decode((await client.get({ path: [wirePath('/system/control-plane-traffic')], encoding: 'JSON_IETF' })).notification![0].update![0].val);
    expect(ietfValue).toEqual({ input: { 'srl_nokia-acl:acl': { 'acl-filter': [{ name: 'cpm', type: 'ipv4' }] } } });
    expect(await getValue(client, '/system/control-plane-traffic')).toEqual({ input: { acl: { 'acl-filter': [{ name: 'cpm', type: 'ipv4' }] } } });
    // Paths reach into carried JSON by unqualified names, whatever prefix a member was sent with.
    expect(await getValue(client, '/system/control-plane-traffic/input/acl/acl-filter')).toEqual([{ name: 'cpm', type: 'ipv4' }]);
    expect((await getValues(client, { path: [wirePath('/system/control-plane-traffic/input/acl')] })).map(([path]) => path)).toEqual(['/system/control-plane-traffic/input/acl']);
    const ietfPath = (await client.get({ path: [wirePath('/system/control-plane-traffic/input/acl')], encoding: 'JSON_IETF' })).notification![0].update![0].path;
    expect(pathText(ietfPath)).toBe('/srl_nokia-system:system/control-plane-traffic/input/srl_nokia-acl:acl');
    expect(await getValue(client, '/system/ntp/server')).toEqual([{ address: '192.0.2.123', iburst: true }]);
    expect(await getValue(client, '/acl/acl-filter[name=protect][type=ipv4]/entry[sequence-id=10]/action')).toEqual({ drop: {} });
    // An update merges objects member by member; the spelling sent last wins.
    await client.set({ update: [update('/system/control-plane-traffic/input', { acl: { 'acl-filter': [{ name: 'cpm2', type: 'ipv4' }] }, 'srl_nokia-qos:qos': {} })] });
    const merged = decode((await client.get({ path: [wirePath('/system/control-plane-traffic')], encoding: 'JSON_IETF' })).notification![0].update![0].val);
    expect(merged).toEqual({ input: { acl: { 'acl-filter': [{ name: 'cpm2', type: 'ipv4' }] }, 'srl_nokia-qos:qos': {} } });
    await client.set({ delete: [wirePath('/system/control-plane-traffic/input/qos')] });
    expect(await getValue(client, '/system/control-plane-traffic/input')).toEqual({ acl: { 'acl-filter': [{ name: 'cpm2', type: 'ipv4' }] } });
  });

  it('keeps routing-policy statements in the order given; a merge keeps existing ones in place and appends new ones', async () => {
    const names = async () => (await getValues(client, { path: [wirePath(`${STATEMENTS}[name=*]/name`)], type: 'CONFIG' })).map(([, name]) => name);
    expect(await names()).toEqual(['loopbacks', 'connected', 'rest']);
    await client.set({ update: [update(`/routing-policy/policy[name=export-loopbacks]`, { statement: [{ name: 'early', action: { 'policy-result': 'reject' } }, { name: 'loopbacks', action: { 'policy-result': 'reject' } }] })] });
    expect(await names()).toEqual(['loopbacks', 'connected', 'rest', 'early']);
    expect(await getValue(client, `${STATEMENTS}[name=loopbacks]/action/policy-result`)).toBe('reject');
    await client.set({ replace: [update(`/routing-policy/policy[name=export-loopbacks]/statement`, [{ name: 'rest' }, { name: 'loopbacks', match: { prefix: { 'prefix-set': 'loopbacks' } } }])] });
    expect(await names()).toEqual(['rest', 'loopbacks']);
  });

  it('keeps BGP policy chains in the order given, up to 14 policies', async () => {
    const chain = ['import-all', 'reject-all', 'export-loopbacks', ...Array.from({ length: 11 }, () => 'x')].map((p, i) => (p === 'x' ? `p${i}` : p));
    await client.set({
      update: [
        update('/routing-policy', { policy: chain.filter((p) => p.startsWith('p')).map((name) => ({ name, 'default-action': { 'policy-result': 'next-policy' } })) }),
        update(`${BGP}/group[group-name=fabric]/import-policy`, chain),
        update(`${BGP}/export-policy`, ['reject-all', 'export-loopbacks']),
      ],
    });
    expect(await getValue(client, `${BGP}/group[group-name=fabric]/import-policy`)).toEqual(chain);
    expect(await getValue(client, `${BGP}/export-policy`)).toEqual(['reject-all', 'export-loopbacks']);
  });

  it('accepts every interface name form of 25.3, and each afi-safi and protocol identity it defines', async () => {
    await client.set({
      update: [
        ...['ethernet-99/128', 'ethernet-1/m1/5', 'ethernet-2/m6/99/1', 'mgmt0-standby', 'sync0', 'irb255', 'lo255', 'lag1000'].map((name) =>
          update(`/interface[name=${name}]`, name === 'ethernet-2/m6/99/1' ? {} : { description: name }),
        ),
        update('/interface[name=ethernet-2/m6/99]/breakout-mode', { 'num-breakout-ports': '8', 'breakout-port-speed': '50G' }),
        update(`${BGP}/afi-safi`, ['srte-policy-ipv4', 'srte-policy-ipv6', 'link-state', 'route-target', 'evpn', 'l3vpn-ipv6-unicast'].map((name) => ({ 'afi-safi-name': `srl_nokia-common:${name}` }))),
        update(`${STATEMENTS}[name=connected]/match/protocol`, 'bgp-label'),
        update('/interface[name=lag2]', { 'srl_nokia-interfaces-lag:lag': {} }),
      ],
    });
    expect(await getValue(client, '/interface[name=ethernet-2/m6/99/1]/oper-state')).toBe('down');
    // A presence container with nothing in it is kept and answered as {}.
    expect(await getValue(client, '/interface[name=lag2]', { type: 'CONFIG' })).toEqual({ lag: {} });
  });

  it('accepts a subinterface type bare or qualified, answering it qualified in JSON_IETF and bare in JSON', async () => {
    await client.set({ update: [update('/interface[name=ethernet-1/1]/subinterface[index=0]/type', 'srl_nokia-interfaces:routed')] });
    expect(await getValue(client, '/interface[name=ethernet-1/1]/subinterface[index=0]/type')).toBe('routed');
    const ietfAnswer = await client.get({ path: [wirePath('/interface[name=lag1]/subinterface[index=0]/type')], encoding: 'JSON_IETF' });
    expect(decode(ietfAnswer.notification![0].update![0].val)).toBe('srl_nokia-interfaces:routed');
  });
});
