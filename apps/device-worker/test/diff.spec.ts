import type { BackupRef } from '@synapse/contracts';
import { arrangeDeployed, failureOf, rendered, resultOf, runActivity, startTestLab, type TestLab } from './lab';

async function backUp(lab: TestLab, changeId: string): Promise<BackupRef> {
  return resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId }]));
}

describe('diffConfig: the plan, rendered config against the backup just taken', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab();
  });

  afterEach(async () => {
    await lab.stop();
  });

  it('on a fresh device everything rendered is to be added', async () => {
    const backup = await backUp(lab, 'chg-1');
    const result = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: rendered('leaf01') }]));
    expect(result.inSync).toBe(false);
    expect(result.diff.changed).toEqual([]);
    expect(result.diff.removed).toEqual([]);
    expect(result.diff.added.map((a) => a.path)).toEqual(expect.arrayContaining(['/interface[name=ethernet-1/49]', '/interface[name=system0]']));
    expect(result.summary).toMatch(new RegExp(`^0 changed, ${result.diff.added.length} added, 0 removed: `));
  });

  it('once deployed the device is in sync, although the device qualifies names with their modules and the renderer does not', async () => {
    await arrangeDeployed(lab, 'leaf01');
    await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'outside the rendered paths' }] });
    const backup = await backUp(lab, 'chg-2');
    const result = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: rendered('leaf01') }]));
    expect(result).toEqual({ device: 'leaf01', diff: { added: [], removed: [], changed: [] }, stalePaths: [], summary: '0 changed, 0 added, 0 removed', inSync: true });
  });

  it('shows a changed leaf with before and after, and a removal inside a replaced subtree', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const backup = await backUp(lab, 'chg-3');
    const config = rendered('leaf01');
    const uplink = structuredClone(config['/interface[name=ethernet-1/49]']) as Record<string, unknown>;
    uplink.mtu = 1500;
    delete uplink.description;
    const result = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: { ...config, '/interface[name=ethernet-1/49]': uplink } }]));
    expect(result.inSync).toBe(false);
    expect(result.diff.changed).toEqual([{ path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 }]);
    expect(result.diff.removed).toEqual([{ path: '/interface[name=ethernet-1/49]/description', value: expect.any(String) }]);
    expect(result.summary).toMatch(/^1 changed, 0 added, 1 removed: \/interface\[name=ethernet-1\/49\]\/mtu 9214 -> 1500/);
  });

  it('plans the removal of an interface the intent no longer has, and the deploy removes it in the same Set', async () => {
    await arrangeDeployed(lab, 'leaf01');
    // The intent drops the second uplink: its interface and its network-instance membership.
    const config = rendered('leaf01');
    delete config['/interface[name=ethernet-1/50]'];
    const instance = structuredClone(config['/network-instance[name=default]']) as { interface: { name: string }[]; protocols: Record<string, { neighbor: { 'peer-address': string }[] }> };
    instance.interface = instance.interface.filter((i) => i.name !== 'ethernet-1/50.0');
    const bgp = Object.values(instance.protocols)[0];
    bgp.neighbor = bgp.neighbor.filter((n) => n['peer-address'] !== '10.0.0.4');
    config['/network-instance[name=default]'] = instance;

    const backup = await backUp(lab, 'chg-5');
    const plan = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config }]));
    expect(plan.stalePaths).toEqual(['/interface[name=ethernet-1/50]']);
    expect(plan.diff.removed.map((r) => r.path)).toContain('/interface[name=ethernet-1/50]');
    expect(plan.inSync).toBe(false);

    const deployed = resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-5', config, delete: plan.stalePaths }]));
    expect(deployed.deletedPaths).toEqual(['/interface[name=ethernet-1/50]']);
    const names = (lab.sim.runningConfig('leaf01') as { interface: { name: string }[] }).interface.map((i) => i.name);
    expect(names).not.toContain('ethernet-1/50');
    expect(names).toEqual(expect.arrayContaining(['mgmt0', 'ethernet-1/49', 'system0']));
  });

  it('refuses a backup that does not match its reference instead of planning against unknown bytes', async () => {
    const backup = await backUp(lab, 'chg-4');
    const failure = failureOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup: { ...backup, sizeBytes: backup.sizeBytes + 1 }, config: rendered('leaf01') }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('stored bytes do not match the backup reference');
  });
});
