import { baselineExpectations, deviceFacts, DeviceIntent, expectationsOutsidePatch, removedNeighbors, unmetExpectations, validationExpectations, type DeviceIntentInput } from './index';

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

describe('baselineExpectations: validation relative to what was up before and where the far ends are', () => {
  const facts = deviceFacts(
    DeviceIntent.parse({
      name: 'spine01',
      role: 'spine',
      interfaces: [
        { name: 'ethernet-1/1', ipv4Addresses: ['10.0.0.0/31'] },
        { name: 'ethernet-1/2', ipv4Addresses: ['10.0.0.2/31'] },
        { name: 'ethernet-1/3', enabled: false, ipv4Addresses: ['10.0.0.4/31'] },
        { name: 'system0', role: 'loopback', ipv4Addresses: ['10.1.0.1/32'] },
      ],
      bgp: {
        asn: 65000,
        routerId: '10.1.0.1',
        groups: [{ name: 'underlay' }],
        neighbors: [
          { peerAddress: '10.0.0.1', peerAs: 65001, peerGroup: 'underlay', localAddress: '10.0.0.0', peerDevice: 'leaf01' },
          { peerAddress: '10.0.0.3', peerAs: 65002, peerGroup: 'underlay', localAddress: '10.0.0.2', peerDevice: 'leaf02' },
        ],
      },
    }),
  );

  it('derives each session’s and link’s far end from the intent', () => {
    expect(facts.neighbors).toEqual([
      { address: '10.0.0.1', peerAs: 65001, peer: 'leaf01' },
      { address: '10.0.0.3', peerAs: 65002, peer: 'leaf02' },
    ]);
    expect(facts.interfaces.map((i) => [i.name, i.peer])).toEqual([
      ['ethernet-1/1', 'leaf01'],
      ['ethernet-1/2', 'leaf02'],
      ['ethernet-1/3', undefined],
      ['system0', undefined],
    ]);
  });

  it('requires what the far end is ready for, defers a far end still to come, and only reports one outside the change that was not up', () => {
    const baseline = { sessions: {}, interfaces: { 'ethernet-1/1': { admin: 'enable', oper: 'down' }, 'ethernet-1/2': { admin: 'enable', oper: 'down' } } };
    const out = baselineExpectations(facts, baseline, { ready: ['leaf01'], pending: [] });
    expect(out.neighbors).toEqual([{ peerAddress: '10.0.0.1', peerAs: 65001 }]);
    expect(out.interfaces).toEqual([
      { name: 'ethernet-1/1', adminState: 'enable', operState: 'up' },
      { name: 'ethernet-1/3', adminState: 'disable', operState: 'down' },
      { name: 'system0', adminState: 'enable', operState: 'up' },
    ]);
    expect(out.waiting.map((w) => w.subject)).toEqual(['neighbor 10.0.0.3', 'interface ethernet-1/2']);
    expect(out.waiting[0]!.reason).toBe('waiting for leaf02: not established before the change and leaf02 is not in this change');

    const later = baselineExpectations(facts, baseline, { ready: [], pending: ['leaf01', 'leaf02'] });
    expect(later.neighbors).toEqual([]);
    expect(later.deferred.map((d) => d.subject)).toEqual(['neighbor 10.0.0.1', 'neighbor 10.0.0.3', 'interface ethernet-1/1', 'interface ethernet-1/2']);
  });

  it('never lets what was up go down, whoever owns it, unless the change removes it; with no baseline it requires every session', () => {
    const baseline = {
      sessions: { '10.0.0.3': 'established', '192.0.2.254': 'established', '10.0.0.9': 'established' },
      interfaces: { 'ethernet-1/2': { admin: 'enable', oper: 'up' }, 'ethernet-1/10': { admin: 'enable', oper: 'up' }, 'ethernet-1/11': { admin: 'enable', oper: 'down' } },
    };
    const out = baselineExpectations(facts, baseline, { ready: [], pending: [] }, ['10.0.0.9']);
    // leaf02 is outside the change but its session was up: it must stay up; the route server's too; the removed neighbor may go.
    expect(out.neighbors.map((n) => n.peerAddress)).toEqual(['10.0.0.3', '192.0.2.254']);
    expect(out.interfaces.map((i) => i.name)).toEqual(['ethernet-1/2', 'ethernet-1/3', 'system0', 'ethernet-1/10']);
    // A pre-existing down port nobody changes is never expected up.
    expect(out.interfaces.map((i) => i.name)).not.toContain('ethernet-1/11');

    expect(baselineExpectations(facts, undefined).neighbors.map((n) => n.peerAddress)).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('unmetExpectations names each check a state read fails', () => {
    const out = baselineExpectations(facts, undefined);
    const problems = unmetExpectations(out, { sessions: { '10.0.0.1': 'established', '10.0.0.3': 'active' }, interfaces: { 'ethernet-1/1': { admin: 'enable', oper: 'up' } } });
    expect(problems).toEqual([
      'neighbor 10.0.0.3: session-state active, expected established',
      'interface ethernet-1/2: absent, expected enable/up',
      'interface ethernet-1/3: absent, expected disable/down',
      'interface system0: absent, expected enable/up',
    ]);
  });
});

describe('removedNeighbors', () => {
  it('names the peers whose neighbor entries the plan deletes, once each, and nothing for other deletions or no plan', () => {
    const stalePaths = [
      '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.1]',
      '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.1]',
      '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.3]/description',
      '/interface[name=ethernet-1/3]',
      '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=2001:db8::1]',
    ];
    expect(removedNeighbors({ stalePaths })).toEqual(['10.0.0.1', '2001:db8::1']);
    expect(removedNeighbors(undefined)).toEqual([]);
  });
});
