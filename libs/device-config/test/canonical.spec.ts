import { canonicalize, canonicalizeAt, checksum, renderConfig } from '../src';
import { labIntent } from './lab';

describe('canonical form', () => {
  it('strips module prefixes from member names and from identity values', () => {
    const ietf = {
      'srl_nokia-network-instance:network-instance': [
        {
          name: 'default',
          type: 'srl_nokia-network-instance:default',
          protocols: {
            'srl_nokia-bgp:bgp': {
              'autonomous-system': 65000,
              'afi-safi': [{ 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' }],
            },
          },
        },
      ],
    };
    expect(canonicalize(ietf)).toEqual({
      'network-instance': [
        { name: 'default', protocols: { bgp: { 'afi-safi': [{ 'admin-state': 'enable', 'afi-safi-name': 'ipv4-unicast' }], 'autonomous-system': 65000 } }, type: 'default' },
      ],
    });
  });

  it('leaves values that merely contain ":" untouched (IPv6 addresses, descriptions, non-identity leaves)', () => {
    const bgp = {
      neighbor: [{ 'peer-address': '2001:db8::1', 'peer-group': 'fe80:group', description: 'srl_nokia-common:not-an-identity' }],
    };
    const canonical = canonicalizeAt(bgp, '/network-instance[name=default]/protocols/bgp') as { neighbor: Record<string, string>[] };
    expect(canonical.neighbor[0]).toEqual({ description: 'srl_nokia-common:not-an-identity', 'peer-address': '2001:db8::1', 'peer-group': 'fe80:group' });
    // An unknown leaf is never taken for an identity either.
    expect(canonicalize({ interface: [{ name: 'ethernet-1/1', 'ipv6-thing': 'fe80::1' }] })).toEqual({ interface: [{ 'ipv6-thing': 'fe80::1', name: 'ethernet-1/1' }] });
  });

  it('sorts keyed lists by key (numerically for integer keys) and members by name', () => {
    const itf = {
      name: 'ethernet-1/1',
      subinterface: [{ index: 10 }, { index: 2 }, { index: '0' }],
    };
    const doc = { interface: [{ name: 'system0' }, itf, { name: 'ethernet-1/10' }] };
    const canonical = canonicalize(doc) as { interface: { name: string; subinterface?: { index: number }[] }[] };
    expect(canonical.interface.map((i) => i.name)).toEqual(['ethernet-1/1', 'ethernet-1/10', 'system0']);
    expect(canonical.interface[0].subinterface).toEqual([{ index: 0 }, { index: 2 }, { index: 10 }]);
    expect(Object.keys(canonicalizeAt({ mtu: 9214, name: 'x', 'admin-state': 'enable' }, '/interface[name=x]') as object)).toEqual(['admin-state', 'mtu', 'name']);
  });

  it('keeps the order of BGP policy chains (ordered-by user) but sorts system-ordered leaf-lists', () => {
    const group = { 'group-name': 'g', 'export-policy': ['second', 'first'], 'import-policy': ['b', 'a'] };
    expect(canonicalizeAt(group, '/network-instance[name=default]/protocols/bgp/group[group-name=g]')).toEqual({
      'export-policy': ['second', 'first'],
      'group-name': 'g',
      'import-policy': ['b', 'a'],
    });
    expect(canonicalize({ system: { dns: { 'server-list': ['9.9.9.9', '1.1.1.1'] } } })).toEqual({ system: { dns: { 'server-list': ['1.1.1.1', '9.9.9.9'] } } });
  });

  it('reads integers sent as strings (RFC 7951 64-bit style) as numbers, only on integer leaves', () => {
    expect(canonicalizeAt({ mtu: '9214', description: '9214' }, '/interface[name=ethernet-1/1]')).toEqual({ description: '9214', mtu: 9214, name: 'ethernet-1/1' });
    expect(canonicalizeAt({ 'autonomous-system': '4200000000', 'router-id': '10.1.0.1' }, '/network-instance[name=default]/protocols/bgp')).toEqual({
      'autonomous-system': 4200000000,
      'router-id': '10.1.0.1',
    });
  });

  it('fills a list entry\'s keys from its path, so a per-path Get compares equal to the rendered entry', () => {
    expect(canonicalizeAt({ 'admin-state': 'enable' }, '/interface[name=ethernet-1/1]/subinterface[index=0]')).toEqual({ 'admin-state': 'enable', index: 0 });
    expect(canonicalize({ '/srl_nokia-interfaces:interface[name=system0]': { 'admin-state': 'enable' } })).toEqual({
      '/interface[name=system0]': { 'admin-state': 'enable', name: 'system0' },
    });
  });

  it('drops empty containers and lists', () => {
    expect(canonicalizeAt({ name: 'x', subinterface: [], ipv4: {} }, '/interface[name=x]')).toEqual({ name: 'x' });
  });
});

describe('checksum', () => {
  const config = renderConfig(labIntent('spine01'));

  it('is the same for the same config with members, list entries and paths in another order', () => {
    const reordered = Object.fromEntries(
      Object.entries(config)
        .reverse()
        .map(([path, value]) => [path, reverseEverything(value)]),
    );
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(config));
    expect(checksum(reordered)).toBe(checksum(config));
    expect(checksum(config)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same with and without module prefixes', () => {
    const unprefixed = JSON.parse(JSON.stringify(config).replace(/srl_nokia-[a-z-]+:/g, ''));
    expect(checksum(unprefixed)).toBe(checksum(config));
  });

  it('changes when a value changes, and when a policy chain is reordered', () => {
    const changed = structuredClone(config) as Record<string, any>;
    changed['/interface[name=ethernet-1/1]'].mtu = 9000;
    expect(checksum(changed)).not.toBe(checksum(config));
    const chain = structuredClone(config) as Record<string, any>;
    chain['/network-instance[name=default]'].protocols['srl_nokia-bgp:bgp'].group[0]['export-policy'] = ['a', 'b'];
    const chainSwapped = structuredClone(chain);
    chainSwapped['/network-instance[name=default]'].protocols['srl_nokia-bgp:bgp'].group[0]['export-policy'] = ['b', 'a'];
    expect(checksum(chainSwapped)).not.toBe(checksum(chain));
  });
});

/** Member order and every array reversed, except the ordered-by-user policy chains. */
function reverseEverything(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => reverseEverything(v));
    return name.endsWith('-policy') ? items : items.reverse();
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseEverything(v, k)]),
    );
  }
  return value;
}
