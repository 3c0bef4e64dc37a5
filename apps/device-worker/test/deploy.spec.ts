import type { ManagedConfig } from '@synapse/contracts';
import { deployOperations, isEmptyDiff, ownedDiff, unownedPart } from '@synapse/device-config';
import { brownfieldLab, referenceLab } from '@synapse/lab';
import { commitIdFor } from '../src/activities';
import type { GnmiClient } from '@synapse/gnmi-client';
import { failureOf, recordingSets, rendered, resultOf, runActivity, startTestLab, type TestLab } from './lab';

/** The device's running config matches the rendered config on everything it owns. */
async function hasRendered(lab: TestLab, device: 'leaf01' | 'spine01', config: ManagedConfig): Promise<boolean> {
  const running = await lab.admin[device].getConfig('/');
  return isEmptyDiff(ownedDiff(config, running));
}

/** A plain Set by someone else: refused while a confirmed commit is pending. */
function plainSet(lab: TestLab, device: 'leaf01' | 'spine01', description: string) {
  return lab.admin[device].set({ update: [{ path: '/interface[name=mgmt0]/description', value: description }] });
}

describe('deployConfig: one atomic Set of what the change owns', () => {
  let lab: TestLab;
  /** Every Set the activities sent, as the device received it. */
  let sets: Parameters<GnmiClient['set']>[];

  beforeEach(async () => {
    sets = [];
    lab = await startTestLab({ gnmi: recordingSets(sets) });
  });

  afterEach(async () => {
    await lab.stop();
  });

  it('writes the owned leaves of every rendered entry in one Set and heartbeats while doing it', async () => {
    const config = rendered('leaf01');
    const ops = deployOperations({ config });
    const run = await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }]);
    const result = resultOf(run);
    expect(result).toEqual({
      device: 'leaf01',
      replacedPaths: ops.replace.map((r) => r.path),
      updatedPaths: Object.keys(config).filter((p) => !p.startsWith('/routing-policy')),
      deletedPaths: [],
      deviceTimestamp: expect.stringMatching(/^\d{19}$/),
    });
    expect(result.commitId).toBeUndefined();
    expect(await hasRendered(lab, 'leaf01', config)).toBe(true);
    // System config outside the owned paths is untouched.
    expect(lab.sim.runningConfig('leaf01')).toMatchObject({ system: { name: { 'host-name': 'leaf01' } } });
    expect(run.heartbeats[0]).toEqual({ device: 'leaf01', phase: 'set', paths: ops.replace.length + ops.update.length });
    // One request, exactly device-config's deployOperations, no commit extension.
    expect(sets).toEqual([[ops]]);
  });

  it('on a brownfield device, changes what it owns and not a byte of anything else', async () => {
    await lab.stop();
    const brownfield = brownfieldLab(referenceLab());
    lab = await startTestLab({ lab: brownfield });
    const config = rendered('leaf01', brownfield);
    const before = lab.sim.runningConfig('leaf01');
    resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }]));
    expect(await hasRendered(lab, 'leaf01', config)).toBe(true);
    expect(unownedPart(lab.sim.runningConfig('leaf01'), config)).toEqual(unownedPart(before, config));
  });

  it('applies an emergency patch: updates merged and deletes, in the same single Set, nothing replaced', async () => {
    await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-0', config: rendered('leaf01') }]);
    sets.length = 0;
    const update = [{ path: '/interface[name=ethernet-1/49]/admin-state', value: 'disable' }];
    const remove = ['/interface[name=ethernet-1/50]/description'];
    const result = resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'em-1', update, delete: remove }]));
    expect(result).toMatchObject({ replacedPaths: [], updatedPaths: ['/interface[name=ethernet-1/49]/admin-state'], deletedPaths: remove });
    expect(sets).toEqual([[{ delete: remove, replace: [], update }]]);
    const running = lab.sim.runningConfig('leaf01') as { interface: Array<{ name: string; 'admin-state'?: string; mtu?: number }> };
    // Merged, not replaced: the rest of the interface is as it was.
    expect(running.interface.find((i) => i.name === 'ethernet-1/49')).toMatchObject({ 'admin-state': 'disable', mtu: 9214 });
  });

  it('keeps heartbeating while a slow device works on the Set', async () => {
    lab.sim.faults('leaf01').set({ latencyMs: 450 });
    const run = await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config: rendered('leaf01') }]);
    resultOf(run);
    // Interval 100 ms: at least the first heartbeat plus three while waiting.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(4);
  });

  it('a config the device refuses fails with ConfigRejected, not retried, nothing changed, and says it was not applied', async () => {
    const before = lab.sim.runningConfig('leaf01');
    const config = rendered('leaf01');
    // SR Linux requires at least 1500 on ethernet ports; the other paths are valid and must not land either.
    const broken = { ...config, '/interface[name=ethernet-1/49]': { ...(config['/interface[name=ethernet-1/49]'] as object), mtu: 1400 } };
    const failure = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config: broken }]));
    expect(failure.type).toBe('ConfigRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/leaf01.*mtu.*the device did not apply the Set/);
    expect(failure.details?.[0]).toMatchObject({ applied: false, grpcStatus: 'INVALID_ARGUMENT' });
    expect(lab.sim.runningConfig('leaf01')).toEqual(before);
  });

  it('an answer that does not say whether the Set landed (INTERNAL) is not marked as not applied', async () => {
    lab.sim.faults('leaf01').failNextSet(13, 'simulated: internal error');
    const failure = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config: rendered('leaf01') }]));
    expect(failure.details?.[0]).not.toHaveProperty('applied');
  });

  it('a retry after the connection dropped once the Set was applied converges to the same config', async () => {
    const config = rendered('leaf01');
    lab.sim.faults('leaf01').dropNextSet('after-apply');
    const first = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }]));
    expect(first.type).toBe('DeviceUnreachable');
    expect(first.nonRetryable).toBe(false);
    expect(first.details?.[0]).toMatchObject({ outcome: 'unknown' });
    // The change did land; the activity could not know.
    expect(await hasRendered(lab, 'leaf01', config)).toBe(true);
    const applied = lab.sim.runningConfig('leaf01');

    const retry = resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }], { attempt: 2 }));
    expect(retry.updatedPaths).toEqual(deployOperations({ config }).update.map((u) => u.path));
    expect(lab.sim.runningConfig('leaf01')).toEqual(applied);
  });

  it('a retry after the connection dropped before the Set was applied applies it', async () => {
    const config = rendered('leaf01');
    lab.sim.faults('leaf01').dropNextSet('before-apply');
    expect(failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }])).type).toBe('DeviceUnreachable');
    expect(await hasRendered(lab, 'leaf01', config)).toBe(false);
    resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }], { attempt: 2 }));
    expect(await hasRendered(lab, 'leaf01', config)).toBe(true);
  });

  describe('with commit-confirmed', () => {
    const input = (changeId = 'chg-cc') => ({ device: 'leaf01', changeId, config: rendered('leaf01'), commitConfirmed: { rollbackDurationSeconds: 120 } });

    it('deploys under a commit id derived from change and device, and confirmCommit keeps it', async () => {
      const result = resultOf(await runActivity(lab.activities.deployConfig, [input()]));
      expect(result.commitId).toBe(commitIdFor('chg-cc', 'leaf01'));
      expect(sets).toEqual([[deployOperations({ config: rendered('leaf01') }), { commit: { id: result.commitId, action: 'commit', rollbackDurationMs: 120_000 } }]]);
      expect(await hasRendered(lab, 'leaf01', rendered('leaf01'))).toBe(true);
      // Pending: the device refuses anyone else's plain Set until it is confirmed.
      await expect(plainSet(lab, 'leaf01', 'x')).rejects.toMatchObject({ type: 'CommitPending', message: expect.stringContaining(result.commitId!) });

      const confirmed = await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: result.commitId! }]);
      expect(confirmed.error).toBeUndefined();
      await expect(plainSet(lab, 'leaf01', 'after confirm')).resolves.toBeDefined();
      expect(await hasRendered(lab, 'leaf01', rendered('leaf01'))).toBe(true);
    });

    it('a retry after the commit landed but its answer was lost recognises its own pending commit', async () => {
      lab.sim.faults('leaf01').dropNextSet('after-apply');
      const first = failureOf(await runActivity(lab.activities.deployConfig, [input()]));
      expect(first.type).toBe('DeviceUnreachable');

      const retry = await runActivity(lab.activities.deployConfig, [input()], { attempt: 2 });
      expect(resultOf(retry).commitId).toBe(commitIdFor('chg-cc', 'leaf01'));
      expect(retry.heartbeats).toContainEqual(expect.objectContaining({ phase: 'probing pending commit' }));
      // Still the first attempt's commit, still pending, and ours to confirm.
      resultOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: commitIdFor('chg-cc', 'leaf01') }]));
      expect(await hasRendered(lab, 'leaf01', rendered('leaf01'))).toBe(true);
    });

    it("another change's pending commit is CommitPending, not retried, and the device keeps its config", async () => {
      resultOf(await runActivity(lab.activities.deployConfig, [{ ...input('chg-other'), config: { '/interface[name=ethernet-1/50]': rendered('leaf01')['/interface[name=ethernet-1/50]'] } }]));
      const before = lab.sim.runningConfig('leaf01');
      const failure = failureOf(await runActivity(lab.activities.deployConfig, [input('chg-mine')]));
      expect(failure.type).toBe('CommitPending');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`not ${commitIdFor('chg-mine', 'leaf01')}`);
      expect(failure.details?.[0]).toMatchObject({ applied: false });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
      // The other change's commit is still pending, for its owner to confirm.
      resultOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: commitIdFor('chg-other', 'leaf01') }]));
    });

    it('confirming a commit that is no longer pending fails with ConfigRejected: the change is not in place', async () => {
      const result = resultOf(await runActivity(lab.activities.deployConfig, [input()]));
      await lab.admin.leaf01.cancelCommit(result.commitId!);
      const deployed = { config: rendered('leaf01') };
      const failure = failureOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: result.commitId!, deployed }]));
      expect(failure.type).toBe('ConfigRejected');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('is no longer pending');
      const retried = failureOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: result.commitId!, deployed }], { attempt: 2 }));
      expect(retried.message).toMatch(/the deployed config is no longer on the device: .* expired and the device reverted it/);
    });

    it('a confirm whose answer was lost is done: the retry reads the device back and finds the change in place', async () => {
      const result = resultOf(await runActivity(lab.activities.deployConfig, [input()]));
      lab.sim.faults('leaf01').dropNextSet('after-apply');
      const deployed = { config: rendered('leaf01') };
      const first = failureOf(await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: result.commitId!, deployed }]));
      expect(first.type).toBe('DeviceUnreachable');
      // The confirm landed: nothing is pending, and a plain Set goes through.
      await expect(plainSet(lab, 'leaf01', 'after a lost confirm')).resolves.toBeDefined();
      const retry = await runActivity(lab.activities.confirmCommit, [{ device: 'leaf01', commitId: result.commitId!, deployed }], { attempt: 2 });
      expect(retry.error).toBeUndefined();
      expect(await hasRendered(lab, 'leaf01', rendered('leaf01'))).toBe(true);
    });
  });

  it('refuses an input without a config path at the boundary, naming the field', async () => {
    const failure = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config: {} }]));
    expect(sets).toEqual([]);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^deployConfig input: config: nothing to deploy: no config, update or delete/);
    const duration = failureOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config: rendered('leaf01'), commitConfirmed: { rollbackDurationSeconds: 5 } }]));
    expect(duration.message).toContain('commitConfirmed.rollbackDurationSeconds');
  });
});
