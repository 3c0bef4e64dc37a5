import { SynapseError } from '@synapse/contracts';
import { LOOPBACK_PREFIX, LOOPBACK_PREFIX_SET, UNDERLAY_EXPORT_POLICY } from './bgp-design';
import { managementBaseConfig } from './initial-config';
import { ethernetName, isEthernetName, LOOPBACK_INTERFACE, MAX_PORT, MAX_SLOT } from './interface-names';
import { hostAddress } from './ipv4';
import { Lab, type LabDevice } from './lab-schema';
import { bgpSessions } from './sessions';
import { indexLab, type DevicePort } from './topology-index';

/**
 * A fabric Synapse did not build: each device already runs the underlay the
 * way someone configured it by hand, plus config Synapse does not model.
 * What a change must leave byte-identical on these devices:
 *
 *  - on every fabric port: port-speed and FEC, an IPv6 address beside the
 *    IPv4 one, a legacy description and MTU (those two are Synapse's to fix);
 *  - a LAG (`lag1`, LACP-less static, two member ports) with a routed
 *    subinterface; a breakout port (4x25G) whose first child is in use;
 *  - an access port Infrahub does not list, with an IPv4 ACL bound inbound;
 *  - an in-band management port (Infrahub lists it with role management);
 *  - a loopback `lo0` (anycast) Infrahub does not list;
 *  - system services: gRPC server, NTP, SNMP, AAA user, remote logging;
 *  - the device's own routing policies: `legacy-import` (which Infrahub's
 *    peer group names but does not define, so it must be kept), a
 *    `customer-export` nobody references, and an `export-loopbacks` that
 *    accepts everything (Infrahub defines it as reject-all-but-loopbacks:
 *    the change must fix it, the route leak the issue is about);
 *  - a BGP group and neighbor Infrahub does not list (a route server).
 *
 * Everything is SR Linux 25.3 JSON_IETF as a device returns it
 * (libs/device-config/SRLINUX-MODEL.md): module-qualified top-level and
 * augmenting members, prefixed identity values.
 */

/** The policy the brownfield peer group imports with: defined on the devices only. */
export const LEGACY_IMPORT_POLICY = 'legacy-import';
/** A policy on the devices that nothing in Infrahub references. */
export const CUSTOMER_EXPORT_POLICY = 'customer-export';
/** The route server neighbor every brownfield device has and Infrahub does not. */
export const ROUTE_SERVER = { address: '192.0.2.254', asn: 64_999, group: 'route-servers' } as const;
export const ANYCAST_LOOPBACK = { interface: 'lo0', address: '10.255.255.1/32' } as const;
export const LEGACY_FABRIC_MTU = 9000;

/** The ports each brownfield device uses beyond its fabric links, chosen among its free ports. */
export interface BrownfieldPorts {
  lagMembers: [string, string];
  breakout: string;
  access: string;
  inbandManagement: string;
}

/**
 * Free front-panel ports of a device, highest first on slot 1 (then slot 2,
 * …: a big spine's slot 1 is full of fabric links), so they stay clear of
 * the fabric's low ports. The breakout port must be at most 99: a breakout
 * child's middle segment is a connector number, 1..99 in srl_nokia-common.
 */
export function brownfieldPorts(lab: Lab, device: string): BrownfieldPorts {
  const used = new Set((indexLab(lab).ports.get(device) ?? []).map((p) => p.interface));
  const taken = new Set<string>();
  const free = (top: number, count: number) => {
    const found: string[] = [];
    for (let slot = 1; slot <= MAX_SLOT && found.length < count; slot++) {
      for (let port = top; port >= 1 && found.length < count; port--) {
        const name = ethernetName(slot, port);
        if (used.has(name) || taken.has(name)) continue;
        found.push(name);
        taken.add(name);
      }
    }
    if (found.length < count) throw new RangeError(`${device}: no ${count} free ports for the brownfield extras`);
    return found;
  };
  const [inbandManagement, access, lagA, lagB] = free(MAX_PORT, 4);
  const [breakout] = free(MAX_BREAKOUT_CONNECTOR, 1);
  return { lagMembers: [lagA, lagB], breakout, access, inbandManagement };
}

