import { brownfieldLab, deviceIntent, generateFabric, initialConfig, referenceLab, type Lab } from '@synapse/lab';
import { deployOperations, ownershipScope, renderConfig, restoreOperations, staleDeletions, touchedBy } from '../src';
import { FactCheck, isSrlInterfaceName } from './srlinux-facts';

/**
 * Everything Synapse sends to a device, and everything the labs put on a
 * simulated one, held against the facts of SRLINUX-MODEL.md (SR Linux 25.3):
 * module names, identity values, leaf vs leaf-list shapes, key formats, name
 * patterns. The checker is independent of the renderer and the simulator.
 */
const LABS: Array<[string, Lab]> = [
  ['reference lab', referenceLab()],
  ['generated fabric 2x20', generateFabric({ spines: 2, leaves: 20 })],
  ['brownfield lab', brownfieldLab(referenceLab())],
  ['brownfield fabric 2x20', brownfieldLab(generateFabric({ spines: 2, leaves: 20 }))],
];

describe.each(LABS)('%s', (_name, lab) => {
  it('every device renders a config whose deploy Set SR Linux 25.3 would accept in shape', () => {
    for (const device of lab.devices) {
      const intent = deviceIntent(lab, device.name);
      const config = renderConfig(intent);
      const check = new FactCheck();
      for (const [path, value] of Object.entries(config)) check.at(path, value);
      const ops = deployOperations({ config });
      for (const op of [...ops.replace, ...ops.update]) check.at(op.path, op.value);
      expect({ device: device.name, problems: check.problems }).toEqual({ device: device.name, problems: [] });
    }
  });

  it('every device starts from an initial config that breaks none of the facts', () => {
    for (const device of lab.devices) {
      const check = new FactCheck().root(initialConfig(lab, device.name) as Record<string, unknown>);
      expect({ device: device.name, problems: check.problems }).toEqual({ device: device.name, problems: [] });
    }
  });

  it('the restore of a deploy writes back values the facts accept', () => {
    const device = lab.devices[lab.devices.length - 1].name;
    const intent = deviceIntent(lab, device);
    const backup = initialConfig(lab, device);
    const config = renderConfig(intent);
    const ops = restoreOperations(backup, touchedBy({ config, delete: staleDeletions(backup, config, config, ownershipScope(intent)) }));
    const check = new FactCheck();
    for (const op of [...ops.replace, ...ops.update]) check.at(op.path, op.value);
    expect(check.problems).toEqual([]);
  });
});

describe('the checker itself', () => {
  it('catches what a real SR Linux 25.3 refuses', () => {
    const check = new FactCheck().root({
      'srl_nokia-system:system': { 'srl_nokia-gnmi-server:gnmi-server': { 'admin-state': 'enable' } },
      interface: [{ name: 'ethernet-1/200', mtu: 1400 }],
      'srl_nokia-network-instance:network-instance': [
        {
          name: 'default',
          type: 'srl_nokia-common:default',
          protocols: {
            bgp: {},
            'srl_nokia-bgp:bgp': { 'afi-safi': [{ 'afi-safi-name': 'ipv4-unicast' }], group: [{ 'group-name': 'g', 'export-policy': 'p' }], neighbor: [{ 'peer-address': '10.0.0.1' }] },
          },
        },
      ],
      'srl_nokia-routing-policy:routing-policy': { policy: [{ name: 'p', statement: [{ name: 's', match: { 'prefix-set': 'x' }, action: { 'policy-result': 'permit' } }] }] },
    });
    expect(check.problems).toEqual([
      '/system/srl_nokia-gnmi-server:gnmi-server: srl_nokia-gnmi-server is not published since 23.10: 24.3+ configure /system/grpc-server[name] (srl_nokia-grpc)',
      '/interface: top-level nodes are module-qualified in JSON_IETF: expected srl_nokia-interfaces:interface',
      '/interface[name=ethernet-1/200]: "ethernet-1/200" is not an SR Linux 25.3 interface name',
      '/interface[name=ethernet-1/200]/mtu: 1400 outside 1500..9500',
      '/network-instance[name=default]/type: srl_nokia-common:default: the identity is defined in srl_nokia-network-instance',
      '/network-instance[name=default]/protocols/bgp: BGP augments network-instance: it must be written srl_nokia-bgp:bgp',
      '/network-instance[name=default]/protocols/bgp: autonomous-system and router-id are mandatory',
      '/network-instance[name=default]/protocols/bgp/afi-safi: ipv4-unicast: an identity from srl_nokia-common must carry its module in JSON_IETF',
      '/network-instance[name=default]/protocols/bgp/group[g]/export-policy: a leaf-list since 24.7: write a JSON array',
      '/network-instance[name=default]/protocols/bgp/neighbor[10.0.0.1]: peer-group is mandatory',
      "/routing-policy/policy[name=p]/statement[name=s]/match/prefix-set: 24.10's leaf: 25.3 matches a prefix set through match/prefix/prefix-set",
      '/routing-policy/policy[name=p]/statement[name=s]/action: policy-result "permit"',
    ]);
  });

  it('knows the interface name ranges', () => {
    expect(['ethernet-1/1', 'ethernet-99/128', 'ethernet-1/5/1', 'ethernet-1/m2/3/4', 'lag1000', 'lo255', 'irb0', 'system0', 'mgmt0-standby'].every(isSrlInterfaceName)).toBe(true);
    expect(['ethernet-1/129', 'ethernet-100/1', 'eth1', 'loopback0', 'lag0', 'lag1001', 'lo256', 'lo01'].some(isSrlInterfaceName)).toBe(false);
  });
});
