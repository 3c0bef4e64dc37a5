import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { BackupRef } from '@synapse/contracts';
import { canonicalize } from '@synapse/device-config';
import type { GnmiClient } from '@synapse/gnmi-client';
import { commitIdFor } from '../src/activities';
import { arrangeDeployed, failureOf, rendered, resultOf, runActivity, startTestLab, unclosable, type TestLab } from './lab';

async function backUp(lab: TestLab, device: 'leaf01' | 'spine01', changeId: string): Promise<BackupRef> {
  return resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device, changeId }]));
}

function deploy(lab: TestLab, changeId: string, commitConfirmed?: { rollbackDurationSeconds: number }) {
  return runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId, config: rendered('leaf01'), ...(commitConfirmed ? { commitConfirmed } : {}) }]);
}

describe('rollbackConfig: back to the backup, verified', () => {
  let lab: TestLab;

  afterEach(async () => {
    await lab.stop();
  });

  describe('on the reference lab', () => {
    beforeEach(async () => {
      lab = await startTestLab();
    });

    it('cancels our pending confirmed commit, and the device is back to the backup exactly', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      expect(lab.sim.runningConfig('leaf01')).not.toEqual(before);

      const run = await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId }]);
      expect(resultOf(run)).toEqual({ device: 'leaf01', method: 'cancel-commit', verified: true, mismatchedPaths: [] });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
      expect(run.heartbeats[0]).toMatchObject({ device: 'leaf01', phase: 'cancel-commit' });
      // Nothing is pending any more: the device takes a plain Set again.
      await expect(lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'ok' }] })).resolves.toBeDefined();
    });

    it('running it again (a retry) finds no pending commit, replaces the root with the backup and verifies', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId }]));
      const again = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId }], { attempt: 2 }));
      expect(again).toEqual({ device: 'leaf01', method: 'replace-root', verified: true, mismatchedPaths: [] });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('when cancelling gives back a config other than the backup (edited in between), replaces the root after all', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const before = lab.sim.runningConfig('leaf01');
      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'edited after the backup' }] });
      const { commitId } = resultOf(await deploy(lab, 'chg-1', { rollbackDurationSeconds: 300 }));
      const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId }]));
      expect(result).toEqual({ device: 'leaf01', method: 'replace-root', verified: true, mismatchedPaths: [] });
      expect(lab.sim.runningConfig('leaf01')).toEqual(before);
    });

    it('without a pending commit, replaces the root: a fresh backup afterwards is byte-identical to the one restored', async () => {
      await arrangeDeployed(lab, 'leaf01');
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      // The change: a different interface set and no BGP at all.
      const changed = { '/interface[name=ethernet-1/49]': { name: 'ethernet-1/49', 'admin-state': 'disable', description: 'changed' }, '/network-instance[name=default]': { name: 'default', type: 'srl_nokia-network-instance:default' } };
      resultOf(await runActivity(lab.activities.deployConfig, [{ device: 'leaf01', changeId: 'chg-2', config: changed }]));
      await lab.admin.leaf01.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'out-of-band edit outside the managed paths' }] });

      const result = resultOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup }]));
      expect(result).toEqual({ device: 'leaf01', method: 'replace-root', verified: true, mismatchedPaths: [] });
      const after = await backUp(lab, 'leaf01', 'chg-3');
      expect(after.sha256).toBe(backup.sha256);
      expect(after.id).toBe(backup.id);
      // A whole-root restore also undoes edits outside the managed paths.
      expect(canonicalize(lab.sim.runningConfig('leaf01'))).toEqual(canonicalize(JSON.parse((await lab.backups.readBackup(backup)).toString())));
    });

    it('refuses a backup whose stored bytes were corrupted (sha256 mismatch), leaving the device as it is', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      resultOf(await deploy(lab, 'chg-1'));
      const deployed = lab.sim.runningConfig('leaf01');
      const objectFile = path.join(lab.backupDir, '.git', 'objects', backup.id.slice(0, 2), backup.id.slice(2));
      const tampered = Buffer.from('{"srl_nokia-interfaces:interface": []}\n');
      chmodSync(objectFile, 0o644);
      writeFileSync(objectFile, deflateSync(Buffer.concat([Buffer.from(`blob ${tampered.length}\0`), tampered])));

      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup }]));
      expect(failure.type).toBe('RollbackFailed');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/refusing to restore: .*stored bytes do not match the backup reference.*nothing was changed on the device/);
      expect(failure.details?.[0]).toMatchObject({ problem: 'corrupt', expectedSha256: backup.sha256 });
      expect(lab.sim.runningConfig('leaf01')).toEqual(deployed);
    });

    it('refuses a reference that names no stored backup, and one for another device', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      const missing = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup: { ...backup, id: '0'.repeat(40) } }]));
      expect(missing.type).toBe('RollbackFailed');
      expect(missing.details?.[0]).toMatchObject({ problem: 'not-found' });
      const crossed = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'spine01', backup }]));
      expect(crossed.type).toBe('InvalidInput');
      expect(crossed.message).toContain('backup.device is leaf01, not spine01');
    });

    it("will not touch a device where someone else's confirmed commit is pending (CommitPending)", async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      resultOf(await deploy(lab, 'chg-other', { rollbackDurationSeconds: 300 }));
      const pending = lab.sim.runningConfig('leaf01');
      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup, commitId: commitIdFor('chg-1', 'leaf01') }]));
      expect(failure.type).toBe('CommitPending');
      expect(failure.nonRetryable).toBe(true);
      expect(lab.sim.runningConfig('leaf01')).toEqual(pending);
    });

    it('a device that cannot be reached fails retryably, so the workflow retries the rollback', async () => {
      const backup = await backUp(lab, 'leaf01', 'chg-1');
      lab.sim.faults('leaf01').set({ refuseConnections: true });
      const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup }]));
      expect(failure.type).toBe('DeviceUnreachable');
      expect(failure.nonRetryable).toBe(false);
    });
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
              if (args[0].replace?.[0]?.path === '/') await rogue!.set({ update: [{ path: '/interface[name=ethernet-1/49]/description', value: 'edited behind our back' }] });
              return result;
            };
          },
        });
      },
    });
    rogue = lab.admin.leaf01;
    await arrangeDeployed(lab, 'leaf01');
    const backup = await backUp(lab, 'leaf01', 'chg-1');
    const failure = failureOf(await runActivity(lab.activities.rollbackConfig, [{ device: 'leaf01', backup }]));
    expect(failure.type).toBe('RollbackFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('still differs at /interface[name=ethernet-1/49]/description');
    expect(failure.details?.[0]).toMatchObject({ mismatchedPaths: ['/interface[name=ethernet-1/49]/description'] });
  });
});
