import type { ManagedConfig } from '@synapse/contracts';
import { brownfieldLab, deviceIntent, initialConfig, LEGACY_IMPORT_POLICY, referenceLab, ROUTE_SERVER } from '@synapse/lab';
import {
  deployOperations,
  diffConfigs,
  ownershipScope,
  ownedView,
  planChange,
  renderConfig,
  restoreOperations,
  staleDeletions,
  touchedBy,
  touchedDifferences,
  touchedView,
} from '../src';
import { editableIntent, labIntent } from './lab';

const NI = '/network-instance[name=default]';
const BGP = `${NI}/protocols/bgp`;
const brownfield = brownfieldLab(referenceLab());
const brownIntent = deviceIntent(brownfield, 'leaf01');
const brownRunning = initialConfig(brownfield, 'leaf01') as Record<string, any>;
const brownConfig = renderConfig(brownIntent);
const brownScope = ownershipScope(brownIntent);

/** The reference lab's leaf as a greenfield device looks once Synapse deployed it: management plus the rendered config. */
function deployedGreenfield(device: 'leaf01' | 'leaf02', config: ManagedConfig): Record<string, any> {
  const base = structuredClone(initialConfig(referenceLab(), device)) as Record<string, any>;
  const entries = (prefix: string) => Object.entries(config).filter(([p]) => p.startsWith(prefix)).map(([, v]) => structuredClone(v));
  base['srl_nokia-interfaces:interface'].push(...entries('/interface'));
  base['srl_nokia-network-instance:network-instance'].push(structuredClone(config[NI]));
  base['srl_nokia-routing-policy:routing-policy'] = { 'prefix-set': entries('/routing-policy/prefix-set'), policy: entries('/routing-policy/policy') };
  return base;
}

describe('the plan on a brownfield device: what Synapse owns, and nothing else', () => {
  const plan = planChange({ running: brownRunning, config: brownConfig, scope: brownScope });

  it('changes exactly the owned leaves that differ: descriptions, MTUs, and the accept-all export policy', () => {
    expect(plan.diff.changed.map((c) => c.path)).toEqual([
      '/interface[name=ethernet-1/49]/description',
      '/interface[name=ethernet-1/49]/mtu',
      '/interface[name=ethernet-1/50]/description',
      '/interface[name=ethernet-1/50]/mtu',
      `${BGP}/neighbor[peer-address=10.0.0.0]/description`,
      `${BGP}/neighbor[peer-address=10.0.0.4]/description`,
      '/routing-policy/policy[name=export-loopbacks]/default-action/policy-result',
    ]);
    expect(plan.diff.added.map((a) => a.path)).toEqual(['/routing-policy/policy[name=export-loopbacks]/statement[name=loopbacks]']);
    expect(plan.diff.removed).toEqual([]);
    expect(plan.deletions).toEqual([]);
    expect(plan.missingPolicies).toEqual([]);
  });

  it('counts and names what it does not own, and none of it is in the diff', () => {
    expect(plan.unmanaged.paths).toEqual(
      expect.arrayContaining([
        '/acl',
        '/system',
        '/interface[name=lag1]',
        '/interface[name=lo0]',
        '/interface[name=mgmt0]',
        '/interface[name=ethernet-1/128]',
        '/interface[name=ethernet-1/49]/ethernet',
        '/interface[name=ethernet-1/49]/transceiver',
        '/interface[name=ethernet-1/49]/subinterface[index=0]/ipv6',
        `${BGP}/neighbor[peer-address=${ROUTE_SERVER.address}]`,
        `${BGP}/afi-safi[afi-safi-name=ipv6-unicast]`,
        `/routing-policy/policy[name=${LEGACY_IMPORT_POLICY}]`,
        '/network-instance[name=mgmt]',
      ]),
    );
    expect(plan.unmanaged.count).toBe(plan.unmanaged.paths.length);
    const everything = JSON.stringify(plan.diff);
    for (const foreign of ['ipv6', 'port-speed', 'lag1', 'acl', ROUTE_SERVER.address, LEGACY_IMPORT_POLICY, 'ethernet-1/128']) expect(everything).not.toContain(foreign);
  });

  it('reads the same from an unprefixed (JSON-encoded) document', () => {
    const unprefixed = JSON.parse(JSON.stringify(brownRunning).replace(/srl_nokia-[a-z-]+:/g, ''));
    expect(planChange({ running: unprefixed, config: brownConfig, scope: brownScope }).diff).toEqual(plan.diff);
  });

  it('names a policy the intent needs from the device when the device lacks it', () => {
    const without = structuredClone(brownRunning);
    const policies = without['srl_nokia-routing-policy:routing-policy'].policy as Array<{ name: string }>;
    without['srl_nokia-routing-policy:routing-policy'].policy = policies.filter((p) => p.name !== LEGACY_IMPORT_POLICY);
    expect(planChange({ running: without, config: brownConfig, scope: brownScope }).missingPolicies).toEqual([
      { group: 'underlay', direction: 'import', policy: LEGACY_IMPORT_POLICY },
    ]);
  });

  it('the owned view of the running config holds only owned leaves', () => {
    const view = ownedView(brownRunning, brownConfig) as Record<string, any>;
    const port = view.interface.find((i: { name: string }) => i.name === 'ethernet-1/49');
    expect(Object.keys(port).sort()).toEqual(['admin-state', 'description', 'mtu', 'name', 'subinterface']);
    expect(Object.keys(port.subinterface[0]).sort()).toEqual(['admin-state', 'index', 'ipv4']);
    expect(view.interface.map((i: { name: string }) => i.name)).toEqual(['ethernet-1/49', 'ethernet-1/50', 'system0']);
  });
});

