import type { BackupRef, ManagedConfig } from '@synapse/contracts';
import { ownershipScope } from '@synapse/device-config';
import { brownfieldLab, deviceIntent, LEGACY_IMPORT_POLICY, referenceLab } from '@synapse/lab';
import { arrangeDeployed, failureOf, rendered, resultOf, runActivity, startTestLab, type TestLab } from './lab';

async function backUp(lab: TestLab, changeId: string): Promise<BackupRef> {
  return resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId }]));
}

/** What a confirmed deploy of `config` leaves behind: the device's ownership record. */
async function recordOwned(lab: TestLab, config: ManagedConfig): Promise<void> {
  resultOf(await runActivity(lab.activities.recordOwnership, [{ device: 'leaf01', changeId: 'chg-earlier', workflowId: 'device/leaf01', config }]));
}

/** leaf01's lab intent without its second uplink (interface, membership, neighbor). */
function withoutSecondUplink(): ManagedConfig {
  const config = rendered('leaf01');
  delete config['/interface[name=ethernet-1/50]'];
  const instance = structuredClone(config['/network-instance[name=default]']) as { interface: { name: string }[]; protocols: Record<string, { neighbor: { 'peer-address': string }[] }> };
  instance.interface = instance.interface.filter((i) => i.name !== 'ethernet-1/50.0');
  const bgp = Object.values(instance.protocols)[0];
  bgp.neighbor = bgp.neighbor.filter((n) => n['peer-address'] !== '10.0.0.4');
  config['/network-instance[name=default]'] = instance;
  return config;
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

  it('once deployed the device is in sync: config Synapse does not own is counted, not planned', async () => {
    await arrangeDeployed(lab, 'leaf01');
    await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'outside the rendered paths' }] });
    const backup = await backUp(lab, 'chg-2');
    const result = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: rendered('leaf01') }]));
    expect(result).toMatchObject({ device: 'leaf01', diff: { added: [], removed: [], changed: [] }, stalePaths: [], summary: '0 changed, 0 added, 0 removed', inSync: true });
    expect(result.unmanaged.paths).toEqual(expect.arrayContaining(['/interface[name=mgmt0]', '/network-instance[name=mgmt]', '/system']));
  });

  it('shows a changed leaf with before and after; a leaf the intent stopped rendering is deleted only if Synapse owned it', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const backup = await backUp(lab, 'chg-3');
    const config = rendered('leaf01');
    const uplink = structuredClone(config['/interface[name=ethernet-1/49]']) as Record<string, unknown>;
    uplink.mtu = 1500;
    delete uplink.description;
    const changed = { ...config, '/interface[name=ethernet-1/49]': uplink };
    const unrecorded = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: changed }]));
    expect(unrecorded.diff).toEqual({ changed: [{ path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 }], added: [], removed: [] });

    await recordOwned(lab, config);
    const recorded = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: changed }]));
    expect(recorded.stalePaths).toEqual(['/interface[name=ethernet-1/49]/description']);
    expect(recorded.diff.removed).toEqual([{ path: '/interface[name=ethernet-1/49]/description', value: 'to spine01 ethernet-1/1' }]);
    expect(recorded.summary).toMatch(/^1 changed, 0 added, 1 removed: \/interface\[name=ethernet-1\/49\]\/mtu 9214 -> 1500/);
  });

  it('an interface the intent dropped is deleted (with its membership and neighbor) only when the ownership record has it', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const config = withoutSecondUplink();
    const backup = await backUp(lab, 'chg-5');
    expect(resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config }])).stalePaths).toEqual([]);

    await recordOwned(lab, rendered('leaf01'));
    const plan = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config }]));
    const stale = ['/interface[name=ethernet-1/50]', '/network-instance[name=default]/interface[name=ethernet-1/50.0]', '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.4]'];
    expect(plan.stalePaths).toEqual(stale);
    // Deletions lead the plan.
    expect(plan.diff.removed.map((r) => r.path)).toEqual(stale);

    const deployed = resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-5', config, delete: plan.stalePaths }]));
    expect(deployed.deletedPaths).toEqual(stale);
    const names = (lab.sim.runningConfig('leaf01') as { interface: { name: string }[] }).interface.map((i) => i.name);
    expect(names).not.toContain('ethernet-1/50');
    expect(names).toEqual(expect.arrayContaining(['mgmt0', 'ethernet-1/49', 'system0']));
  });

  it('refuses a plan with more deletions than the budget, naming them', async () => {
    await arrangeDeployed(lab, 'leaf01');
    await recordOwned(lab, rendered('leaf01'));
    const backup = await backUp(lab, 'chg-6');
    const failure = failureOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: withoutSecondUplink(), deletionBudget: 2 }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/deletes 3 entries or leaves Synapse owned, more than the change's deletion budget of 2: \/interface\[name=ethernet-1\/50\]/);
  });

  it('refuses a plan whose intent names a policy that is neither defined in Infrahub nor on the device, naming group and policy', async () => {
    const intent = structuredClone(deviceIntent(referenceLab(), 'leaf01'));
    intent.bgp!.groups[0].importPolicies = ['operator-import'];
    intent.routingPolicies = intent.routingPolicies.filter((p) => p.name !== 'import-loopbacks');
    const backup = await backUp(lab, 'chg-7');
    const failure = failureOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: rendered('leaf01'), scope: ownershipScope(intent) }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('peer group "underlay" import-policy "operator-import": the policy is neither defined in Infrahub nor present on the device');
    expect(failure.details?.[0]).toMatchObject({ missingPolicies: [{ group: 'underlay', direction: 'import', policy: 'operator-import' }] });
  });

  it('on a brownfield device plans only owned leaves, finds the device-only policy it relies on, and counts the rest as unmanaged', async () => {
    await lab.stop();
    const brownfield = brownfieldLab(referenceLab());
    lab = await startTestLab({ lab: brownfield });
    const intent = deviceIntent(brownfield, 'leaf01');
    const backup = await backUp(lab, 'chg-8');
    const plan = resultOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup, config: rendered('leaf01', brownfield), scope: ownershipScope(intent) }]));
    expect(plan.stalePaths).toEqual([]);
    expect(plan.diff.removed).toEqual([]);
    expect(JSON.stringify(plan.diff)).not.toMatch(/ipv6|lag1|acl|port-speed|legacy-import/);
    // Counted in full, the first 20 named (outermost first, in document order).
    expect(plan.unmanaged.paths).toHaveLength(20);
    expect(plan.unmanaged.paths).toEqual(expect.arrayContaining(['/acl', '/interface[name=ethernet-1/49]/subinterface[index=0]/ipv6']));
    expect(plan.unmanaged.count).toBeGreaterThan(25);
    expect(plan.unmanaged.paths.some((p) => p.includes(LEGACY_IMPORT_POLICY)) || plan.unmanaged.count > 20).toBe(true);
  });

  it('refuses a backup that does not match its reference instead of planning against unknown bytes', async () => {
    const backup = await backUp(lab, 'chg-4');
    const failure = failureOf(await runActivity(lab.activities.diffConfig, [{ device: 'leaf01', backup: { ...backup, sizeBytes: backup.sizeBytes + 1 }, config: rendered('leaf01') }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('stored bytes do not match the backup reference');
  });
});
