import { formatPath, joinPaths, parsePath, PathSyntaxError } from './path';

describe('gNMI path codec', () => {
  it('parses keys whose values hold slashes', () => {
    expect(parsePath('/interface[name=ethernet-1/1]/subinterface[index=0]/ipv4')).toEqual({
      elem: [{ name: 'interface', key: { name: 'ethernet-1/1' } }, { name: 'subinterface', key: { index: '0' } }, { name: 'ipv4' }],
    });
  });

  it('parses several keys, an origin and module-qualified names', () => {
    const path = parsePath('openconfig:/network-instances/network-instance[name=default]/protocols/protocol[identifier=BGP][name=bgp]');
    expect(path.origin).toBe('openconfig');
    expect(path.elem[3]).toEqual({ name: 'protocol', key: { identifier: 'BGP', name: 'bgp' } });
    expect(parsePath('/srl_nokia-interfaces:interface[name=mgmt0]').elem[0].name).toBe('srl_nokia-interfaces:interface');
  });

  it('treats "/" and "" as the root', () => {
    expect(parsePath('/')).toEqual({ elem: [] });
    expect(parsePath('')).toEqual({ elem: [] });
    expect(formatPath({ elem: [] })).toBe('/');
  });

  it('round-trips escaped brackets and sorts keys', () => {
    const text = '/a[z=1][b=x\\]y]/c';
    const parsed = parsePath(text);
    expect(parsed.elem[0].key).toEqual({ z: '1', b: 'x]y' });
    expect(formatPath(parsed)).toBe('/a[b=x\\]y][z=1]/c');
    expect(parsePath(formatPath(parsed))).toEqual(parsed);
  });

  it.each([
    ['interface', /starts with "\/"/],
    ['/a[name]', /needs name=value/],
    ['/a[name=x', /unclosed/],
    ['/a//b', /empty element name/],
    ['/a[k=v]b', /expected "\/"/],
  ])('rejects %s with a position and reason', (text, reason) => {
    expect(() => parsePath(text)).toThrow(PathSyntaxError);
    expect(() => parsePath(text)).toThrow(reason);
  });

  it('joins a prefix and a path', () => {
    expect(formatPath(joinPaths(parsePath('/network-instance[name=default]'), parsePath('/protocols/bgp')))).toBe(
      '/network-instance[name=default]/protocols/bgp',
    );
  });
});