describe('deployOperations: one Set of what the change owns', () => {
  const ops = deployOperations({ config: brownConfig, delete: ['/interface[name=ethernet-1/7]/description'] });

  it('merges each entry, replaces leaf-lists and wholly owned policies and prefix sets, deletes first', () => {
    expect(ops.delete).toEqual(['/interface[name=ethernet-1/7]/description']);
    expect(ops.update.map((u) => u.path)).toEqual(['/interface[name=ethernet-1/49]', '/interface[name=ethernet-1/50]', '/interface[name=system0]', NI]);
    expect(ops.replace.map((r) => r.path)).toEqual([
      `${BGP}/group[group-name=underlay]/export-policy`,
      `${BGP}/group[group-name=underlay]/import-policy`,
      '/routing-policy/prefix-set[name=loopbacks]',
      '/routing-policy/policy[name=export-loopbacks]',
    ]);
    expect(ops.replace[1].value).toEqual([LEGACY_IMPORT_POLICY]);
    const niMerge = ops.update[3].value as Record<string, any>;
    expect(niMerge.protocols['srl_nokia-bgp:bgp'].group).toEqual([{ 'group-name': 'underlay', 'admin-state': 'enable' }]);
  });

  it('never writes anything Synapse does not own', () => {
    const written = JSON.stringify(ops);
    for (const foreign of ['mgmt', 'lag1', 'lo0', 'ipv6', 'port-speed', 'transceiver', 'acl', 'ethernet-1/128', 'route-servers', ROUTE_SERVER.address, 'customer']) {
      expect({ foreign, written: written.includes(foreign) }).toEqual({ foreign, written: false });
    }
    // The device's own import policy is only named, as the group's chain, never written as a policy.
    expect(ops.replace.filter((r) => JSON.stringify(r).includes(LEGACY_IMPORT_POLICY)).map((r) => r.path)).toEqual([`${BGP}/group[group-name=underlay]/import-policy`]);
  });

  it('passes an emergency patch through in the same Set', () => {
    const patch = deployOperations({ update: [{ path: '/interface[name=ethernet-1/49]/admin-state', value: 'disable' }], delete: ['/interface[name=ethernet-1/50]/description'] });
    expect(patch).toEqual({
      delete: ['/interface[name=ethernet-1/50]/description'],
      replace: [],
      update: [{ path: '/interface[name=ethernet-1/49]/admin-state', value: 'disable' }],
    });
  });
});

