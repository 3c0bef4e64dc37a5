import { initialConfig, referenceLab } from '@synapse/lab';
import { deployOperations, diffConfigs, isEmptyDiff, managedScope, managedView, renderConfig } from '../src';
import { editableIntent, labIntent } from './lab';

/** A running config as Get CONFIG at `/` in JSON_IETF returns it: the lab's management base plus the deployed fabric config. */
function runningWith(config: Record<string, any>, device: 'leaf01' | 'leaf02' | 'spine01'): Record<string, any> {
  const base = structuredClone(initialConfig(referenceLab(), device)) as Record<string, any>;
  const paths = Object.keys(config);
  base['srl_nokia-interfaces:interface'].push(...paths.filter((p) => p.startsWith('/interface')).map((p) => config[p]));
  base['srl_nokia-network-instance:network-instance'].push(config['/network-instance[name=default]']);
  base['srl_nokia-routing-policy:routing-policy'] = {
    'prefix-set': [{ name: 'operator-owned', prefix: [{ 'ip-prefix': '10.9.0.0/16', 'mask-length-range': 'exact' }] }],
    policy: paths.filter((p) => p.startsWith('/routing-policy')).map((p) => config[p]),
  };
  return base;
}

describe('managedView: the managed subtrees of a full running config', () => {
  const intent = labIntent('leaf01');
  const rendered = renderConfig(intent);
  const running = runningWith(rendered, 'leaf01');

  it('holds exactly the rendered paths: no mgmt0, no mgmt network-instance, no system, no prefix-sets', () => {
    const view = managedView(running, managedScope(intent));
    expect(Object.keys(view).sort()).toEqual(Object.keys(rendered).sort());
    expect(view['/interface[name=ethernet-1/49]']).toBe(running['srl_nokia-interfaces:interface'][1]);
    expect(isEmptyDiff(diffConfigs(rendered, view))).toBe(true);
  });

  it('finds the same entries in an unprefixed (JSON-encoded) document', () => {
    const unprefixed = JSON.parse(JSON.stringify(running).replace(/srl_nokia-[a-z-]+:/g, ''));
    expect(Object.keys(managedView(unprefixed)).sort()).toEqual(Object.keys(rendered).sort());
  });

  it('shows an interface configured out of band as drift, but never mgmt0', () => {
    const drifted = structuredClone(running);
    drifted['srl_nokia-interfaces:interface'].push({ name: 'ethernet-1/7', 'admin-state': 'enable' });
    drifted['srl_nokia-interfaces:interface'][0].description = 'changed by hand';
    const diff = diffConfigs(rendered, managedView(drifted, managedScope(intent)));
    expect(diff).toEqual({ added: [], changed: [], removed: [{ path: '/interface[name=ethernet-1/7]', value: { name: 'ethernet-1/7', 'admin-state': 'enable' } }] });
  });

  it('an exclusion inside an entry prunes just that part', () => {
    const view = managedView(running, { include: ['/network-instance[name=default]'], exclude: ['/network-instance[name=*]/protocols'] });
    expect(Object.keys(view)).toEqual(['/network-instance[name=default]']);
    expect(view['/network-instance[name=default]']).not.toHaveProperty('protocols');
    expect(running['srl_nokia-network-instance:network-instance'][1]).toHaveProperty('protocols');
  });
});

describe('deployOperations: one Set that makes the managed scope equal the rendered config', () => {
  it('replaces every rendered path and deletes nothing on a device that has only management config', () => {
    const rendered = renderConfig(labIntent('leaf02'));
    const ops = deployOperations(rendered, managedView(initialConfig(referenceLab(), 'leaf02')));
    expect(ops.delete).toEqual([]);
    expect(ops.replace).toEqual(Object.entries(rendered).map(([path, value]) => ({ path, value })));
  });

  it('deletes managed entries the intent no longer has, and never mgmt0', () => {
    const before = renderConfig(labIntent('leaf02'));
    const intent = editableIntent('leaf02');
    intent.interfaces = intent.interfaces.filter((i) => i.name !== 'ethernet-1/50');
    intent.bgp!.neighbors = intent.bgp!.neighbors!.filter((n) => n.peerAddress !== '10.0.0.6');
    intent.routingPolicies = intent.routingPolicies!.filter((p) => p.name !== 'underlay-import');
    intent.bgp!.groups![0].importPolicies = [];
    const ops = deployOperations(renderConfig(intent), managedView(runningWith(before, 'leaf02'), managedScope(intent)));
    expect(ops.delete).toEqual(['/interface[name=ethernet-1/50]', '/routing-policy/policy[name=underlay-import]']);
  });
});
