import { DeviceIntent, isSynapseError } from '@synapse/contracts';
import { bgpSessions, deviceIntent, initialConfig, isEthernetName, parseIpv4Interface, referenceLab, UNDERLAY_DESIGN } from '../src';

const lab = referenceLab();

describe('reference lab', () => {
  it('has the three devices of the design with their ASNs and system0 loopbacks', () => {
    expect(lab.devices.map((d) => [d.name, d.role, d.asn, d.loopback, d.credentialsRef])).toEqual([
      ['spine01', 'spine', 65000, '10.1.0.1/32', 'srl-lab-default'],
      ['leaf01', 'leaf', 65001, '10.1.0.2/32', 'srl-lab-default'],
      ['leaf02', 'leaf', 65002, '10.1.0.3/32', 'srl-lab-default'],
    ]);
  });

  it('cables the four /31 links of the design at MTU 9214', () => {
    expect(lab.links.map((l) => `${l.a.device} ${l.a.interface} ${l.a.address} <-> ${l.b.device} ${l.b.interface} ${l.b.address} mtu ${l.mtu}`)).toEqual([
      'spine01 ethernet-1/1 10.0.0.0/31 <-> leaf01 ethernet-1/49 10.0.0.1/31 mtu 9214',
      'spine01 ethernet-1/2 10.0.0.2/31 <-> leaf02 ethernet-1/49 10.0.0.3/31 mtu 9214',
      'spine01 ethernet-1/3 10.0.0.4/31 <-> leaf01 ethernet-1/50 10.0.0.5/31 mtu 9214',
      'spine01 ethernet-1/4 10.0.0.6/31 <-> leaf02 ethernet-1/50 10.0.0.7/31 mtu 9214',
    ]);
  });

  it('gives both ends of every link the two addresses of one /31', () => {
    for (const link of lab.links) {
      const a = parseIpv4Interface(link.a.address)!;
      const b = parseIpv4Interface(link.b.address)!;
      expect([a.length, b.length]).toEqual([31, 31]);
      expect(a.network).toBe(b.network);
      expect(a.value).not.toBe(b.value);
      expect(isEthernetName(link.a.interface) && isEthernetName(link.b.interface)).toBe(true);
    }
  });

  it('configures every eBGP session on both ends: each has its mirror with swapped addresses and ASNs', () => {
    const sessions = bgpSessions(lab);
    expect(sessions).toHaveLength(2 * lab.links.length);
    for (const s of sessions) {
      const mirrors = sessions.filter((m) => m.device === s.peerDevice && m.peerDevice === s.device && m.localAddress === s.peerAddress);
      expect(mirrors).toHaveLength(1);
      const [m] = mirrors;
      expect([m.peerAddress, m.localAs, m.peerAs, m.localInterface, m.peerInterface]).toEqual([s.localAddress, s.peerAs, s.localAs, s.peerInterface, s.localInterface]);
      expect(s.localAs).not.toBe(s.peerAs);
      expect(s.peerGroup).toBe('underlay');
    }
    expect(bgpSessions(lab, 'leaf01').map((s) => `${s.localAddress} -> ${s.peerAddress} AS${s.peerAs}`)).toEqual([
      '10.0.0.1 -> 10.0.0.0 AS65000',
      '10.0.0.5 -> 10.0.0.4 AS65000',
    ]);
  });

  it('derives intents that contracts accept, for every device', () => {
    for (const device of lab.devices) {
      const intent = deviceIntent(lab, device.name);
      expect(DeviceIntent.safeParse(intent).success).toBe(true);
      expect(intent.bgp?.neighbors).toHaveLength(device.role === 'spine' ? 4 : 2);
    }
  });

  it("holds leaf01's intended state exactly as the source of truth does", () => {
    expect(deviceIntent(lab, 'leaf01')).toEqual({
      name: 'leaf01',
      role: 'leaf',
      status: 'active',
      platform: 'srlinux',
      interfaces: [
        { name: 'ethernet-1/49', description: 'to spine01 ethernet-1/1', enabled: true, mtu: 9214, ipv4Addresses: ['10.0.0.1/31'], role: 'fabric' },
        { name: 'ethernet-1/50', description: 'to spine01 ethernet-1/3', enabled: true, mtu: 9214, ipv4Addresses: ['10.0.0.5/31'], role: 'fabric' },
        { name: 'system0', enabled: true, ipv4Addresses: ['10.1.0.2/32'], role: 'loopback' },
      ],
      bgp: {
        asn: 65001,
        routerId: '10.1.0.2',
        afiSafi: ['ipv4-unicast'],
        groups: [{ name: 'underlay', importPolicies: ['import-loopbacks'], exportPolicies: ['export-loopbacks'] }],
        neighbors: [
          { peerAddress: '10.0.0.0', peerAs: 65000, peerGroup: 'underlay', localAddress: '10.0.0.1', peerDevice: 'spine01', description: 'to spine01 ethernet-1/1' },
          { peerAddress: '10.0.0.4', peerAs: 65000, peerGroup: 'underlay', localAddress: '10.0.0.5', peerDevice: 'spine01', description: 'to spine01 ethernet-1/3' },
        ],
      },
      routingPolicies: [
        { name: 'export-loopbacks', defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
        { name: 'import-loopbacks', defaultAction: 'reject', statements: [{ name: 'loopbacks', match: { prefixSet: 'loopbacks' }, action: 'accept' }] },
      ],
      prefixSets: [{ name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] }],
    });
  });

  it('names its peer group and policies from the one shared design', () => {
    const intent = deviceIntent(lab, 'spine01');
    expect(intent.bgp?.groups.map((g) => g.name)).toEqual([UNDERLAY_DESIGN.peerGroup]);
    expect(intent.routingPolicies.map((p) => p.name).sort()).toEqual([UNDERLAY_DESIGN.importPolicy, UNDERLAY_DESIGN.exportPolicy].sort());
    expect(intent.bgp?.routerId).toBe('10.1.0.1');
    expect(intent.interfaces.map((i) => i.name)).toEqual(['ethernet-1/1', 'ethernet-1/2', 'ethernet-1/3', 'ethernet-1/4', 'system0']);
  });

  it('refuses an intent for a device the lab does not have, as IntentNotFound', () => {
    expect.assertions(2);
    try {
      deviceIntent(lab, 'leaf99');
    } catch (error) {
      expect(isSynapseError(error, 'IntentNotFound')).toBe(true);
      expect((error as Error).message).toMatch(/no device "leaf99"/);
    }
  });

  it('starts each device with management only: host name and gNMI, no fabric ports, no BGP', () => {
    const config = initialConfig(lab, 'leaf02') as Record<string, any>;
    expect(config['srl_nokia-system:system']['srl_nokia-system-name:name']['host-name']).toBe('leaf02');
    expect(config['srl_nokia-interfaces:interface'].map((i: { name: string }) => i.name)).toEqual(['mgmt0']);
    expect(config['srl_nokia-network-instance:network-instance'].map((n: { name: string }) => n.name)).toEqual(['mgmt']);
    expect(JSON.stringify(config)).not.toMatch(/bgp|ethernet-/);
    expect(() => initialConfig(lab, 'nope')).toThrow(/no device "nope"/);
  });
});
