import { breakoutParent, interfaceKind, parseSubinterfaceName } from '../src/interface-names';

/** srl_nokia-common's interface-all and subinterface-all patterns, SR Linux 25.3. */
describe('interface names', () => {
  it.each([
    ['ethernet-1/1', 'ethernet'],
    ['ethernet-99/128', 'ethernet'],
    ['ethernet-1/119', 'ethernet'],
    ['ethernet-1/5/1', 'ethernet'],
    ['ethernet-1/m1/3', 'ethernet'],
    ['ethernet-1/m6/99/128', 'ethernet'],
    ['mgmt0', 'mgmt'],
    ['mgmt0-standby', 'mgmt'],
    ['system0', 'system'],
    ['sync0', 'sync'],
    ['lo0', 'loopback'],
    ['lo255', 'loopback'],
    ['irb0', 'irb'],
    ['irb255', 'irb'],
    ['lag1', 'lag'],
    ['lag1000', 'lag'],
  ])('accepts %s as %s', (name, kind) => {
    expect(interfaceKind(name)).toBe(kind);
  });

  it.each([
    'ethernet-1/200',
    'ethernet-1/129',
    'ethernet-100/1',
    'ethernet-0/1',
    'ethernet-01/1',
    'ethernet-1/01',
    'ethernet-1/m0/1',
    'ethernet-1/m7/1',
    'ethernet-1/100/1',
    'ethernet-1/1/1/1',
    'ethernet-1',
    'lag0',
    'lag1001',
    'lag01',
    'lo256',
    'lo00',
    'irb256',
    'mgmt1',
    'system1',
    'eth1',
    'loopback0',
    'Ethernet-1/1',
  ])('refuses %s', (name) => {
    expect(interfaceKind(name)).toBeUndefined();
  });

  it('names the connector a breakout port belongs to, and nothing for other ports', () => {
    expect(breakoutParent('ethernet-1/5/1')).toEqual({ parent: 'ethernet-1/5', index: 1 });
    expect(breakoutParent('ethernet-2/m3/7/4')).toEqual({ parent: 'ethernet-2/m3/7', index: 4 });
    expect(breakoutParent('ethernet-1/5')).toBeUndefined();
    expect(breakoutParent('ethernet-1/m1/5')).toBeUndefined();
    expect(breakoutParent('lag1')).toBeUndefined();
  });

  it('parses subinterface names: index 0..9999 without leading zeros, only .0 on mgmt0, system0 and sync0', () => {
    expect(parseSubinterfaceName('ethernet-1/5/1.10')).toEqual({ interface: 'ethernet-1/5/1', index: 10 });
    expect(parseSubinterfaceName('lag1.9999')).toEqual({ interface: 'lag1', index: 9999 });
    expect(parseSubinterfaceName('irb0.100')).toEqual({ interface: 'irb0', index: 100 });
    expect(parseSubinterfaceName('mgmt0.0')).toEqual({ interface: 'mgmt0', index: 0 });
    for (const name of ['mgmt0.1', 'system0.1', 'sync0.2', 'mgmt0-standby.0', 'lag1.10000', 'lag1.01', 'ethernet-1/1', 'eth1.0', 'ethernet-1/200.0']) {
      expect([name, parseSubinterfaceName(name)]).toEqual([name, undefined]);
    }
  });
});
