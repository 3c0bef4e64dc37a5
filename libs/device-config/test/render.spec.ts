import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedState, isProtectedPath, ownershipScope, renderConfig } from '../src';
import { parsePath } from '@synapse/gnmi-client';
import { editableIntent, LAB_DEVICES, labIntent } from './lab';

/**
 * Golden files pin the exact documents a deploy sends. After an intended
 * change to the renderer or the lab, regenerate them and review the diff:
 *   cd libs/device-config && UPDATE_GOLDEN=1 npx jest test/render.spec.ts
 */
const GOLDEN_DIR = join(__dirname, 'golden');
const updating = process.env.UPDATE_GOLDEN === '1';

describe('renderConfig: the reference lab', () => {
  it.each(LAB_DEVICES)('%s renders exactly its golden config', (device) => {
    const text = `${JSON.stringify(renderConfig(labIntent(device)), null, 2)}\n`;
    const file = join(GOLDEN_DIR, `${device}.json`);
    if (updating) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('emits one entry per interface, the default network-instance, and each prefix set and policy the intent defines', () => {
    const config = renderConfig(labIntent('leaf01'));
    expect(Object.keys(config)).toEqual([
      '/interface[name=ethernet-1/49]',
      '/interface[name=ethernet-1/50]',
      '/interface[name=system0]',
      '/network-instance[name=default]',
      '/routing-policy/prefix-set[name=loopbacks]',
      '/routing-policy/policy[name=export-loopbacks]',
      '/routing-policy/policy[name=import-loopbacks]',
    ]);
    const scope = ownershipScope(labIntent('leaf01'));
    for (const path of Object.keys(config)) expect(isProtectedPath(parsePath(path).elem, scope)).toBe(false);
  });

  it('renders a defined policy as 25.3 has it: statements in order, prefix sets matched through the prefix container, protocols as identities', () => {
    const intent = editableIntent('leaf01');
    intent.routingPolicies![0].statements!.push({ name: 'statics', match: { protocol: 'static' }, action: 'reject' });
    const config = renderConfig(intent);
    expect(config['/routing-policy/policy[name=export-loopbacks]']).toEqual({
      name: 'export-loopbacks',
      'default-action': { 'policy-result': 'reject' },
      statement: [
        { name: 'loopbacks', match: { prefix: { 'prefix-set': 'loopbacks' } }, action: { 'policy-result': 'accept' } },
        { name: 'statics', match: { protocol: 'srl_nokia-common:static' }, action: { 'policy-result': 'reject' } },
      ],
    });
    expect(config['/routing-policy/prefix-set[name=loopbacks]']).toEqual({ name: 'loopbacks', prefix: [{ 'ip-prefix': '10.1.0.0/16', 'mask-length-range': '32..32' }] });
  });

  it('never renders a policy the peer group only names: it is required on the device instead', () => {
    const intent = editableIntent('leaf01');
    intent.bgp!.groups![0].importPolicies = ['operator-import'];
    intent.routingPolicies = intent.routingPolicies!.filter((p) => p.name !== 'import-loopbacks');
    const config = renderConfig(intent);
    expect(Object.keys(config).filter((p) => p.includes('operator-import'))).toEqual([]);
    expect(ownershipScope(labIntent('leaf01')).requiredPolicies).toEqual([]);
    expect(ownershipScope({ ...labIntent('leaf01'), bgp: { ...labIntent('leaf01').bgp!, groups: [{ name: 'underlay', importPolicies: ['operator-import'], exportPolicies: ['export-loopbacks'] }] } }).requiredPolicies).toEqual([
      { group: 'underlay', direction: 'import', policy: 'operator-import' },
    ]);
  });

  it('writes SR Linux JSON_IETF: qualified augmentation and identities, subinterfaces as network-instance members, policy chains as leaf-lists', () => {
    const ni = renderConfig(labIntent('spine01'))['/network-instance[name=default]'] as Record<string, any>;
    expect(ni.type).toBe('srl_nokia-network-instance:default');
    expect(ni.interface.map((i: { name: string }) => i.name)).toEqual(['ethernet-1/1.0', 'ethernet-1/2.0', 'ethernet-1/3.0', 'ethernet-1/4.0', 'system0.0']);
    expect(Object.keys(ni.protocols)).toEqual(['srl_nokia-bgp:bgp']);
    const bgp = ni.protocols['srl_nokia-bgp:bgp'];
    expect(bgp['afi-safi']).toEqual([{ 'afi-safi-name': 'srl_nokia-common:ipv4-unicast', 'admin-state': 'enable' }]);
    expect(bgp.group).toEqual([{ 'group-name': 'underlay', 'admin-state': 'enable', 'export-policy': ['export-loopbacks'], 'import-policy': ['import-loopbacks'] }]);
    expect(bgp.neighbor[0]).toEqual({ 'peer-address': '10.0.0.1', 'peer-as': 65001, 'peer-group': 'underlay', 'admin-state': 'enable', description: 'to leaf01 ethernet-1/49' });
  });

  it('never renders the management port, even when the intent lists it, and keeps it out of the scope', () => {
    const intent = editableIntent('leaf02');
    intent.interfaces.push({ name: 'mgmt0', role: 'management', ipv4Addresses: ['172.20.20.3/24'] });
    const config = renderConfig(intent);
    expect(Object.keys(config).filter((p) => p.includes('mgmt'))).toEqual([]);
    expect(JSON.stringify(config)).not.toContain('mgmt0');
    expect(isProtectedPath(parsePath('/interface[name=mgmt0]').elem, ownershipScope(intent))).toBe(true);
    expect(isProtectedPath(parsePath('/interface[name=mgmt0-standby]').elem, ownershipScope(intent))).toBe(true);
    expect(isProtectedPath(parsePath('/network-instance[name=mgmt]').elem, ownershipScope(intent))).toBe(true);
  });

  it('an interface the intent reserves for management is neither rendered nor ever touched, nor its memberships', () => {
    const intent = editableIntent('leaf02');
    intent.interfaces.push({ name: 'ethernet-1/48', role: 'management', ipv4Addresses: ['192.168.0.2/24'] });
    expect(renderConfig(intent)).not.toHaveProperty(['/interface[name=ethernet-1/48]']);
    const scope = ownershipScope(intent);
    expect(scope.protectedInterfaces).toEqual(['ethernet-1/48']);
    expect(isProtectedPath(parsePath('/interface[name=ethernet-1/48]/description').elem, scope)).toBe(true);
    expect(isProtectedPath(parsePath('/network-instance[name=default]/interface[name=ethernet-1/48.0]').elem, scope)).toBe(true);
    expect(isProtectedPath(parsePath('/interface[name=ethernet-1/47]').elem, scope)).toBe(false);
  });

  it('a disabled interface renders admin-state disable and an interface without addresses gets no subinterface', () => {
    const intent = editableIntent('leaf01');
    intent.interfaces[0].enabled = false;
    intent.interfaces.push({ name: 'ethernet-1/10', mtu: 1500 });
    const config = renderConfig(intent);
    expect(config['/interface[name=ethernet-1/49]']).toMatchObject({ 'admin-state': 'disable' });
    expect(config['/interface[name=ethernet-1/10]']).toEqual({ name: 'ethernet-1/10', 'admin-state': 'enable', mtu: 1500 });
    const ni = config['/network-instance[name=default]'] as { interface: { name: string }[] };
    expect(ni.interface.map((i) => i.name)).not.toContain('ethernet-1/10.0');
  });

  it('without BGP in the intent the default network-instance renders no protocols (and so owns no BGP)', () => {
    const intent = editableIntent('leaf01');
    delete intent.bgp;
    intent.routingPolicies = [];
    intent.prefixSets = [];
    const config = renderConfig(intent);
    expect(config['/network-instance[name=default]']).not.toHaveProperty('protocols');
    expect(Object.keys(config).some((p) => p.startsWith('/routing-policy'))).toBe(false);
  });
});

describe('expectedState', () => {
  it('expects every neighbor established with its AS and every configured interface up', () => {
    expect(expectedState(labIntent('leaf01'))).toEqual({
      neighbors: [
        { peerAddress: '10.0.0.0', peerAs: 65000 },
        { peerAddress: '10.0.0.4', peerAs: 65000 },
      ],
      interfaces: [
        { name: 'ethernet-1/49', adminState: 'enable', operState: 'up' },
        { name: 'ethernet-1/50', adminState: 'enable', operState: 'up' },
        { name: 'system0', adminState: 'enable', operState: 'up' },
      ],
    });
  });

  it('expects a disabled interface down, and nothing of management interfaces or absent BGP', () => {
    const intent = editableIntent('leaf02');
    intent.interfaces[1].enabled = false;
    intent.interfaces.push({ name: 'mgmt0', role: 'management' });
    delete intent.bgp;
    intent.routingPolicies = [];
    const expected = expectedState(intent);
    expect(expected.neighbors).toEqual([]);
    expect(expected.interfaces).toEqual([
      { name: 'ethernet-1/49', adminState: 'enable', operState: 'up' },
      { name: 'ethernet-1/50', adminState: 'disable', operState: 'down' },
      { name: 'system0', adminState: 'enable', operState: 'up' },
    ]);
  });
});
