import type { WireModelData } from '@synapse/gnmi-client';
import { anydata, buildSchema, container, leaf, leafList, list, schemaModules, type Draft, type LeafType } from './schema';

/**
 * The subset of Nokia SR Linux's native YANG, release 25.3, that the
 * simulator models: interfaces (ethernet, breakout, LAG, VLAN tagging,
 * IPv4/IPv6 subinterfaces), ACLs, network-instances with BGP, routing
 * policies, and `/system` (the gRPC server modelled, the other services
 * carried). Facts: libs/device-config/SRLINUX-MODEL.md, checked against
 * nokia/srlinux-yang-models. Module names matter: they become the JSON_IETF
 * prefixes clients see (`srl_nokia-interfaces:interface`, `srl_nokia-bgp:bgp`
 * under `protocols`, `srl_nokia-interfaces-lag:lag` on an interface).
 *
 * What the simulator does not model but a device may hold is carried as
 * anydata under its real module, so backups of it round-trip; an element
 * SR Linux 25.3 does not have is refused, as the device refuses it.
 */

export const MODULES = {
  interfaces: 'srl_nokia-interfaces',
  lag: 'srl_nokia-interfaces-lag',
  vlans: 'srl_nokia-interfaces-vlans',
  neighbors: 'srl_nokia-interfaces-nbr',
  routerAdvertisement: 'srl_nokia-interfaces-router-adv',
  lacp: 'srl_nokia-lacp',
  networkInstance: 'srl_nokia-network-instance',
  bgp: 'srl_nokia-bgp',
  routingPolicy: 'srl_nokia-routing-policy',
  acl: 'srl_nokia-acl',
  system: 'srl_nokia-system',
  grpc: 'srl_nokia-grpc',
  common: 'srl_nokia-common',
} as const;

const adminState: LeafType = { kind: 'enum', values: ['enable', 'disable'] };
const operState: LeafType = { kind: 'enum', values: ['up', 'down'] };
const asNumber: LeafType = { kind: 'uint', min: 1, max: 4_294_967_295 };
const boolean: LeafType = { kind: 'boolean' };
const description: LeafType = { kind: 'string', minLength: 1, maxLength: 255 };
const uint16: LeafType = { kind: 'uint', min: 0, max: 65_535 };
const portNumber: LeafType = uint16;
const speeds = ['10M', '100M', '1G', '10G', '25G', '40G', '50G', '100G', '200G', '400G', '800G'] as const;

