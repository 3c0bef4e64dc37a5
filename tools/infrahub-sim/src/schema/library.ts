import { DeviceRole, DeviceStatus } from '@synapse/contracts';
import type { SchemaFileInput } from './schema-file';

/**
 * The part of the opsmill schema-library (base/dcim.yml, base/ipam.yml,
 * extensions/routing and extensions/routing_bgp) the Synapse client reads,
 * restated in Infrahub's schema-file form. Kinds, attribute and relationship
 * names, dropdown choices and human-friendly ids follow the library; the
 * device status and role choices come from contracts, the one home of those
 * facts.
 *
 * Left out: locations, racks, device types, tags, VRFs and IP namespaces
 * (so IpamIPAddress is identified by its address alone), artifacts, and the
 * `device`/`vrf` the library requires on RoutingProtocol (a peer group here is
 * fabric-wide, not per device).
 */

const choice = (name: string, label: string, description?: string) => ({ name, label, ...(description ? { description } : {}) });
const titleCase = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export const LIBRARY_SCHEMA: SchemaFileInput = {
  version: '1.0',
  generics: [
    {
      name: 'GenericDevice',
      namespace: 'Dcim',
      description: 'Generic Device object.',
      label: 'Device',
      human_friendly_id: ['name__value'],
      order_by: ['name__value'],
      display_label: 'name__value',
      attributes: [
        { name: 'name', kind: 'Text', unique: true, order_weight: 1000 },
        { name: 'description', kind: 'Text', optional: true, order_weight: 1100 },
      ],
      relationships: [
        { name: 'interfaces', peer: 'DcimInterface', kind: 'Component', cardinality: 'many', optional: true, identifier: 'device__interface', order_weight: 1650 },
        { name: 'primary_address', peer: 'IpamIPAddress', label: 'Primary IP Address', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'device__primary_address', order_weight: 1700 },
        { name: 'platform', peer: 'DcimPlatform', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'device__platform', order_weight: 1250 },
        // Added by extensions/routing_bgp.
        { name: 'asn', peer: 'RoutingAutonomousSystem', kind: 'Attribute', cardinality: 'one', optional: true, order_weight: 1800 },
      ],
    },
    {
      name: 'Interface',
      namespace: 'Dcim',
      description: 'Generic Network Interface',
      label: 'Interface',
      human_friendly_id: ['device__name__value', 'name__value'],
      order_by: ['device__name__value', 'name__value'],
      display_label: 'name__value',
      uniqueness_constraints: [['device', 'name__value']],
      attributes: [
        { name: 'name', kind: 'Text', order_weight: 1000 },
        { name: 'description', kind: 'Text', optional: true, order_weight: 1100 },
        { name: 'mtu', label: 'MTU', kind: 'Number', default_value: 1514, order_weight: 1300 },
        {
          name: 'status',
          kind: 'Dropdown',
          default_value: 'active',
          order_weight: 1200,
          choices: [
            choice('provisioning', 'Provisioning'),
            choice('free', 'Free'),
            choice('active', 'Active'),
            choice('maintenance', 'Maintenance'),
            choice('disabled', 'Disabled'),
            choice('deleted', 'Deleted'),
            choice('outage', 'Outage'),
          ],
        },
        {
          name: 'role',
          kind: 'Dropdown',
          optional: true,
          order_weight: 1250,
          choices: [
            choice('lag', 'Lag'),
            choice('core', 'Core Interface'),
            choice('cust', 'Customer Interface'),
            choice('access', 'Access Interfaces'),
            choice('management', 'Management Interface'),
            choice('peering', 'Peering Interface'),
            choice('upstream', 'Upstream Interface'),
          ],
        },
      ],
      relationships: [
        { name: 'device', peer: 'DcimGenericDevice', kind: 'Parent', cardinality: 'one', optional: false, identifier: 'device__interface', order_weight: 1025 },
      ],
    },
    {
      name: 'Layer3',
      namespace: 'Interface',
      description: 'Layer 3 specific attributes for network interfaces',
      label: 'Layer 3 Interface',
      relationships: [
        { name: 'ip_addresses', label: 'IP Addresses', peer: 'IpamIPAddress', kind: 'Attribute', cardinality: 'many', optional: true, identifier: 'ip_address__interface', order_weight: 1150 },
      ],
    },
    {
      name: 'Protocol',
      namespace: 'Routing',
      description: 'Generic protocol model for routing protocols',
      label: 'Routing Protocol',
      attributes: [
        { name: 'description', kind: 'Text', unique: true, order_weight: 1100 },
        {
          name: 'status',
          kind: 'Dropdown',
          order_weight: 1200,
          choices: [choice('active', 'Active'), choice('disabled', 'Disabled'), choice('deleted', 'Deleted')],
        },
      ],
      relationships: [{ name: 'device', peer: 'DcimDevice', kind: 'Parent', cardinality: 'one', optional: true, order_weight: 900 }],
    },
  ],
  nodes: [
    {
      name: 'Platform',
      namespace: 'Dcim',
      description: 'A Platform represent the type of software running on a device.',
      label: 'Platform',
      human_friendly_id: ['name__value'],
      order_by: ['name__value'],
      display_label: 'name__value',
      attributes: [
        { name: 'name', kind: 'Text', unique: true, order_weight: 1000 },
        { name: 'description', kind: 'Text', optional: true, order_weight: 1200 },
      ],
      relationships: [{ name: 'devices', peer: 'DcimGenericDevice', kind: 'Generic', cardinality: 'many', optional: true, identifier: 'device__platform', order_weight: 1350 }],
    },
    {
      name: 'Device',
      namespace: 'Dcim',
      description: 'A configurable network device including routers, switches...',
      label: 'Network Device',
      inherit_from: ['DcimGenericDevice'],
      attributes: [
        {
          name: 'status',
          kind: 'Dropdown',
          order_weight: 1100,
          choices: DeviceStatus.options.map((status) => choice(status, titleCase(status))),
        },
        {
          name: 'role',
          kind: 'Dropdown',
          optional: true,
          order_weight: 1400,
          choices: DeviceRole.options.map((role) => choice(role, role === 'cpe' || role === 'tor' ? role.toUpperCase() : titleCase(role))),
        },
      ],
    },
    {
      name: 'Physical',
      namespace: 'Interface',
      description: 'Physical network port on a device',
      label: 'Physical Interface',
      inherit_from: ['DcimInterface', 'InterfaceLayer3'],
    },
    {
      name: 'Virtual',
      namespace: 'Interface',
      description: 'Virtual interface like VLAN or Loopback',
      label: 'Virtual Interface',
      inherit_from: ['DcimInterface', 'InterfaceLayer3'],
    },
    {
      name: 'IPAddress',
      namespace: 'Ipam',
      description: 'IP Address',
      label: 'IP Address',
      human_friendly_id: ['address__value'],
      order_by: ['address__value'],
      display_label: 'address__value',
      attributes: [
        { name: 'address', kind: 'IPHost', unique: true, order_weight: 1000 },
        { name: 'description', kind: 'Text', optional: true, order_weight: 1050 },
        { name: 'role', kind: 'Dropdown', optional: true, order_weight: 1150, choices: [choice('loopback', 'Loopback'), choice('secondary', 'Secondary'), choice('anycast', 'Anycast')] },
      ],
      relationships: [{ name: 'interface', peer: 'InterfaceLayer3', kind: 'Generic', cardinality: 'one', optional: true, identifier: 'ip_address__interface' }],
    },
    {
      name: 'AutonomousSystem',
      namespace: 'Routing',
      description: 'An Autonomous System (AS) is a set of Internet routable IP prefixes belonging to a network',
      label: 'Autonomous System',
      human_friendly_id: ['asn__value', 'name__value'],
      order_by: ['asn__value', 'name__value'],
      display_label: 'AS {{ asn__value }}: {{ name__value }}',
      attributes: [
        { name: 'name', kind: 'Text', unique: true, order_weight: 1000 },
        { name: 'asn', kind: 'Number', unique: true, order_weight: 1050 },
        { name: 'description', kind: 'Text', optional: true, order_weight: 1100 },
      ],
    },
    {
      name: 'BGPPeerGroup',
      namespace: 'Routing',
      description: 'A BGP Peer Group is used to regroup parameters that are shared across multiple peers',
      label: 'BGP Peer Group',
      inherit_from: ['RoutingProtocol'],
      human_friendly_id: ['name__value', 'description__value'],
      order_by: ['name__value'],
      display_label: '{{ name__value }} - {{ description__value }}',
      attributes: [
        { name: 'name', kind: 'Text', unique: true, order_weight: 1000 },
        { name: 'import_policies', kind: 'Text', optional: true, order_weight: 1300 },
        { name: 'export_policies', kind: 'Text', optional: true, order_weight: 1350 },
        { name: 'maximum_routes', kind: 'Number', optional: true, order_weight: 1400 },
        { name: 'address_family', kind: 'Dropdown', default_value: 'ipv4', order_weight: 1250, choices: [choice('ipv4', 'IPv4'), choice('ipv6', 'IPv6')] },
      ],
      relationships: [
        { name: 'local_as', peer: 'RoutingAutonomousSystem', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgppeergroup__local_as', order_weight: 1550 },
        { name: 'remote_as', peer: 'RoutingAutonomousSystem', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgppeergroup__remote_as', order_weight: 1600 },
      ],
    },
    {
      name: 'BGPSession',
      namespace: 'Routing',
      description: 'A BGP Session represent a point to point connection between two routers',
      label: 'BGP Session',
      inherit_from: ['RoutingProtocol'],
      order_by: ['remote_as__asn__value'],
      display_label: 'description__value',
      attributes: [
        { name: 'import_policies', kind: 'Text', optional: true, order_weight: 1700 },
        { name: 'export_policies', kind: 'Text', optional: true, order_weight: 1750 },
        { name: 'session_type', kind: 'Dropdown', order_weight: 1250, choices: [choice('external', 'External'), choice('internal', 'Internal')] },
        { name: 'role', kind: 'Dropdown', order_weight: 1300, choices: [choice('backbone', 'Backbone'), choice('upstream', 'Upstream'), choice('peering', 'Peering')] },
        { name: 'local_pref', kind: 'Number', optional: true, order_weight: 1650 },
      ],
      relationships: [
        { name: 'local_as', peer: 'RoutingAutonomousSystem', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgpsession__local_as', order_weight: 1350 },
        { name: 'remote_as', peer: 'RoutingAutonomousSystem', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgpsession__remote_as', order_weight: 1400 },
        { name: 'local_ip', peer: 'IpamIPAddress', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgpsession__local_ip', order_weight: 1450 },
        { name: 'remote_ip', peer: 'IpamIPAddress', kind: 'Attribute', cardinality: 'one', optional: true, identifier: 'bgpsession__remote_ip', order_weight: 1500 },
        { name: 'device', peer: 'DcimDevice', kind: 'Generic', cardinality: 'one', optional: true, order_weight: 900 },
        { name: 'peer_group', peer: 'RoutingBGPPeerGroup', kind: 'Attribute', cardinality: 'one', optional: true, order_weight: 1550 },
        { name: 'peer_session', peer: 'RoutingBGPSession', kind: 'Attribute', cardinality: 'one', optional: true, order_weight: 1600 },
      ],
    },
  ],
};
