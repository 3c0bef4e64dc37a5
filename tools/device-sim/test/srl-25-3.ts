import { managementBaseConfig } from '../src';

/**
 * A device config in SR Linux 25.3 JSON_IETF that uses every node kind the
 * simulator models: LAG (members set on the member), a 4x25G breakout with a
 * child port, VLAN tagging, IPv4/IPv6, an ACL bound to a subinterface,
 * routing policies with ordered statements, BGP, a mac-vrf, and system
 * services carried as anydata (one with a module prefix inside).
 */
export function fullConfig(hostName = 'r1'): Record<string, unknown> {
  const base = managementBaseConfig(hostName);
  const [mgmtInterface] = base['srl_nokia-interfaces:interface'] as unknown[];
  const [mgmtInstance] = base['srl_nokia-network-instance:network-instance'] as unknown[];
  return {
    'srl_nokia-system:system': {
      ...(base['srl_nokia-system:system'] as Record<string, unknown>),
      'srl_nokia-ntp:ntp': { 'admin-state': 'enable', 'network-instance': 'mgmt', server: [{ address: '192.0.2.123', iburst: true }] },
      'srl_nokia-system-snmp:snmp': { 'network-instance': [{ name: 'mgmt', 'admin-state': 'enable' }] },
      'srl_nokia-aaa:aaa': { authentication: { 'idle-timeout': 7200 } },
      'srl_nokia-ssh:ssh-server': [{ name: 'mgmt', 'admin-state': 'enable', 'network-instance': 'mgmt' }],
      'control-plane-traffic': { input: { 'srl_nokia-acl:acl': { 'acl-filter': [{ name: 'cpm', type: 'ipv4' }] } } },
    },
    'srl_nokia-interfaces:interface': [
      mgmtInterface,
      {
        name: 'ethernet-1/1',
        description: 'uplink',
        'admin-state': 'enable',
        mtu: 9000,
        ethernet: { 'port-speed': '100G', 'hold-time': { up: 150 } },
        transceiver: { 'forward-error-correction': 'rs-528' },
        subinterface: [
          {
            index: 0,
            type: 'routed',
            'admin-state': 'enable',
            ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '10.0.0.0/31', primary: [null] }] },
            ipv6: { 'admin-state': 'enable', address: [{ 'ip-prefix': '2001:db8::/127' }, { 'ip-prefix': 'fe80::1/64', type: 'link-local-unicast' }] },
          },
        ],
      },
      {
        name: 'lag1',
        mtu: 9100,
        'srl_nokia-interfaces-lag:lag': { 'lag-type': 'lacp', 'min-links': 1, 'member-speed': '100G', 'srl_nokia-lacp:lacp': { interval: 'FAST' } },
        subinterface: [{ index: 0, type: 'srl_nokia-interfaces:routed', ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '192.168.200.1/24' }] } }],
      },
      { name: 'ethernet-1/10', ethernet: { 'aggregate-id': 'lag1', 'port-speed': '100G' } },
      { name: 'ethernet-1/11', ethernet: { 'aggregate-id': 'lag1', 'port-speed': '100G' } },
      { name: 'ethernet-1/20', 'breakout-mode': { 'num-breakout-ports': '4', 'breakout-port-speed': '25G' } },
      { name: 'ethernet-1/20/1', ethernet: { 'port-speed': '25G' }, transceiver: { 'forward-error-correction': 'rs-108' }, subinterface: [{ index: 0 }] },
      {
        name: 'ethernet-1/30',
        'srl_nokia-interfaces-vlans:vlan-tagging': true,
        subinterface: [
          { index: 10, 'srl_nokia-interfaces-vlans:vlan': { encap: { 'single-tagged': { 'vlan-id': 10 } } }, ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '198.51.100.1/24' }] } },
          { index: 20, type: 'bridged', 'l2-mtu': 9000, 'srl_nokia-interfaces-vlans:vlan': { encap: { 'single-tagged': { 'vlan-id': 'any' } } } },
        ],
      },
      { name: 'system0', subinterface: [{ index: 0, ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '10.1.0.1/32' }] } }] },
      { name: 'lo0', subinterface: [{ index: 0, ipv4: { 'admin-state': 'enable', address: [{ 'ip-prefix': '10.255.255.1/32' }] } }] },
      { name: 'lo1', subinterface: [{ index: 0 }] },
      { name: 'irb0' },
    ],
    'srl_nokia-acl:acl': {
      'acl-filter': [
        {
          name: 'protect',
          type: 'ipv4',
          entry: [
            { 'sequence-id': 10, match: { ipv4: { 'source-ip': { prefix: '192.0.2.0/24' } } }, action: { drop: {} } },
            { 'sequence-id': 100, action: { accept: {} } },
          ],
        },
        { name: 'protect', type: 'ipv6', entry: [{ 'sequence-id': 10, action: { accept: {} } }] },
      ],
      interface: [
        {
          'interface-id': 'ethernet-1/30.10',
          'interface-ref': { interface: 'ethernet-1/30', subinterface: 10 },
          input: { 'acl-filter': [{ name: 'protect', type: 'ipv4' }, { name: 'protect', type: 'ipv6' }] },
        },
      ],
    },
    'srl_nokia-network-instance:network-instance': [
      mgmtInstance,
      {
        name: 'default',
        type: 'srl_nokia-network-instance:default',
        interface: [{ name: 'ethernet-1/1.0' }, { name: 'lag1.0' }, { name: 'system0.0' }, { name: 'ethernet-1/30.10' }, { name: 'ethernet-1/20/1.0' }],
        protocols: {
          'srl_nokia-bgp:bgp': {
            'autonomous-system': 65000,
            'router-id': '10.1.0.1',
            'afi-safi': [
              { 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' },
              { 'afi-safi-name': 'srl_nokia-common:ipv6-unicast', 'admin-state': 'enable' },
            ],
            group: [{ 'group-name': 'fabric', 'peer-as': 65001, 'export-policy': ['export-loopbacks', 'reject-all'], 'import-policy': ['import-all'] }],
            neighbor: [
              { 'peer-address': '10.0.0.1', 'peer-group': 'fabric' },
              { 'peer-address': '2001:db8::1', 'peer-group': 'fabric' },
              { 'peer-address': 'fe80::2%ethernet-1/1.0', 'peer-group': 'fabric' },
            ],
          },
        },
      },
      { name: 'blue', type: 'ip-vrf', interface: [{ name: 'lo0.0' }] },
      { name: 'bridge', type: 'srl_nokia-network-instance:mac-vrf', interface: [{ name: 'ethernet-1/30.20' }] },
    ],
    'srl_nokia-routing-policy:routing-policy': {
      'prefix-set': [
        { name: 'loopbacks', prefix: [{ 'ip-prefix': '10.1.0.0/16', 'mask-length-range': '32..32' }] },
        { name: 'v6', prefix: [{ 'ip-prefix': '2001:db8::/32', 'mask-length-range': 'exact' }] },
      ],
      'community-set': [{ name: 'no-export', member: ['no-export'] }],
      policy: [
        {
          name: 'export-loopbacks',
          'default-action': { 'policy-result': 'reject' },
          statement: [
            { name: 'loopbacks', match: { prefix: { 'prefix-set': 'loopbacks' } }, action: { 'policy-result': 'accept' } },
            { name: 'connected', match: { protocol: 'srl_nokia-common:local' }, action: { 'policy-result': 'next-policy', bgp: { 'local-preference': { set: 200 } } } },
            { name: 'rest', action: { 'policy-result': 'next-statement' } },
          ],
        },
        { name: 'reject-all', 'default-action': { 'policy-result': 'reject' } },
        { name: 'import-all', 'default-action': { 'policy-result': 'accept' } },
      ],
    },
  };
}
