import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { BackupRef, DeployedChangeInput } from '@synapse/contracts';
import { diffConfigs, unownedPart } from '@synapse/device-config';
import type { GnmiClient } from '@synapse/gnmi-client';
import { brownfieldLab, referenceLab } from '@synapse/lab';
import { createEncryptionKeyring } from '@synapse/temporal-connection';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { commitIdFor } from '../src/activities';
import { arrangeDeployed, failureOf, recordingSets, rendered, resultOf, runActivity, startTestLab, unclosable, type TestLab } from './lab';

async function backUp(lab: TestLab, device: 'leaf01' | 'spine01', changeId: string): Promise<BackupRef> {
  return resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device, changeId }]));
}

const touched = (): DeployedChangeInput => ({ config: rendered('leaf01') });

function deploy(lab: TestLab, changeId: string, commitConfirmed?: { rollbackDurationSeconds: number }) {
  return runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId, config: rendered('leaf01'), ...(commitConfirmed ? { commitConfirmed } : {}) }]);
}

describe('rollbackConfig: the backup back on what the change touched, verified, never worse', () => {
  let lab: TestLab;
  /** Sets the activities sent (not the test's own). */
  const sets: Parameters<GnmiClient['set']>[] = [];
  const recording = recordingSets(sets);

  beforeEach(() => {
    sets.length = 0;
  });
  afterEach(async () => {
    await lab.stop();
  });

  describe('on the reference lab', () => {
    beforeEach(async () => {
      lab = await startTestLab({ gnmi: recording });
    });

    it('cancels our pending confirmed commit, and the device is back to the backup exactly', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      expect(lab.sim.runningConfig('leaf01')).not.toEqual(before);

      const run = await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId, touched: touched() }]);
      expect(resultOf(run)).toEqual({ device: 'leaf01', method: 'cancel-commit', verified: true, mismatchedPaths: [] });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
      expect(run.heartbeats[0]).toMatchObject({ device: 'leaf01', phase: 'cancel-commit' });
      // Nothing is pending any more: the device takes a plain Set again.
      await expect(lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'ok' }] })).resolves.toBeDefined();
    });

    it('running it again (a retry) finds the device already back and writes nothing', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId, touched: touched() }]));
      sets.length = 0;
      const again = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId, touched: touched() }], { attempt: 2 }));
      expect(again).toEqual({ device: 'leaf01', method: 'already-identical', verified: true, mismatchedPaths: [] });
      // Only the cancel was tried (it goes through cancelCommit, not recorded here): no restore Set.
      expect(sets).toEqual([]);
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('a device that reverted by itself (the commit expired) is found identical: nothing is restored', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      await lab.sim.faults('leaf01').restart(50);
      sets.length = 0;
      const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId, touched: touched() }]));
      expect(result.method).toBe('already-identical');
      expect(sets.filter(([ops]) => Object.keys(ops).length > 0)).toEqual([]);
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('without a pending commit, puts back only the touched paths: an edit elsewhere since the backup is kept', async () => {
      await arrangeDeployed(lab, 'leaf01');
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const change: DeployedChangeInput = {
        config: { '/interface[name=ethernet-1/49]': { name: 'ethernet-1/49', 'admin-state': 'disable', description: 'changed' } },
        delete: ['/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.4]'],
      };
      resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-2', ...change }]));
      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'out-of-band edit outside the change' }] });

      const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: change }]));
      expect(result).toEqual({ device: 'leaf01', method: 'restore', verified: true, mismatchedPaths: [] });
      const restore = sets[sets.length - 1][0];
      expect(restore.replace?.map((r) => r.path).sort()).toEqual([
        '/interface[name=ethernet-1/49]/admin-state',
        '/interface[name=ethernet-1/49]/description',
        '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.4]',
      ]);
      const now = lab.sim.runningConfig('leaf01');
      const backupDocument = JSON.parse((await lab.backups.readBackup(backup)).toString());
      // Everything is the backup again except the edit someone else made meanwhile, which stays.
      expect(diffConfigs(now, backupDocument)).toEqual({
        added: [{ path: '/interface[name=mgmt0]/description', value: 'out-of-band edit outside the change' }],
        removed: [],
        changed: [],
      });
    });

    it('restores from a backup encrypted at rest (payload keys configured) as from a plain one', async () => {
      await lab.stop();
      lab = await startTestLab({ gnmi: recording, keyring: createEncryptionKeyring({ 'k-rollback': randomBytes(32) }) });
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      resultOf(await runActivity(lab.activities.storeBackup, [{ backup, changeId: 'chg-1', workflowId: 'device/leaf01' }]));
      expect(readFileSync(path.join(lab.backupDir, 'leaf01.json'), 'utf8')).not.toContain('host-name');
      const before = lab.sim.runningConfig('leaf01');
      resultOf(await deploy(lab, 'chg-1'));
      expect(lab.sim.runningConfig('leaf01')).not.toEqual(before);
      const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: touched() }]));
      expect(result).toEqual({ device: 'leaf01', method: 'restore', verified: true, mismatchedPaths: [] });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('refuses a backup whose stored bytes were corrupted (sha256 mismatch), leaving the device as it is', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      resultOf(await deploy(lab, 'chg-1'));
      const deployed = lab.sim.runningConfig('leaf01');
      const objectFile = path.join(lab.backupDir, '.git', 'objects', backup.id.slice(0, 2), backup.id.slice(2));
      const tampered = Buffer.from('{"srl_nokia-interfaces:interface": []}\n');
      chmodSync(objectFile, 0o644);
      writeFileSync(objectFile, deflateSync(Buffer.concat([Buffer.from(`blob ${tampered.length}\0`), tampered])));

      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: touched() }]));
      expect(failure.type).toBe('RollbackFailed');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/refusing to restore: .*stored bytes do not match the backup reference.*nothing was changed on the device/);
      expect(failure.details?.[0]).toMatchObject({ problem: 'corrupt', expectedSha256: backup.sha256 });
      expect(lab.sim.runningConfig('leaf01')).toEqual(deployed);
    });

    it('refuses a reference that names no stored backup, and one for another device', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const missing = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup: { ...backup, id: '0'.repeat(40) }, touched: touched() }]));
      expect(missing.type).toBe('RollbackFailed');
      expect(missing.details?.[0]).toMatchObject({ problem: 'not-found' });
      const crossed = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'spine01', backup, touched: touched() }]));
      expect(crossed.type).toBe('InvalidInput');
      expect(crossed.message).toContain('backup.device is leaf01, not spine01');
    });

    it("will not touch a device where someone else's confirmed commit is pending (CommitPending)", async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      resultOf(await deploy(lab, 'chg-other', { rollbackDurationSeconds: 300 }));
      const pending = lab.sim.runningConfig('leaf01');
      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId: commitIdFor('chg-1', 'leaf01'), touched: touched() }]));
      expect(failure.type).toBe('CommitPending');
      expect(failure.nonRetryable).toBe(true);
      expect(lab.sim.runningConfig('leaf01')).toEqual(pending);
    });

    it('a device that cannot be reached fails retryably, so the workflow retries the rollback', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      lab.sim.faults('leaf01').set({ refuseConnections: true });
      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: touched() }]));
      expect(failure.type).toBe('DeviceUnreachable');
      expect(failure.nonRetryable).toBe(false);
    });
  });

  it('on a brownfield device: the deploy and its rollback leave everything Synapse does not own as it was', async () => {
    const brownfield = brownfieldLab(referenceLab());
    lab = await startTestLab({ lab: brownfield, gnmi: recording });
    const config = rendered('leaf01', brownfield);
    const backup = await backUp(lab, 'leaf01', 'chg-1');
    const before = lab.sim.runningConfig('leaf01');
    resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-1', config }]));
    expect(unownedPart(lab.sim.runningConfig('leaf01'), config)).toEqual(unownedPart(before, config));
    const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: { config } }]));
    expect(result.method).toBe('restore');
    expect(diffConfigs(lab.sim.runningConfig('leaf01'), before)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('fails with RollbackFailed naming the paths when the read-back differs from the backup', async () => {
    // Someone edits the device between the restore and the read-back: the
    // activity must notice rather than report a verified rollback.
    let rogue: GnmiClient | undefined;
    lab = await startTestLab({
      gnmi: (pool) => (target) => {
        const client = pool.get(target);
        return new Proxy(unclosable(client), {
          get(inner, property) {
            if (property !== 'set') return Reflect.get(inner, property);
            return async (...args: Parameters<GnmiClient['set']>) => {
              const result = await client.set(...args);
              if ((args[0].replace?.length ?? 0) > 0) await rogue!.set({ update: [{ path: '/interface[name=ethernet-1/49]/description', value: 'edited behind our back' }] });
              return result;
            };
          },
        });
      },
    });
    rogue = lab.admin.leaf01;
    await arrangeDeployed(lab, 'leaf01');
    const backup = await backUp(lab, 'leaf01', 'chg-1');
    await lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
    const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, touched: touched() }]));
    expect(failure.type).toBe('RollbackFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('still differs at /interface[name=ethernet-1/49]/description');
    expect(failure.details?.[0]).toMatchObject({ mismatchedPaths: ['/interface[name=ethernet-1/49]/description'] });
  });
});
