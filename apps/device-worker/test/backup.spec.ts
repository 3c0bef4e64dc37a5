import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BackupRef } from '@synapse/contracts';
import { canonicalize } from '@synapse/device-config';
import { LAB_CREDENTIALS, referenceLabTopology, startDeviceSim } from '@synapse/device-sim';
import { GnmiClientPool } from '@synapse/gnmi-client';
import { createDeviceActivities } from '../src/activities';
import { GitBackupStore } from '../src/backup-store/git-backup-store';
import { loadDeviceCredentials } from '../src/credentials';
import { StaticDeviceDirectory } from '../src/device-directory';
import { arrangeDeployed, failureOf, resultOf, runActivity, startTestLab, type TestLab } from './lab';

/** git as an operator runs it in the backup directory. */
function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
}

describe('backupRunningConfig and storeBackup: the running config into git history', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab();
  });

  afterEach(async () => {
    await lab.stop();
  });

  it('returns a reference, not the config, and the stored bytes are the device config with its module prefixes', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const run = await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-100' }]);
    const ref = resultOf(run);

    expect(BackupRef.parse(ref)).toEqual(ref);
    expect(Object.keys(ref).sort()).toEqual(['device', 'id', 'sha256', 'sizeBytes', 'takenAt']);
    expect(ref.device).toBe('leaf01');
    // What workflow history will carry stays small whatever the config size.
    expect(JSON.stringify(ref).length).toBeLessThan(300);

    const content = await lab.backups.readBackup(ref);
    expect(content.length).toBe(ref.sizeBytes);
    expect(createHash('sha256').update(content).digest('hex')).toBe(ref.sha256);
    const document = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    // JSON_IETF as the device sent it: restorable at the root as is.
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['srl_nokia-interfaces:interface', 'srl_nokia-system:system']));
    expect(canonicalize(document)).toEqual(canonicalize(lab.sim.runningConfig('leaf01')));
    // The id resolves to the exact bytes with plain git.
    expect(execFileSync('git', ['cat-file', 'blob', ref.id], { cwd: lab.backupDir }).equals(content)).toBe(true);
  });

  it("refuses with DeviceBusy, naming it, when someone else's confirmed commit is pending: nothing is backed up", async () => {
    await lab.admin.leaf01.set(
      { update: [{ path: '/interface[name=mgmt0]/description', value: 'pending, not yet confirmed' }] },
      { commit: { id: 'operator/maintenance-42', action: 'commit', rollbackDurationMs: 300_000 } },
    );
    await lab.backups.ready();
    const objectsBefore = git(lab.backupDir, 'count-objects').trim();
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-busy' }]));
    expect(failure.type).toBe('DeviceBusy');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/leaf01: a confirmed commit is pending on the device \(device says: .*operator\/maintenance-42.*\)/);
    expect(git(lab.backupDir, 'count-objects').trim()).toBe(objectsBefore);
    // The probe changed nothing: the operator's commit is still pending, and theirs to confirm.
    await expect(lab.admin.leaf01.confirmCommit('operator/maintenance-42')).resolves.toBeDefined();
    resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-after' }]));
  });

  it('recordOwnership keeps what the last confirmed deploy rendered in ownership/<device>.json, one commit each, a retry writes nothing', async () => {
    expect(await lab.backups.readOwnership('leaf01')).toBeUndefined();
    const config = { '/interface[name=ethernet-1/49]': { name: 'ethernet-1/49', mtu: 9214 } };
    const first = resultOf(await runActivity(lab.activities.recordOwnership, [{ device: 'leaf01', changeId: 'chg-1', workflowId: 'device/leaf01', config }]));
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await lab.backups.readOwnership('leaf01')).toMatchObject({ device: 'leaf01', changeId: 'chg-1', workflowId: 'device/leaf01', checksum: first.checksum, config });
    const retry = resultOf(await runActivity(lab.activities.recordOwnership, [{ device: 'leaf01', changeId: 'chg-1', workflowId: 'device/leaf01', config }], { attempt: 2 }));
    expect(retry).toEqual({ device: 'leaf01', commit: 'unchanged', checksum: first.checksum });
    const later = { ...config, '/interface[name=system0]': { name: 'system0' } };
    resultOf(await runActivity(lab.activities.recordOwnership, [{ device: 'leaf01', changeId: 'chg-2', workflowId: 'device/leaf01', config: later }]));
    expect((await lab.backups.readOwnership('leaf01'))?.config).toEqual(later);
    expect(git(lab.backupDir, 'log', '--format=%s', '--', 'ownership/leaf01.json').trim().split('\n')).toEqual(['ownership leaf01 after change chg-2', 'ownership leaf01 after change chg-1']);
    expect(JSON.parse(readFileSync(path.join(lab.backupDir, 'ownership', 'leaf01.json'), 'utf8')).changeId).toBe('chg-2');
    expect(await lab.backups.readOwnership('leaf02')).toBeUndefined();
  });

  it('storeBackup commits <device>.json with the change and workflow in the message, so git log -p shows the device history', async () => {
    const first = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-1' }]));
    const stored = resultOf(await runActivity(lab.activities.storeBackup, [{ backup: first, changeId: 'chg-1', workflowId: 'device/leaf01', reason: 'uplink MTU' }]));
    expect(stored.alreadyStored).toBe(false);

    await arrangeDeployed(lab, 'leaf01');
    const second = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-2' }]));
    const stored2 = resultOf(await runActivity(lab.activities.storeBackup, [{ backup: second, changeId: 'chg-2', workflowId: 'device/leaf01' }]));
    expect(second.id).not.toBe(first.id);

    const history = git(lab.backupDir, 'log', '--format=%H %s', '--', 'leaf01.json').trim().split('\n');
    expect(history).toEqual([`${stored2.commit} backup leaf01 for change chg-2`, `${stored.commit} backup leaf01 for change chg-1`]);
    const message = git(lab.backupDir, 'log', '-1', '--format=%B', stored.commit);
    expect(message).toContain('Change-Id: chg-1');
    expect(message).toContain('Workflow-Id: device/leaf01');
    expect(message).toContain('Reason: uplink MTU');
    expect(message).toContain(`Backup-Sha256: ${first.sha256}`);
    // The second commit's diff is the change: the fabric interfaces appeared.
    const patch = git(lab.backupDir, 'log', '-p', '-1', '--format=', '--', 'leaf01.json');
    expect(patch).toMatch(/^\+.*"name": "ethernet-1\/49"/m);
    // The work tree an operator reads is the latest backup.
    expect(readFileSync(path.join(lab.backupDir, 'leaf01.json')).equals(await lab.backups.readBackup(second))).toBe(true);
    expect(git(lab.backupDir, 'status', '--porcelain')).toBe('');
    expect(git(lab.backupDir, 'log', '-1', '--format=%an <%ae>', stored.commit).trim()).toBe('Synapse device-worker <device-worker@synapse.invalid>');
  });

  it('a retried storeBackup returns the commit the first attempt made instead of committing twice', async () => {
    const ref = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'spine01', changeId: 'chg-7' }]));
    const input = { backup: ref, changeId: 'chg-7', workflowId: 'device/spine01' };
    const first = resultOf(await runActivity(lab.activities.storeBackup, [input]));
    const retry = resultOf(await runActivity(lab.activities.storeBackup, [input], { attempt: 2 }));
    expect(first).toEqual({ ...ref, commit: expect.stringMatching(/^[0-9a-f]{40}$/), alreadyStored: false });
    expect(retry).toEqual({ ...first, alreadyStored: true });
    expect(git(lab.backupDir, 'log', '--format=%H', '--grep', 'Change-Id: chg-7').trim().split('\n')).toEqual([first.commit]);
  });

  it('a backup of an unchanged config is still its own commit, listed in the device history', async () => {
    const refs = [];
    for (const changeId of ['chg-a', 'chg-b']) {
      const ref = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf02', changeId }]));
      resultOf(await runActivity(lab.activities.storeBackup, [{ backup: ref, changeId, workflowId: `wf-${changeId}` }]));
      refs.push(ref);
    }
    expect(refs[1].id).toBe(refs[0].id);
    const history = await lab.backups.history('leaf02');
    expect(history.map((h) => h.changeId)).toEqual(['chg-b', 'chg-a']);
    expect(git(lab.backupDir, 'log', '--format=%s', "--grep=^Device: leaf02$").trim().split('\n')).toHaveLength(2);
  });

  it('two storeBackup calls at the same time both land, as separate commits', async () => {
    const leaf01 = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-x' }]));
    const leaf02 = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf02', changeId: 'chg-x' }]));
    const [a, b] = await Promise.all([
      runActivity(lab.activities.storeBackup, [{ backup: leaf01, changeId: 'chg-x', workflowId: 'device/leaf01' }]),
      runActivity(lab.activities.storeBackup, [{ backup: leaf02, changeId: 'chg-x', workflowId: 'device/leaf02' }]),
    ]);
    const commits = [resultOf(a).commit, resultOf(b).commit];
    expect(new Set(commits).size).toBe(2);
    const log = git(lab.backupDir, 'log', '--format=%H', '--grep', 'Change-Id: chg-x').trim().split('\n');
    expect(log.sort()).toEqual(commits.sort());
    // Linear history (initial commit + two), and neither file was lost to the other's commit.
    expect(git(lab.backupDir, 'rev-list', '--count', 'HEAD').trim()).toBe('3');
    expect(git(lab.backupDir, 'ls-tree', '--name-only', 'HEAD').trim().split('\n')).toEqual(['README.md', 'leaf01.json', 'leaf02.json']);
  });

  it('fails with DeviceUnreachable (retryable) when the device refuses connections', async () => {
    lab.sim.faults('leaf01').set({ refuseConnections: true });
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-1' }]));
    expect(failure.type).toBe('DeviceUnreachable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('leaf01');
    expect(await lab.backups.history('leaf01')).toEqual([]);
  });

  it('fails with AuthFailed (not retried) when the device refuses the credentials, without echoing them', async () => {
    await lab.stop();
    lab = await startTestLab({ credentials: (device) => ({ username: 'admin', password: device === 'leaf01' ? 'WrongPassw0rd!' : LAB_CREDENTIALS.password }) });
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-1' }]));
    expect(failure.type).toBe('AuthFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain('WrongPassw0rd!');
    // The other devices' credentials are fine.
    resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf02', changeId: 'chg-1' }]));
  });

  it('names the device when the worker holds no credentials for it', async () => {
    await lab.stop();
    lab = await startTestLab({ credentials: loadDeviceCredentials({}).lookup });
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'spine01', changeId: 'chg-1' }]));
    expect(failure.type).toBe('AuthFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/no credentials for device spine01: set SYNAPSE_DEVICE_CREDENTIALS_FILE or SYNAPSE_DEVICE_USERNAME\/SYNAPSE_DEVICE_PASSWORD/);
  });

  it('refuses a device the inventory does not list, naming it, without retrying', async () => {
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf09', changeId: 'chg-1' }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/device leaf09 is not in the device inventory \(it lists spine01, leaf01, leaf02\)/);
  });

  it('refuses a malformed input at the boundary, naming the field', async () => {
    const failure = failureOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg with spaces' } as never]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^backupRunningConfig input: changeId: /);
    const store = failureOf(await runActivity(lab.activities.storeBackup, [{ backup: { device: 'leaf01' }, changeId: 'c', workflowId: 'w' } as never]));
    expect(store.type).toBe('InvalidInput');
    expect(store.message).toMatch(/backup\.id/);
  });

  it('storeBackup refuses a reference whose bytes are not in the store', async () => {
    const ref = resultOf(await runActivity(lab.activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-1' }]));
    const forged = { ...ref, sha256: 'f'.repeat(64) };
    const failure = failureOf(await runActivity(lab.activities.storeBackup, [{ backup: forged, changeId: 'chg-1', workflowId: 'w' }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('stored bytes do not match the backup reference');
    expect(git(lab.backupDir, 'log', '--format=%s').trim().split('\n')).toEqual(['Synapse device backup store']);
  });
});

describe('backupRunningConfig over TLS, as real SR Linux serves gNMI on 57400', () => {
  it('reaches a TLS device with skip-verify or its CA, and says plainly when the transport mode is wrong', async () => {
    const sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100, tls: 'self-signed' });
    const dir = mkdtempSync(path.join(tmpdir(), 'device-worker-tls-'));
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, sim.tlsCaPem!);
    const pool = new GnmiClientPool(() => ({ ...LAB_CREDENTIALS }));
    try {
      const directory = new StaticDeviceDirectory({
        spine01: { address: sim.address('spine01'), transport: { mode: 'skip-verify' } },
        leaf01: { address: sim.address('leaf01'), transport: { mode: 'tls', caFile } },
        leaf02: { address: sim.address('leaf02'), transport: { mode: 'plaintext', allowCredentials: true } },
      });
      const activities = createDeviceActivities({ gnmi: pool, directory, backups: new GitBackupStore({ dir: path.join(dir, 'backups') }) });
      resultOf(await runActivity(activities.backupRunningConfig, [{ device: 'spine01', changeId: 'chg-tls' }]));
      resultOf(await runActivity(activities.backupRunningConfig, [{ device: 'leaf01', changeId: 'chg-tls' }]));
      const wrongMode = failureOf(await runActivity(activities.backupRunningConfig, [{ device: 'leaf02', changeId: 'chg-tls' }]));
      expect(wrongMode.type).toBe('TargetMisconfigured');
      expect(wrongMode.nonRetryable).toBe(true);
      expect(wrongMode.message).toContain('transport mode is plaintext');
    } finally {
      pool.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