describe('staleDeletions: only what Synapse owned before and the intent dropped', () => {
  const before = renderConfig(labIntent('leaf01'));
  const dropped = editableIntent('leaf01');
  dropped.interfaces = dropped.interfaces.filter((i) => i.name !== 'ethernet-1/50');
  dropped.bgp!.neighbors = dropped.bgp!.neighbors!.filter((n) => n.peerAddress !== '10.0.0.4');
  dropped.interfaces[0].description = undefined;
  const after = renderConfig(dropped);

  it('deletes nothing without an ownership record, however much the device holds', () => {
    expect(staleDeletions(deployedGreenfield('leaf01', before), undefined, after, ownershipScope(dropped))).toEqual([]);
  });

  it('deletes a dropped entry whole when it holds only what Synapse owned, and a dropped leaf on its own', () => {
    expect(staleDeletions(deployedGreenfield('leaf01', before), before, after, ownershipScope(dropped))).toEqual([
      '/interface[name=ethernet-1/49]/description',
      '/interface[name=ethernet-1/50]',
      `${NI}/interface[name=ethernet-1/50.0]`,
      `${BGP}/neighbor[peer-address=10.0.0.4]`,
    ]);
  });

  it('keeps what someone else put inside a dropped entry: only Synapse’s leaves go', () => {
    const brownDropped = structuredClone(brownIntent) as typeof brownIntent;
    brownDropped.interfaces = brownDropped.interfaces.filter((i) => i.name !== 'ethernet-1/50');
    const stale = staleDeletions(brownRunning, brownConfig, renderConfig(brownDropped), ownershipScope(brownDropped));
    expect(stale).toContain('/interface[name=ethernet-1/50]/mtu');
    expect(stale).toContain('/interface[name=ethernet-1/50]/subinterface[index=0]/ipv4/address[ip-prefix=10.0.0.5/31]');
    expect(stale).not.toContain('/interface[name=ethernet-1/50]');
    expect(stale.some((p) => p.includes('ipv6') || p.includes('ethernet-1/50]/ethernet') || p.includes('transceiver'))).toBe(false);
  });

  it('never deletes a port that became a management port, nor its membership, whatever the record says', () => {
    const managed = editableIntent('leaf01');
    managed.interfaces = managed.interfaces.map((i) => (i.name === 'ethernet-1/50' ? { ...i, role: 'management' as const } : i));
    managed.bgp!.neighbors = managed.bgp!.neighbors!.filter((n) => n.peerAddress !== '10.0.0.4');
    const stale = staleDeletions(deployedGreenfield('leaf01', before), before, renderConfig(managed), ownershipScope(managed));
    expect(stale.filter((p) => p.includes('ethernet-1/50'))).toEqual([]);
    expect(stale).toEqual([`${BGP}/neighbor[peer-address=10.0.0.4]`]);
  });

  it('does not delete again what is already gone from the device', () => {
    const running = deployedGreenfield('leaf01', before);
    running['srl_nokia-interfaces:interface'] = running['srl_nokia-interfaces:interface'].filter((i: { name: string }) => i.name !== 'ethernet-1/50');
    expect(staleDeletions(running, before, after, ownershipScope(dropped))).not.toContain('/interface[name=ethernet-1/50]');
  });
});

describe('restoreOperations: the backup’s values back on exactly the touched paths', () => {
  it('puts back old owned values as the device returned them, deletes what the change added, and touches nothing else', () => {
    const touched = touchedBy({ config: brownConfig });
    const ops = restoreOperations(brownRunning, touched);
    const byPath = new Map(ops.replace.map((r) => [r.path, r.value]));
    expect(byPath.get('/interface[name=ethernet-1/49]/mtu')).toBe(9000);
    expect(byPath.get('/interface[name=ethernet-1/49]/description')).toBe('legacy uplink spine01');
    expect(byPath.get('/routing-policy/policy[name=export-loopbacks]')).toEqual({ name: 'export-loopbacks', 'default-action': { 'policy-result': 'accept' } });
    expect(ops.delete).toEqual([]);
    const written = JSON.stringify(ops);
    for (const foreign of ['ipv6', 'port-speed', 'lag1', 'acl', 'mgmt']) expect(written).not.toContain(foreign);
  });

  it('deletes entries the change created on a greenfield device', () => {
    const config = renderConfig(labIntent('leaf02'));
    const ops = restoreOperations(initialConfig(referenceLab(), 'leaf02'), touchedBy({ config }));
    expect(ops.delete).toEqual(expect.arrayContaining(['/interface[name=ethernet-1/49]', '/interface[name=system0]', '/routing-policy/policy[name=export-loopbacks]']));
    expect(ops.replace.filter((r) => !r.path.startsWith(NI))).toEqual([]);
  });

  it('compares only the touched paths: equal to itself, different where the change wrote', () => {
    const touched = touchedBy({ config: brownConfig, update: [{ path: '/interface[name=lo0]/description', value: 'x' }] });
    const expected = touchedView(brownRunning, touched);
    expect(touchedDifferences(expected, touchedView(structuredClone(brownRunning), touched))).toEqual([]);
    const changed = structuredClone(brownRunning);
    changed['srl_nokia-interfaces:interface'].find((i: { name: string }) => i.name === 'ethernet-1/49').mtu = 9214;
    changed['srl_nokia-interfaces:interface'].find((i: { name: string }) => i.name === 'lag1').mtu = 1500;
    expect(touchedDifferences(expected, touchedView(changed, touched))).toEqual(['/interface[name=ethernet-1/49]/mtu']);
    changed['srl_nokia-interfaces:interface'].find((i: { name: string }) => i.name === 'lo0').description = 'moved';
    expect(touchedDifferences(expected, touchedView(changed, touched))).toEqual(['/interface[name=ethernet-1/49]/mtu', '/interface[name=lo0]/description']);
    expect(diffConfigs({}, {}).added).toEqual([]);
  });
});