/** Breakout children are named ethernet-<slot>/<connector>/<n>, connector 1..99. */
const MAX_BREAKOUT_CONNECTOR = 99;

/** Per-device addresses of the extras, from the device's position in the lab (distinct per device). */
function extrasAddressing(index: number) {
  const octet = (index % 250) + 1;
  const block = Math.floor(index / 250);
  return {
    lag: `192.168.${200 + block}.${octet}/24`,
    access: `198.51.${100 + block}.${octet}/24`,
    inbandManagement: `172.16.${block}.${octet}/24`,
    loopbackV6: `2001:db8:1::${(index + 1).toString(16)}/128`,
  };
}

function ipv6OfLink(address: string): string {
  // 10.0.a.b/31 -> 2001:db8:f:a:: + b/127: one IPv6 /127 per IPv4 /31, both ends distinct.
  const [a, b, c, d] = hostAddress(address).split('.').map(Number);
  return `2001:db8:${a.toString(16)}:${((b << 8) | c).toString(16)}::${d.toString(16)}/127`;
}

/** The in-band management port and address the brownfield lab gives a device (Infrahub lists it too). */
export function brownfieldManagement(lab: Lab, device: LabDevice): { interface: string; address: string } {
  const index = lab.devices.findIndex((d) => d.name === device.name);
  return { interface: brownfieldPorts(lab, device.name).inbandManagement, address: extrasAddressing(index).inbandManagement };
}

