import { diffConfigs, isEmptyDiff, ownedDiff, renderConfig, summarizeDiff } from '../src';
import { editableIntent, labIntent } from './lab';

const NI = '/network-instance[name=default]';
const BGP = `${NI}/protocols/bgp`;

describe('diffConfigs', () => {
  const intended = renderConfig(labIntent('leaf01'));

  it('finds nothing between a config and itself in another shape (unprefixed, one whole document)', () => {
    const unprefixed = JSON.parse(JSON.stringify(intended).replace(/srl_nokia-[a-z-]+:/g, ''));
    const document = {
      interface: Object.entries(intended).filter(([p]) => p.startsWith('/interface')).map(([, v]) => v),
      'network-instance': [intended[NI]],
      'routing-policy': {
        'prefix-set': Object.entries(intended).filter(([p]) => p.startsWith('/routing-policy/prefix-set')).map(([, v]) => v),
        policy: Object.entries(intended).filter(([p]) => p.startsWith('/routing-policy/policy')).map(([, v]) => v),
      },
    };
    expect(diffConfigs(intended, document)).toEqual({ added: [], removed: [], changed: [] });
    expect(isEmptyDiff(diffConfigs(intended, unprefixed))).toBe(true);
    expect(isEmptyDiff(diffConfigs(intended, { '/': document }))).toBe(true);
  });

  it('reports a changed leaf at its exact path with the running value before and the intended value after', () => {
    const running = structuredClone(intended) as Record<string, any>;
    running['/interface[name=ethernet-1/49]'].mtu = 1500;
    running[NI].protocols['srl_nokia-bgp:bgp'].neighbor[1]['peer-as'] = 65099;
    expect(diffConfigs(intended, running)).toEqual({
      added: [],
      removed: [],
      changed: [
        { path: '/interface[name=ethernet-1/49]/mtu', before: 1500, after: 9214 },
        { path: `${BGP}/neighbor[peer-address=10.0.0.4]/peer-as`, before: 65099, after: 65000 },
      ],
    });
  });

  it('reports a whole list entry added or removed as one item, and a new leaf at its path', () => {
    const intent = editableIntent('leaf01');
    intent.bgp!.neighbors = intent.bgp!.neighbors!.filter((n) => n.peerAddress !== '10.0.0.4');
    intent.interfaces.splice(2, 0, { name: 'ethernet-1/51', mtu: 9214, ipv4Addresses: ['10.0.0.9/31'] });
    intent.interfaces[0].description = 'uplink to spine01';
    const diff = diffConfigs(renderConfig(intent), intended);
    expect(diff.removed).toEqual([
      {
        path: `${BGP}/neighbor[peer-address=10.0.0.4]`,
        value: { 'admin-state': 'enable', description: 'to spine01 ethernet-1/3', 'peer-address': '10.0.0.4', 'peer-as': 65000, 'peer-group': 'underlay' },
      },
    ]);
    expect(diff.added).toEqual([
      {
        path: '/interface[name=ethernet-1/51]',
        value: {
          'admin-state': 'enable',
          mtu: 9214,
          name: 'ethernet-1/51',
          subinterface: [{ 'admin-state': 'enable', index: 0, ipv4: { address: [{ 'ip-prefix': '10.0.0.9/31' }], 'admin-state': 'enable' } }],
        },
      },
      { path: `${NI}/interface[name=ethernet-1/51.0]`, value: { name: 'ethernet-1/51.0' } },
    ]);
    expect(diff.changed).toEqual([{ path: '/interface[name=ethernet-1/49]/description', before: 'to spine01 ethernet-1/1', after: 'uplink to spine01' }]);
  });

  it('reports a container present on one side leaf by leaf', () => {
    const running = structuredClone(intended) as Record<string, any>;
    delete running['/routing-policy/policy[name=import-loopbacks]']['default-action'];
    expect(diffConfigs(intended, running).added).toEqual([{ path: '/routing-policy/policy[name=import-loopbacks]/default-action/policy-result', value: 'reject' }]);
  });

  it('reports a reordered policy chain as a changed leaf-list, but not reordered neighbors', () => {
    const running = structuredClone(intended) as Record<string, any>;
    const bgp = running[NI].protocols['srl_nokia-bgp:bgp'];
    bgp.neighbor.reverse();
    expect(isEmptyDiff(diffConfigs(intended, running))).toBe(true);
    bgp.group[0]['export-policy'] = ['import-loopbacks', 'export-loopbacks'];
    const swapped = structuredClone(running);
    swapped[NI].protocols['srl_nokia-bgp:bgp'].group[0]['export-policy'] = ['export-loopbacks', 'import-loopbacks'];
    expect(diffConfigs(swapped, running).changed).toEqual([
      { path: `${BGP}/group[group-name=underlay]/export-policy`, before: ['import-loopbacks', 'export-loopbacks'], after: ['export-loopbacks', 'import-loopbacks'] },
    ]);
  });

  it('reports reordered policy statements as a change of the statement list (they run in order)', () => {
    const intent = editableIntent('leaf01');
    intent.prefixSets!.push({ name: 'defaults', prefixes: [{ prefix: '0.0.0.0/0', maskLengthRange: 'exact' }] });
    intent.routingPolicies!.find((p) => p.name === 'export-loopbacks')!.statements!.push({ name: 'no-default', match: { prefixSet: 'defaults' }, action: 'reject' });
    const two = renderConfig(intent);
    const reordered = structuredClone(two) as Record<string, any>;
    reordered['/routing-policy/policy[name=export-loopbacks]'].statement.reverse();
    expect(diffConfigs(two, reordered).changed).toEqual([
      { path: '/routing-policy/policy[name=export-loopbacks]/statement', before: ['no-default', 'loopbacks'], after: ['loopbacks', 'no-default'] },
    ]);
    expect(isEmptyDiff(diffConfigs(two, structuredClone(two)))).toBe(true);
  });
});

