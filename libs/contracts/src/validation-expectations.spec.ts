import { DeviceIntent, expectationsOutsidePatch, validationExpectations, type DeviceIntentInput } from './index';

describe('validationExpectations', () => {
  it('expects disabled interfaces down, enabled ones up, skips management ports, and no neighbors without BGP', () => {
    const input: DeviceIntentInput = {
      name: 'edge01',
      role: 'edge',
      interfaces: [
        { name: 'mgmt0', role: 'management', ipv4Addresses: ['192.0.2.10/24'] },
        { name: 'ethernet-1/1', enabled: false, ipv4Addresses: ['10.9.0.0/31'] },
        { name: 'ethernet-1/2', ipv4Addresses: ['10.9.0.2/31'] },
        { name: 'system0', role: 'loopback', ipv4Addresses: ['10.9.1.1/32'] },
      ],
    };
    const expectations = validationExpectations(DeviceIntent.parse(input));
    expect(expectations.neighbors).toEqual([]);
    expect(expectations.interfaces).toEqual([
      { name: 'ethernet-1/1', adminState: 'disable', operState: 'down' },
      { name: 'ethernet-1/2', adminState: 'enable', operState: 'up' },
      { name: 'system0', adminState: 'enable', operState: 'up' },
    ]);
  });

  it('expects every neighbor established with its peer AS', () => {
    const intent = DeviceIntent.parse({
      name: 'leaf01',
      role: 'leaf',
      interfaces: [{ name: 'ethernet-1/49', ipv4Addresses: ['10.0.0.1/31'] }],
      bgp: {
        asn: 65001,
        routerId: '10.1.0.2',
        groups: [{ name: 'underlay' }],
        neighbors: [{ peerAddress: '10.0.0.0', peerAs: 65000, peerGroup: 'underlay', localAddress: '10.0.0.1' }],
      },
    });
    expect(validationExpectations(intent).neighbors).toEqual([{ peerAddress: '10.0.0.0', peerAs: 65000 }]);
  });
});

describe('expectationsOutsidePatch', () => {
  const intent = DeviceIntent.parse({
    name: 'leaf01',
    role: 'leaf',
    interfaces: [
      { name: 'ethernet-1/49', ipv4Addresses: ['10.0.0.1/31'] },
      { name: 'ethernet-1/50', ipv4Addresses: ['10.0.0.3/31'] },
      { name: 'system0', role: 'loopback', ipv4Addresses: ['10.1.0.2/32'] },
    ],
    bgp: {
      asn: 65001,
      routerId: '10.1.0.2',
      groups: [{ name: 'underlay' }],
      neighbors: [
        { peerAddress: '10.0.0.0', peerAs: 65000, peerGroup: 'underlay', localAddress: '10.0.0.1' },
        { peerAddress: '10.0.0.2', peerAs: 65000, peerGroup: 'underlay', localAddress: '10.0.0.3' },
      ],
    },
  });

  it('leaves out an interface the patch touches and the session riding it, and keeps the rest', () => {
    const expectations = expectationsOutsidePatch(intent, ['/interface[name=ethernet-1/49]/admin-state']);
    expect(expectations.interfaces.map((i) => i.name)).toEqual(['ethernet-1/50', 'system0']);
    expect(expectations.neighbors).toEqual([{ peerAddress: '10.0.0.2', peerAs: 65000 }]);
  });

  it('leaves out a neighbor the patch names, and nothing else', () => {
    const expectations = expectationsOutsidePatch(intent, ['/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.2]/admin-state']);
    expect(expectations.neighbors).toEqual([{ peerAddress: '10.0.0.0', peerAs: 65000 }]);
    expect(expectations.interfaces).toHaveLength(3);
  });

  it('is the whole expectation when the patch touches neither', () => {
    expect(expectationsOutsidePatch(intent, ['/routing-policy/policy[name=x]'])).toEqual(validationExpectations(intent));
  });
});