/** The pre-change config of one brownfield device. */
export function brownfieldConfig(lab: Lab, name: string): Record<string, unknown> {
  const index = indexLab(lab);
  const device = index.devices.get(name);
  if (!device) throw new SynapseError('IntentNotFound', `lab "${lab.name}" has no device "${name}"`, { device: name, lab: lab.name });
  const position = lab.devices.findIndex((d) => d.name === name);
  const ports = brownfieldPorts(lab, name);
  const addressing = extrasAddressing(position);
  const management = device.inbandManagement ?? brownfieldManagement(lab, device);
  if (!isEthernetName(management.interface)) throw new RangeError(`${name}: in-band management port ${management.interface} is not an ethernet port`);
  const fabric = index.ports.get(name) ?? [];
  const base = managementBaseConfig(name);
  const baseInterfaces = base['srl_nokia-interfaces:interface'] as unknown[];
  const baseInstances = base['srl_nokia-network-instance:network-instance'] as Array<Record<string, unknown>>;
  const mgmtInstance = baseInstances[0];
  const design = lab.bgp;

  return {
    'srl_nokia-system:system': {
      ...(base['srl_nokia-system:system'] as Record<string, unknown>),
      'srl_nokia-ntp:ntp': { 'admin-state': 'enable', 'network-instance': 'mgmt', server: [{ address: '192.0.2.123', iburst: true }] },
      'srl_nokia-system-snmp:snmp': {
        'access-group': [{ name: 'noc-readers', 'security-level': 'no-auth-no-priv', 'community-entry': [{ name: 'noc', community: 'noc-lab-only' }] }],
        'network-instance': [{ name: 'mgmt', 'admin-state': 'enable' }],
      },
      'srl_nokia-aaa:aaa': { authentication: { 'idle-timeout': 7200, 'authentication-method': ['local'] } },
      'srl_nokia-logging:logging': {
        'network-instance': 'mgmt',
        'remote-server': [{ host: '192.0.2.50', 'remote-port': 514, facility: [{ 'facility-name': 'local6', priority: { 'match-above': 'warning' } }] }],
      },
    },
    'srl_nokia-interfaces:interface': [
      ...baseInterfaces,
      ...fabric.map((port) => fabricPort(port)),
      {
        name: LOOPBACK_INTERFACE,
        'admin-state': 'enable',
        subinterface: [
          {
            index: 0,
            'admin-state': 'enable',
            ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': device.loopback }] },
            ipv6: { 'admin-state': 'enable', address: [{ 'ip-prefix': addressing.loopbackV6 }] },
          },
        ],
      },
      {
        name: ANYCAST_LOOPBACK.interface,
        description: 'anycast service address (not in Infrahub)',
        'admin-state': 'enable',
        subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': ANYCAST_LOOPBACK.address }] } }],
      },
      {
        name: 'lag1',
        description: 'server bond (not in Infrahub)',
        'admin-state': 'enable',
        mtu: 9100,
        'srl_nokia-interfaces-lag:lag': { 'lag-type': 'static', 'min-links': 1 },
        subinterface: [{ index: 0, type: 'routed', 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': addressing.lag }] } }],
      },
      ...ports.lagMembers.map((member) => ({
        name: member,
        description: 'member of lag1',
        'admin-state': 'enable',
        ethernet: { 'aggregate-id': 'lag1', 'port-speed': '100G' },
      })),
      // An enumeration named "1" "2" "3" "4" "8": JSON_IETF writes it as a string.
      { name: ports.breakout, 'admin-state': 'enable', 'breakout-mode': { 'num-breakout-ports': '4', 'breakout-port-speed': '25G' } },
      {
        name: `${ports.breakout}/1`,
        description: 'breakout to rack 7 (not in Infrahub)',
        'admin-state': 'enable',
        ethernet: { 'port-speed': '25G' },
        transceiver: { 'forward-error-correction': 'rs-528' },
      },
      {
        name: ports.access,
        description: 'customer access (not in Infrahub)',
        'admin-state': 'enable',
        subinterface: [{ index: 0, type: 'routed', 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': addressing.access }] } }],
      },
      {
        name: management.interface,
        description: 'in-band management',
        'admin-state': 'enable',
        subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': management.address }] } }],
      },
    ],
    'srl_nokia-network-instance:network-instance': [
      { ...mgmtInstance, interface: [...(mgmtInstance.interface as unknown[]), { name: `${management.interface}.0` }] },
      {
        name: 'default',
        type: 'srl_nokia-network-instance:default',
        'admin-state': 'enable',
        description: 'fabric underlay',
        interface: [
          ...fabric.map((port) => ({ name: `${port.interface}.0` })),
          { name: `${LOOPBACK_INTERFACE}.0` },
          { name: `${ANYCAST_LOOPBACK.interface}.0` },
          { name: 'lag1.0' },
          { name: `${ports.access}.0` },
        ],
        protocols: {
          'srl_nokia-bgp:bgp': {
            'autonomous-system': device.asn,
            'router-id': hostAddress(device.loopback),
            'admin-state': 'enable',
            'afi-safi': [
              { 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' },
              { 'afi-safi-name': 'srl_nokia-common:ipv6-unicast', 'admin-state': 'enable' },
            ],
            group: [
              { 'group-name': design.peerGroup, 'admin-state': 'enable', 'export-policy': [UNDERLAY_EXPORT_POLICY], 'import-policy': [LEGACY_IMPORT_POLICY] },
              { 'group-name': ROUTE_SERVER.group, 'admin-state': 'enable', 'export-policy': [CUSTOMER_EXPORT_POLICY], 'import-policy': [LEGACY_IMPORT_POLICY] },
            ],
            neighbor: [
              ...bgpSessions(lab, name).map((session) => ({
                'peer-address': session.peerAddress,
                'peer-as': session.peerAs,
                'peer-group': session.peerGroup,
                'admin-state': 'enable',
                description: `legacy ${session.peerDevice}`,
              })),
              { 'peer-address': ROUTE_SERVER.address, 'peer-as': ROUTE_SERVER.asn, 'peer-group': ROUTE_SERVER.group, description: 'route server (not in Infrahub)' },
            ],
          },
        },
      },
    ],
    'srl_nokia-routing-policy:routing-policy': {
      'prefix-set': [
        { name: LOOPBACK_PREFIX_SET, prefix: [{ 'ip-prefix': LOOPBACK_PREFIX, 'mask-length-range': '32..32' }] },
        { name: 'customer-nets', prefix: [{ 'ip-prefix': '198.51.100.0/22', 'mask-length-range': '24..24' }] },
      ],
      policy: [
        // Accept-all: the hand-made version Infrahub's definition replaces.
        { name: UNDERLAY_EXPORT_POLICY, 'default-action': { 'policy-result': 'accept' } },
        {
          name: LEGACY_IMPORT_POLICY,
          'default-action': { 'policy-result': 'reject' },
          statement: [
            { name: 'fabric-loopbacks', match: { prefix: { 'prefix-set': LOOPBACK_PREFIX_SET } }, action: { 'policy-result': 'accept' } },
            { name: 'customers', match: { prefix: { 'prefix-set': 'customer-nets' } }, action: { 'policy-result': 'accept' } },
          ],
        },
        {
          name: CUSTOMER_EXPORT_POLICY,
          'default-action': { 'policy-result': 'reject' },
          statement: [{ name: 'customers', match: { prefix: { 'prefix-set': 'customer-nets' }, protocol: 'srl_nokia-common:local' }, action: { 'policy-result': 'accept' } }],
        },
      ],
    },
    'srl_nokia-acl:acl': {
      'acl-filter': [
        {
          name: 'protect-access',
          type: 'ipv4',
          entry: [
            { 'sequence-id': 10, match: { ipv4: { 'source-ip': { prefix: '192.0.2.0/24' } } }, action: { drop: {} } },
            { 'sequence-id': 100, action: { accept: {} } },
          ],
        },
      ],
      interface: [
        {
          'interface-id': `${ports.access}.0`,
          'interface-ref': { interface: ports.access, subinterface: 0 },
          input: { 'acl-filter': [{ name: 'protect-access', type: 'ipv4' }] },
        },
      ],
    },
  };
}

function fabricPort(port: DevicePort): Record<string, unknown> {
  return {
    name: port.interface,
    description: `legacy uplink ${port.peer.name}`,
    'admin-state': 'enable',
    mtu: LEGACY_FABRIC_MTU,
    ethernet: { 'port-speed': '100G' },
    transceiver: { 'forward-error-correction': 'rs-528' },
    subinterface: [
      {
        index: 0,
        type: 'routed',
        'admin-state': 'enable',
        ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': port.address }] },
        ipv6: { 'admin-state': 'enable', address: [{ 'ip-prefix': ipv6OfLink(port.address) }] },
      },
    ],
  };
}

/**
 * A lab's brownfield twin: the same devices and links, each device starting
 * from brownfieldConfig, with an in-band management port Infrahub lists as
 * `management`, and a BGP design whose import policy is the devices' own
 * `legacy-import` (named by Infrahub, defined only on the devices) while
 * Infrahub defines the export policy.
 */
export function brownfieldLab(base: Lab): Lab {
  const design = base.bgp;
  return Lab.parse({
    ...base,
    name: base.name.endsWith('-brownfield') ? base.name : `${base.name}-brownfield`,
    initialState: 'brownfield',
    devices: base.devices.map((device) => ({ ...device, inbandManagement: device.inbandManagement ?? brownfieldManagement(base, device) })),
    bgp: {
      ...design,
      importPolicy: LEGACY_IMPORT_POLICY,
      exportPolicy: UNDERLAY_EXPORT_POLICY,
      policies: design.policies.filter((p) => p.name === UNDERLAY_EXPORT_POLICY),
      prefixSets: design.prefixSets,
    },
  });
}
