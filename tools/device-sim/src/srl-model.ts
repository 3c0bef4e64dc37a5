import type { WireModelData } from '@synapse/gnmi-client';
import { anydata, buildSchema, container, leaf, leafList, list, type LeafType } from './schema';

/**
 * The subset of Nokia SR Linux's native YANG (release 25.3 naming) that the
 * simulator models: interfaces with routed subinterfaces, the default
 * network-instance with BGP, and routing policies. Module names matter: they
 * become the JSON_IETF prefixes clients see (`srl_nokia-interfaces:interface`,
 * `srl_nokia-bgp:bgp` under `protocols`).
 *
 * `system` is management territory the product never touches; it is stored as
 * anydata (any JSON accepted, kept verbatim) with the module names SR Linux
 * uses for its common children, so backups of it round-trip.
 */

export const MODULES = {
  interfaces: 'srl_nokia-interfaces',
  networkInstance: 'srl_nokia-network-instance',
  bgp: 'srl_nokia-bgp',
  routingPolicy: 'srl_nokia-routing-policy',
  system: 'srl_nokia-system',
  common: 'srl_nokia-common',
} as const;

const adminState: LeafType = { kind: 'enum', values: ['enable', 'disable'] };
const operState: LeafType = { kind: 'enum', values: ['up', 'down'] };
const asNumber: LeafType = { kind: 'uint', min: 1, max: 4_294_967_295 };
const description: LeafType = { kind: 'string', minLength: 1, maxLength: 255 };
const objectName: LeafType = {
  kind: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: /^[A-Za-z0-9!@#$^&()|+=`~.,/_:;?-]+$/,
  patternHint: 'letters, digits and !@#$^&()|+=`~.,/_:;?- (no spaces)',
};
const afiSafiName: LeafType = {
  kind: 'identity',
  module: MODULES.common,
  values: ['ipv4-unicast', 'ipv6-unicast', 'evpn', 'ipv4-labeled-unicast', 'ipv6-labeled-unicast', 'l3vpn-ipv4-unicast', 'l3vpn-ipv6-unicast'],
};
const policyResult: LeafType = { kind: 'enum', values: ['accept', 'reject'] };

export const BGP_SESSION_STATES = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'] as const;
export type BgpSessionState = (typeof BGP_SESSION_STATES)[number];

const afiSafiList = () => list('afi-safi', ['afi-safi-name'], [leaf('afi-safi-name', afiSafiName), leaf('admin-state', adminState)]);

/** Module of each known `system` child in SR Linux; unknown children stay in srl_nokia-system. */
const SYSTEM_CHILD_MODULES: Record<string, string> = {
  name: 'srl_nokia-system-name',
  information: 'srl_nokia-system-info',
  dns: 'srl_nokia-dns',
  aaa: 'srl_nokia-aaa',
  'ssh-server': 'srl_nokia-ssh',
  lldp: 'srl_nokia-lldp',
  logging: 'srl_nokia-logging',
  tls: 'srl_nokia-tls',
  'gnmi-server': 'srl_nokia-gnmi-server',
  'json-rpc-server': 'srl_nokia-json-rpc',
  ntp: 'srl_nokia-ntp',
};

export const SRL_SCHEMA = buildSchema([
  list(
    'interface',
    ['name'],
    [
      leaf('name', { kind: 'interface-name' }),
      leaf('description', description),
      leaf('admin-state', adminState),
      leaf('mtu', { kind: 'uint', min: 1450, max: 9500 }),
      leaf('oper-state', operState, { state: true }),
      list(
        'subinterface',
        ['index'],
        [
          leaf('index', { kind: 'uint', min: 0, max: 9999 }),
          leaf('description', description),
          leaf('admin-state', adminState),
          container('ipv4', [
            leaf('admin-state', adminState),
            list('address', ['ip-prefix'], [leaf('ip-prefix', { kind: 'ipv4-interface-prefix' })]),
          ]),
          leaf('oper-state', operState, { state: true }),
        ],
      ),
    ],
    { module: MODULES.interfaces },
  ),
  list(
    'network-instance',
    ['name'],
    [
      leaf('name', objectName),
      leaf('type', { kind: 'identity', module: MODULES.networkInstance, values: ['default', 'ip-vrf', 'mac-vrf'] }),
      leaf('admin-state', adminState),
      leaf('description', description),
      leaf('oper-state', operState, { state: true }),
      list('interface', ['name'], [leaf('name', { kind: 'subinterface-name' })]),
      container('protocols', [
        container(
          'bgp',
          [
            leaf('autonomous-system', asNumber, { mandatory: true }),
            leaf('router-id', { kind: 'ipv4-address' }, { mandatory: true }),
            leaf('admin-state', adminState),
            afiSafiList(),
            list(
              'group',
              ['group-name'],
              [
                leaf('group-name', objectName),
                leaf('admin-state', adminState),
                leaf('description', description),
                leaf('peer-as', asNumber),
                leafList('export-policy', objectName),
                leafList('import-policy', objectName),
                afiSafiList(),
              ],
            ),
            list(
              'neighbor',
              ['peer-address'],
              [
                leaf('peer-address', { kind: 'ip-address' }),
                leaf('peer-as', asNumber),
                leaf('peer-group', objectName, { mandatory: true }),
                leaf('admin-state', adminState),
                leaf('description', description),
                leafList('export-policy', objectName),
                leafList('import-policy', objectName),
                afiSafiList(),
                leaf('session-state', { kind: 'enum', values: BGP_SESSION_STATES }, { state: true }),
              ],
            ),
          ],
          { module: MODULES.bgp },
        ),
      ]),
    ],
    { module: MODULES.networkInstance },
  ),
  container(
    'routing-policy',
    [
      list(
        'prefix-set',
        ['name'],
        [
          leaf('name', objectName),
          list('prefix', ['ip-prefix', 'mask-length-range'], [leaf('ip-prefix', { kind: 'ip-prefix' }), leaf('mask-length-range', { kind: 'mask-length-range' })]),
        ],
      ),
      list(
        'policy',
        ['name'],
        [
          leaf('name', objectName),
          container('default-action', [leaf('policy-result', policyResult)]),
          list(
            'statement',
            ['name'],
            [
              leaf('name', objectName),
              container('match', [leaf('prefix-set', objectName)]),
              container('action', [leaf('policy-result', policyResult)]),
            ],
          ),
        ],
      ),
    ],
    { module: MODULES.routingPolicy },
  ),
  container(
    'system',
    Object.entries(SYSTEM_CHILD_MODULES).map(([name, module]) => anydata(name, { module })),
    { module: MODULES.system, openChildrenModule: MODULES.system },
  ),
]);

/** What Capabilities advertises; revisions are illustrative of a 25.3 image, not copied from one. */
export const SUPPORTED_MODELS: WireModelData[] = [
  { name: 'srl_nokia-interfaces', organization: 'Nokia', version: '2025-03-31' },
  { name: 'srl_nokia-network-instance', organization: 'Nokia', version: '2025-03-31' },
  { name: 'srl_nokia-bgp', organization: 'Nokia', version: '2025-03-31' },
  { name: 'srl_nokia-routing-policy', organization: 'Nokia', version: '2025-03-31' },
  { name: 'srl_nokia-system', organization: 'Nokia', version: '2025-03-31' },
  { name: 'srl_nokia-common', organization: 'Nokia', version: '2025-03-31' },
];

/** SR Linux defaults the state derivation relies on (the running config does not materialise them). */
export const DEFAULTS = {
  interfaceAdminState: 'enable',
  subinterfaceAdminState: 'enable',
  ipv4AdminState: 'disable',
  networkInstanceAdminState: 'enable',
  bgpAdminState: 'enable',
  afiSafiAdminState: 'disable',
  groupAdminState: 'enable',
  neighborAdminState: 'enable',
} as const;