describe('ownedDiff: intended vs running on what Synapse owns', () => {
  const intended = renderConfig(labIntent('leaf01'));
  it('ignores everything the intent does not render: other entries, and unmodelled leaves inside owned ones', () => {
    const running = {
      '/': {
        interface: [
          { name: 'mgmt0', 'admin-state': 'enable' },
          ...Object.entries(intended)
            .filter(([p]) => p.startsWith('/interface'))
            .map(([, v]) => ({ ...(v as object), ethernet: { 'port-speed': '100G' } })),
          { name: 'lag1', 'admin-state': 'enable' },
        ],
        'network-instance': [intended[NI], { name: 'mgmt', type: 'srl_nokia-network-instance:ip-vrf' }],
        'routing-policy': {
          'prefix-set': Object.entries(intended).filter(([p]) => p.startsWith('/routing-policy/prefix-set')).map(([, v]) => v),
          policy: [...Object.entries(intended).filter(([p]) => p.startsWith('/routing-policy/policy')).map(([, v]) => v), { name: 'theirs', 'default-action': { 'policy-result': 'accept' } }],
        },
        system: { name: { 'host-name': 'leaf01' } },
      },
    };
    expect(ownedDiff(intended, running)).toEqual({ added: [], removed: [], changed: [] });
    const unscoped = diffConfigs(intended, running);
    expect(unscoped.removed.map((r) => r.path)).toEqual(expect.arrayContaining(['/interface[name=mgmt0]', '/interface[name=lag1]', '/routing-policy/policy[name=theirs]', '/system/name/host-name']));
  });
});

describe('summarizeDiff', () => {
  it('counts and names the paths', () => {
    expect(
      summarizeDiff({
        changed: [{ path: '/interface[name=ethernet-1/1]/mtu', before: 1500, after: 9214 }],
        added: [{ path: '/interface[name=ethernet-1/5]', value: {} }],
        removed: [],
      }),
    ).toBe('1 changed, 1 added, 0 removed: /interface[name=ethernet-1/1]/mtu 1500 -> 9214, + /interface[name=ethernet-1/5]');
    expect(summarizeDiff({ changed: [], added: [], removed: [] })).toBe('0 changed, 0 added, 0 removed');
  });

  it('stays short for a long diff', () => {
    const removed = Array.from({ length: 8 }, (_, i) => ({ path: `/interface[name=ethernet-1/${i + 1}]`, value: {} }));
    expect(summarizeDiff({ changed: [], added: [], removed }, { maxItems: 2 })).toBe(
      '0 changed, 0 added, 8 removed: - /interface[name=ethernet-1/1], - /interface[name=ethernet-1/2], … 6 more',
    );
  });
});