/** srl_nokia-comm:name: one line, no control characters, not starting with a space. */
const nameOf = (maxLength: number): LeafType => ({
  kind: 'string',
  minLength: 1,
  maxLength,
  pattern: /^[A-Za-z0-9!@#$%^&()|+=`~.,/_:;?-][A-Za-z0-9 !@#$%^&()|+=`~.,/_:;?-]*$/,
  patternHint: 'letters, digits, spaces (not first) and !@#$%^&()|+=`~.,/_:;?-',
});
const name = nameOf(255);
/** srl_nokia-comm:restricted-name (network-instance names): as name, without '/', at most 247 characters. */
const restrictedName: LeafType = {
  kind: 'string',
  minLength: 1,
  maxLength: 247,
  pattern: /^[A-Za-z0-9!@#$%^&()|+=`~.,_:;?-][A-Za-z0-9 !@#$%^&()|+=`~.,_:;?-]*$/,
  patternHint: "letters, digits, spaces (not first) and !@#$%^&()|+=`~.,_:;?- (no '/')",
};

/** srl_nokia-common's bgp-address-family identities in 25.3 (24.10's sr-policy-* became srte-policy-*). */
export const AFI_SAFI_NAMES = [
  'ipv4-unicast',
  'ipv6-unicast',
  'evpn',
  'l3vpn-ipv4-unicast',
  'l3vpn-ipv6-unicast',
  'ipv4-labeled-unicast',
  'ipv6-labeled-unicast',
  'route-target',
  'srte-policy-ipv4',
  'srte-policy-ipv6',
  'link-state',
] as const;
const afiSafiName: LeafType = { kind: 'identity', module: MODULES.common, values: AFI_SAFI_NAMES };

/** srl_nokia-common's routing-policy-protocol-match-type identities in 25.3. */
const protocolMatch: LeafType = {
  kind: 'identity',
  module: MODULES.common,
  values: ['aggregate', 'arp-nd', 'bgp', 'bgp-evpn', 'bgp-evpn-ifl-host', 'bgp-ipvpn', 'bgp-label', 'dhcp', 'host', 'isis', 'local', 'ospfv2', 'ospfv3', 'static', 'sr-submgmt'],
};

export const NETWORK_INSTANCE_TYPES = ['default', 'ip-vrf', 'mac-vrf', 'host', 'vpws'] as const;

/** The gRPC services srl_nokia-grpc defines (its identities, so values may be bare or `srl_nokia-grpc:`-qualified). */
const grpcServices: LeafType = {
  kind: 'identity',
  module: MODULES.grpc,
  values: [
    'gnmi',
    'gnoi',
    'gnoi.bgp',
    'gnoi.factory_reset',
    'gnoi.file',
    'gnoi.healthz',
    'gnoi.os',
    'gnoi.packet_link_qualification',
    'gnoi.system',
    'gnsi',
    'gnsi.acctz',
    'gnsi.attestz',
    'gnsi.authz',
    'gnsi.certz',
    'gnsi.credentialz',
    'gnsi.enrollz',
    'gnsi.pathz',
    'gribi',
    'p4rt',
  ],
};

export const BGP_SESSION_STATES = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'] as const;
export type BgpSessionState = (typeof BGP_SESSION_STATES)[number];

/** BGP policy chains: leaf-lists, ordered-by user (the chain is evaluated in order), at most 14 policies. */
export const MAX_POLICY_CHAIN = 14;
const policyChain = (): Draft[] => [leafList('export-policy', name, { maxElements: MAX_POLICY_CHAIN }), leafList('import-policy', name, { maxElements: MAX_POLICY_CHAIN })];

const afiSafiList = () => list('afi-safi', ['afi-safi-name'], [leaf('afi-safi-name', afiSafiName), leaf('admin-state', adminState)]);

/** Actions shared by a statement's `action` and a policy's `default-action`; the simulator carries them. */
const policyActions = (): Draft[] => ['bgp', 'isis', 'ospf', 'route-preference', 'internal-tags'].map((child) => anydata(child));

/**
 * The services that augment `/system`, each carried as anydata under the
 * module that defines it (its JSON_IETF prefix). srl_nokia-gnmi-server is
 * absent on purpose: 24.3 replaced `/system/gnmi-server` with
 * `/system/grpc-server[name]`, so 25.3 refuses it as unknown.
 */
const SYSTEM_SERVICES: Record<string, string> = {
  name: 'srl_nokia-system-name',
  information: 'srl_nokia-system-info',
  banner: 'srl_nokia-system-banner',
  dns: 'srl_nokia-dns',
  ntp: 'srl_nokia-ntp',
  aaa: 'srl_nokia-aaa',
  tls: 'srl_nokia-tls',
  'ssh-server': 'srl_nokia-ssh',
  'json-rpc-server': 'srl_nokia-json-rpc',
  'netconf-server': 'srl_nokia-netconf-server',
  snmp: 'srl_nokia-system-snmp',
  lldp: 'srl_nokia-lldp',
  logging: 'srl_nokia-logging',
  mtu: 'srl_nokia-mtu',
  boot: 'srl_nokia-boot',
  configuration: 'srl_nokia-configuration',
  lacp: 'srl_nokia-lacp',
  'load-balancing': 'srl_nokia-load-balancing',
  sflow: 'srl_nokia-sflow',
  mirroring: 'srl_nokia-mirroring',
  'event-handler': 'srl_nokia-event-handler',
};

const subinterface = list(
  'subinterface',
  ['index'],
  [
    leaf('index', { kind: 'uint', min: 0, max: 9999 }),
    leaf('type', { kind: 'identity', module: MODULES.interfaces, values: ['routed', 'bridged', 'local-mirror-dest'] }),
    leaf('description', description),
    leaf('admin-state', adminState),
    leaf('ip-mtu', { kind: 'uint', min: 1280, max: 9486 }),
    leaf('l2-mtu', { kind: 'uint', min: 1450, max: 9500 }),
    leaf('mpls-mtu', { kind: 'uint', min: 1284, max: 9496 }),
    container('ipv4', [
      leaf('admin-state', adminState),
      list(
        'address',
        ['ip-prefix'],
        [leaf('ip-prefix', { kind: 'ipv4-interface-prefix' }), leaf('primary', { kind: 'empty' }), leaf('anycast-gw', boolean)],
        { maxElements: 64 },
      ),
      anydata('unnumbered'),
      leaf('allow-directed-broadcast', boolean),
      anydata('arp', { module: MODULES.neighbors }),
    ]),
    container('ipv6', [
      leaf('admin-state', adminState),
      list(
        'address',
        ['ip-prefix'],
        [
          leaf('ip-prefix', { kind: 'ipv6-interface-prefix' }),
          leaf('type', { kind: 'enum', values: ['global-unicast', 'link-local-unicast'] }),
          leaf('primary', { kind: 'empty' }),
          leaf('anycast-gw', boolean),
        ],
        { maxElements: 18 },
      ),
      anydata('neighbor-discovery', { module: MODULES.neighbors }),
      anydata('router-advertisement', { module: MODULES.routerAdvertisement }),
    ]),
    container(
      'vlan',
      [
        container('encap', [
          container(
            'single-tagged',
            [
              leaf('vlan-id', {
                kind: 'union',
                types: [{ kind: 'uint', min: 1, max: 4094 }, { kind: 'enum', values: ['optional', 'any'] }],
                hint: '1..4094, "optional" or "any"',
              }),
            ],
            { presence: true },
          ),
          container('untagged', [], { presence: true }),
          anydata('single-tagged-range'),
          anydata('double-tagged'),
        ]),
      ],
      { module: MODULES.vlans },
    ),
    leaf('oper-state', operState, { state: true }),
  ],
  { maxElements: 4095 },
);

const ethernet = container('ethernet', [
  // Membership is configured on the member: a leafref to the LAG's name.
  leaf('aggregate-id', { kind: 'interface-name' }),
  leaf('forwarding-viable', boolean),
  leaf('lacp-port-priority', uint16),
  leaf('port-speed', { kind: 'enum', values: [...speeds, '1T'] }),
  leaf('mac-address', { kind: 'string', pattern: /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, patternHint: 'a MAC address aa:bb:cc:dd:ee:ff' }),
  // 25.3 platforms with feature forward-error-correction-ethernet configure FEC here, the others under transceiver.
  container('forward-error-correction', [leaf('fec-option', { kind: 'enum', values: ['disabled', 'base-r', 'rs-528'] })]),
  container('flow-control', [leaf('receive', boolean), leaf('transmit', boolean)]),
  leaf('standby-signaling', { kind: 'enum', values: ['power-off', 'lacp'] }),
  leaf('link-loss-forwarding', boolean),
  leaf('reload-delay', { kind: 'uint', min: 1, max: 86_400 }),
  container('hold-time', [leaf('up', { kind: 'uint', min: 0, max: 86_400_000 }), leaf('down', { kind: 'uint', min: 0, max: 86_400_000 })]),
  anydata('storm-control'),
  anydata('crc-monitor'),
  anydata('symbol-monitor'),
]);

const transceiver = container('transceiver', [
  leaf('functional-type', { kind: 'identity', module: MODULES.interfaces, values: ['standard', 'digital-coherent-optics', 'optical-line-system'] }),
  leaf('tx-laser', boolean),
  leaf('ddm-events', boolean),
  leaf('forward-error-correction', { kind: 'enum', values: ['disabled', 'rs-528', 'rs-544', 'base-r', 'rs-108'] }),
]);

const lag = container(
  'lag',
  [
    leaf('lag-type', { kind: 'enum', values: ['lacp', 'static'] }),
    leaf('min-links', { kind: 'uint', min: 1, max: 64 }),
    leaf('member-speed', { kind: 'enum', values: speeds }),
    leaf('lacp-fallback-mode', { kind: 'enum', values: ['static'] }),
    leaf('lacp-fallback-timeout', { kind: 'uint', min: 4, max: 3600 }),
    anydata('lacp', { module: MODULES.lacp }),
    list('member', ['name'], [leaf('name', { kind: 'interface-name' }), leaf('oper-state', operState)], { state: true }),
  ],
  { module: MODULES.lag, presence: true },
);

const bgp = container(
  'bgp',
  [
    leaf('autonomous-system', asNumber, { mandatory: true }),
    leaf('router-id', { kind: 'ipv4-address' }, { mandatory: true }),
    leaf('admin-state', adminState),
    ...policyChain(),
    container('ebgp-default-policy', [leaf('import-reject-all', boolean), leaf('export-reject-all', boolean)]),
    afiSafiList(),
    list(
      'group',
      ['group-name'],
      [
        leaf('group-name', nameOf(64)),
        leaf('admin-state', adminState),
        leaf('description', description),
        leaf('peer-as', asNumber),
        leaf('next-hop-self', boolean),
        ...policyChain(),
        afiSafiList(),
      ],
    ),
    list(
      'neighbor',
      ['peer-address'],
      [
        leaf('peer-address', { kind: 'ip-address-with-zone' }),
        leaf('peer-as', asNumber),
        leaf('peer-group', nameOf(64), { mandatory: true }),
        leaf('admin-state', adminState),
        leaf('description', description),
        ...policyChain(),
        afiSafiList(),
        container('transport', [leaf('local-address', { kind: 'ip-address' })]),
        leaf('session-state', { kind: 'enum', values: BGP_SESSION_STATES }, { state: true }),
      ],
    ),
  ],
  { module: MODULES.bgp, presence: true },
);

const aclFilterType: LeafType = { kind: 'enum', values: ['ipv4', 'ipv6', 'mac'] };
/** A binding's filters per direction: ordered-by user (applied in order), at most 4. */
const aclFilterRefs = (direction: 'input' | 'output') =>
  container(direction, [list('acl-filter', ['name', 'type'], [leaf('name', name), leaf('type', aclFilterType)], { maxElements: 4 })]);

export const SRL_SCHEMA = buildSchema([
  list(
    'interface',
    ['name'],
    [
      leaf('name', { kind: 'interface-name' }),
      leaf('description', description),
      leaf('admin-state', adminState),
      leaf('mtu', { kind: 'uint', min: 1450, max: 9500 }),
      leaf('loopback-mode', { kind: 'enum', values: ['none', 'facility', 'terminal'] }),
      leaf('swap-src-dst-mac', boolean),
      container(
        'breakout-mode',
        [
          leaf('num-breakout-ports', { kind: 'enum', values: ['1', '2', '3', '4', '8'] }, { mandatory: true }),
          leaf('breakout-port-speed', { kind: 'enum', values: ['1G', '10G', '25G', '50G', '100G', '200G', '400G'] }, { mandatory: true }),
        ],
        { presence: true },
      ),
      ethernet,
      transceiver,
      leaf('vlan-tagging', boolean, { module: MODULES.vlans }),
      lag,
      leaf('oper-state', operState, { state: true }),
      subinterface,
    ],
    { module: MODULES.interfaces },
  ),
  container(
    'acl',
    [
      list(
        'acl-filter',
        ['name', 'type'],
        [
          leaf('name', name),
          leaf('type', aclFilterType),
          leaf('description', description),
          leaf('subinterface-specific', { kind: 'any' }),
          leaf('statistics-per-entry', boolean),
          // Entries are carried: sequence-id is checked, match and action are kept as given.
          list('entry', ['sequence-id'], [leaf('sequence-id', uint16)], { openChildrenModule: MODULES.acl }),
        ],
      ),
      list(
        'interface',
        ['interface-id'],
        [
          leaf('interface-id', name),
          container('interface-ref', [leaf('interface', { kind: 'interface-name' }), leaf('subinterface', { kind: 'uint', min: 0, max: 9999 })]),
          aclFilterRefs('input'),
          aclFilterRefs('output'),
        ],
        { maxElements: 16_383 },
      ),
    ],
    { module: MODULES.acl },
  ),
  list(
    'network-instance',
    ['name'],
    [
      leaf('name', restrictedName),
      leaf('type', { kind: 'identity', module: MODULES.networkInstance, values: NETWORK_INSTANCE_TYPES }),
      leaf('admin-state', adminState),
      leaf('description', description),
      leaf('router-id', { kind: 'ipv4-address' }),
      leaf('oper-state', operState, { state: true }),
      list('interface', ['name'], [leaf('name', { kind: 'subinterface-name' })]),
      container('protocols', [bgp]),
    ],
    { module: MODULES.networkInstance },
  ),
  container(
    'routing-policy',
    [
      // Sets the simulator does not evaluate: carried whole.
      ...['as-path-set', 'community-set', 'standard-community-set', 'extended-community-set', 'tag-set'].map((set) => anydata(set)),
      list(
        'prefix-set',
        ['name'],
        [
          leaf('name', name),
          list('prefix', ['ip-prefix', 'mask-length-range'], [leaf('ip-prefix', { kind: 'ip-prefix' }), leaf('mask-length-range', { kind: 'mask-length-range' })]),
        ],
      ),
      list(
        'policy',
        ['name'],
        [
          leaf('name', name),
          container('default-action', [leaf('policy-result', { kind: 'enum', values: ['accept', 'reject', 'next-policy'] }), ...policyActions()]),
          // ordered-by user: statements are evaluated in the order configured, so the order given is kept.
          list(
            'statement',
            ['name'],
            [
              leaf('name', name),
              // 25.3 has only the container form; 24.10's `match/prefix-set` leaf is an unknown element here.
              container('match', [
                container('prefix', [leaf('prefix-set', name), leaf('match-set-options', { kind: 'enum', values: ['any'] })]),
                leafList('family', { kind: 'any' }),
                leaf('protocol', protocolMatch),
                leafList('call-policy', name, { maxElements: 1 }),
                leaf('origin-network-instance', restrictedName),
                ...['internal-tags', 'bgp', 'isis', 'ospf', 'multicast'].map((child) => anydata(child)),
              ]),
              container('action', [leaf('policy-result', { kind: 'enum', values: ['accept', 'reject', 'next-statement', 'next-policy'] }), ...policyActions()]),
            ],
          ),
        ],
      ),
    ],
    { module: MODULES.routingPolicy },
  ),
  container(
    'system',
    [
      leafList('trace-options', { kind: 'enum', values: ['request', 'response', 'common'] }),
      anydata('management'),
      // Defined by srl_nokia-system; other modules augment it (the CPM ACL binding is srl_nokia-acl:acl inside).
      anydata('control-plane-traffic'),
      ...Object.entries(SYSTEM_SERVICES).map(([child, module]) => anydata(child, { module })),
      list(
        'grpc-server',
        ['name'],
        [
          leaf('name', name),
          leaf('admin-state', adminState),
          leafList('trace-options', { kind: 'enum', values: ['request', 'response', 'stream', 'common', 'grpc'] }),
          leaf('timeout', uint16),
          leaf('rate-limit', uint16),
          leaf('session-limit', uint16),
          leaf('max-concurrent-streams', { kind: 'uint', min: 0, max: 2_147_483_647 }),
          leaf('metadata-authentication', boolean),
          leaf('yang-models', { kind: 'enum', values: ['native', 'openconfig'] }),
          leafList('services', grpcServices),
          // A leafref with require-instance false: the profile need not exist.
          leaf('tls-profile', name),
          leaf('default-tls-profile', boolean),
          anydata('gnmi'),
          leaf('network-instance', restrictedName),
          leafList('source-address', { kind: 'ip-address' }),
          leaf('port', portNumber),
          anydata('unix-socket'),
        ],
        { module: MODULES.grpc },
      ),
    ],
    { module: MODULES.system },
  ),
]);

/**
 * What Capabilities advertises: every module the schema names (so a newly
 * modelled module cannot be forgotten). Revisions are 25.3's (2025-03-31).
 */
export const SUPPORTED_MODELS: WireModelData[] = [...schemaModules(SRL_SCHEMA)].sort().map((module) => ({ name: module, organization: 'Nokia', version: '2025-03-31' }));

/** SR Linux defaults the state derivation relies on (the running config does not materialise them). */
export const DEFAULTS = {
  interfaceAdminState: 'enable',
  subinterfaceAdminState: 'enable',
  ipv4AdminState: 'disable',
  networkInstanceAdminState: 'enable',
  networkInstanceType: 'default',
  bgpAdminState: 'enable',
  afiSafiAdminState: 'disable',
  groupAdminState: 'enable',
  neighborAdminState: 'enable',
  lagType: 'static',
  lagMinLinks: 1,
} as const;
