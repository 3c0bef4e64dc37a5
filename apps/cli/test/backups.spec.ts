/**
 * `synapse backups` against a backup store written by the device-worker's
 * own GitBackupStore, so the CLI is held to the format the worker really
 * writes (one file per device, one commit per backup, trailers).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitBackupStore, serializeBackup } from '@synapse/device-worker';
import { createEncryptionKeyring } from '@synapse/temporal-connection';
import { runCli } from './cli';

interface Leaf {
  mtu: number;
  extra?: boolean;
  hostName?: string;
}

/** An SR Linux running config as the device-worker stores it (module prefixes kept). */
function runningConfig({ mtu, extra, hostName = 'leaf01' }: Leaf): Buffer {
  return serializeBackup({
    'srl_nokia-system:system': { name: { 'host-name': hostName } },
    'srl_nokia-interfaces:interface': [
      { name: 'ethernet-1/1', 'admin-state': 'enable', mtu },
      ...(extra ? [{ name: 'ethernet-1/2', 'admin-state': 'enable', description: 'to spine02' }] : []),
    ],
  });
}

function git(dir: string, args: string[], input?: string): string {
  return execFileSync('git', args, { input, encoding: 'utf8', env: { PATH: process.env.PATH, GIT_DIR: path.join(dir, '.git'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();
}

describe('synapse backups: a device history from the git backup store', () => {
  let root: string;
  let dir: string;
  const commits: Record<string, string> = {};
  /** Backup ids (the git blob of the bytes): what change results show, and what list and diff name. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'synapse-cli-backups-'));
    dir = path.join(root, 'backups');
    const store = new GitBackupStore({ dir, onWarning: () => undefined });
    const take = async (name: string, device: string, config: Buffer, changeId: string, takenAt: string, reason?: string) => {
      const ref = await store.writeBackup(device, config, takenAt);
      const archived = await store.archiveBackup(ref, { changeId, workflowId: `device/${device}`, ...(reason ? { reason } : {}) });
      commits[name] = archived.commit;
      ids[name] = ref.id;
    };
    await take('first', 'leaf01', runningConfig({ mtu: 1500 }), 'chg-1', '2026-11-01T10:00:00.000Z', 'baseline');
    await take('second', 'leaf01', runningConfig({ mtu: 9214, extra: true }), 'chg-2', '2026-11-02T10:00:00.000Z', 'MTU 9214 on fabric links');
    // A backup of a device whose name starts with the other's: must not leak into leaf01's history.
    await take('other', 'leaf010', runningConfig({ mtu: 1500, hostName: 'leaf010' }), 'chg-2', '2026-11-02T10:00:01.000Z');
    await take('third', 'leaf01', runningConfig({ mtu: 9214, extra: true }), 'chg-3', '2026-11-03T10:00:00.000Z');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("lists a device's backups newest first with backup id, time, change id and workflow id", async () => {
    const run = await runCli(['backups', 'list', 'leaf01', '--dir', dir]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^BACKUP\s+TAKEN\s+CHANGE\s+WORKFLOW\s+REASON$/);
    // The second and third hold the same bytes: the same backup id.
    expect(ids.third).toBe(ids.second);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${ids.third.slice(0, 12)}\\s+2026-11-03T10:00:00Z\\s+chg-3\\s+device/leaf01$`)),
      expect.stringMatching(new RegExp(`^${ids.second.slice(0, 12)}\\s+2026-11-02T10:00:00Z\\s+chg-2\\s+device/leaf01\\s+MTU 9214 on fabric links$`)),
      expect.stringMatching(new RegExp(`^${ids.first.slice(0, 12)}\\s+2026-11-01T10:00:00Z\\s+chg-1\\s+device/leaf01\\s+baseline$`)),
    ]);

    // The same from SYNAPSE_BACKUP_DIR, as JSON.
    const json = await runCli(['backups', 'list', 'leaf01', '--json'], { env: { SYNAPSE_BACKUP_DIR: dir } });
    expect(json.code).toBe(0);
    const entries = JSON.parse(json.stdout);
    expect(entries.map((e: { commit: string }) => e.commit)).toEqual([commits.third, commits.second, commits.first]);
    expect(entries[1]).toMatchObject({ device: 'leaf01', changeId: 'chg-2', workflowId: 'device/leaf01', takenAt: '2026-11-02T10:00:00.000Z', reason: 'MTU 9214 on fabric links' });
    expect(entries[1].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says when a device has no backups', async () => {
    const run = await runCli(['backups', 'list', 'spine07', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`no backups of spine07 in ${dir}`);
  });

  it('diffs two backups path by path, named by backup id (prefix), commit, change id or latest~N', async () => {
    const byId = await runCli(['backups', 'diff', 'leaf01', ids.first.slice(0, 8), commits.second, '--dir', dir]);
    expect(byId.code).toBe(0);
    expect(byId.stdout.trimEnd().split('\n')).toEqual([
      `leaf01: ${ids.first.slice(0, 12)} (chg-1, 2026-11-01T10:00:00Z) -> ${ids.second.slice(0, 12)} (chg-2, 2026-11-02T10:00:00Z)`,
      '1 changed, 1 added, 0 removed',
      '  ~ /interface[name=ethernet-1/1]/mtu: 1500 -> 9214',
      '  + /interface[name=ethernet-1/2]: {"admin-state":"enable","description":"to spine02","name":"ethernet-1/2"}',
    ]);

    // Backwards, by change id and latest~N: the same paths, the other way round.
    const backwards = await runCli(['backups', 'diff', 'leaf01', 'latest', 'chg-1', '--dir', dir, '--json']);
    expect(backwards.code).toBe(0);
    const json = JSON.parse(backwards.stdout);
    expect(json).toMatchObject({ device: 'leaf01', from: { commit: commits.third }, to: { commit: commits.first }, identical: false });
    expect(json.diff).toEqual({
      added: [],
      removed: [{ path: '/interface[name=ethernet-1/2]', value: { 'admin-state': 'enable', description: 'to spine02', name: 'ethernet-1/2' } }],
      changed: [{ path: '/interface[name=ethernet-1/1]/mtu', before: 9214, after: 1500 }],
    });

    // The id the second and third share names those bytes: it resolves (to the newest), no ambiguity.
    const shared = await runCli(['backups', 'diff', 'leaf01', 'chg-1', ids.third.slice(0, 12), '--dir', dir, '--json']);
    expect(shared.code).toBe(0);
    expect(JSON.parse(shared.stdout)).toMatchObject({ to: { commit: commits.third, backupId: ids.third } });

    const same = await runCli(['backups', 'diff', 'leaf01', 'latest~1', 'latest', '--dir', dir]);
    expect(same.code).toBe(0);
    expect(same.stdout.trimEnd().split('\n').slice(1)).toEqual(['no differences']);
  });

  it("shows git's unified diff of the stored documents with --unified", async () => {
    const run = await runCli(['backups', 'diff', 'leaf01', 'chg-1', 'chg-2', '--unified', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`--- ${ids.first.slice(0, 12)}/leaf01.json\n+++ ${ids.second.slice(0, 12)}/leaf01.json`);
    expect(run.stdout).toMatch(/^-\s+"mtu": 1500,$/m);
    expect(run.stdout).toMatch(/^\+\s+"mtu": 9214,$/m);
    expect(run.stdout).toMatch(/^\+\s+"description": "to spine02",$/m);
  });

  it('refuses references that name no backup of the device, and bad device names (exit 2)', async () => {
    const [unknown, tooFar, otherDevice, badName] = await Promise.all([
      runCli(['backups', 'diff', 'leaf01', 'chg-404', 'latest', '--dir', dir]),
      runCli(['backups', 'diff', 'leaf01', 'latest~3', 'latest', '--dir', dir]),
      // leaf010's commit exists in the store, but it is not a backup of leaf01.
      runCli(['backups', 'diff', 'leaf01', commits.other, 'latest', '--dir', dir]),
      runCli(['backups', 'list', '../etc', '--dir', dir]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no backup of leaf01 matches "chg-404"');
    expect(unknown.stderr).toContain(`synapse backups list leaf01 --dir ${dir}`);
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toContain('"latest~3": leaf01 has only 3 backup(s)');
    expect(otherDevice.code).toBe(2);
    expect(otherDevice.stderr).toContain(`no backup of leaf01 matches "${commits.other}"`);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('<device>: device name');
  });

  it('says where it looked when there is no store, or the directory is not one (exit 3)', async () => {
    const missing = path.join(root, 'nowhere');
    const plain = path.join(root, 'plain');
    mkdirSync(plain);
    const [none, notGit] = await Promise.all([runCli(['backups', 'list', 'leaf01', '--dir', missing]), runCli(['backups', 'list', 'leaf01'], { env: { SYNAPSE_BACKUP_DIR: plain } })]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`no backup store at ${missing}`);
    expect(notGit.code).toBe(3);
    expect(notGit.stderr).toContain(`${plain} is not a backup store: it is not a git repository`);
  });

  it('refuses to diff a backup whose bytes do not match the sha256 recorded with it', async () => {
    // A commit in the store's format whose Backup-Sha256 is wrong: what a damaged or tampered store looks like.
    const tampered = path.join(root, 'tampered');
    const store = new GitBackupStore({ dir: tampered, onWarning: () => undefined });
    const ref = await store.writeBackup('leaf02', runningConfig({ mtu: 1500, hostName: 'leaf02' }), '2026-11-01T10:00:00.000Z');
    await store.archiveBackup(ref, { changeId: 'chg-good', workflowId: 'device/leaf02' });
    const blob = git(tampered, ['hash-object', '-w', '--stdin'], runningConfig({ mtu: 9000, hostName: 'leaf02' }).toString('utf8'));
    const parent = git(tampered, ['rev-parse', 'refs/heads/main']);
    const tree = git(tampered, ['mktree'], `${git(tampered, ['ls-tree', parent]).split('\n').filter((l) => !l.endsWith('\tleaf02.json')).join('\n')}\n100644 blob ${blob}\tleaf02.json\n`);
    const message = `backup leaf02 for change chg-bad\n\nDevice: leaf02\nChange-Id: chg-bad\nWorkflow-Id: device/leaf02\nBackup-Id: ${blob}\nBackup-Sha256: ${'0'.repeat(64)}\n`;
    const commit = execFileSync('git', ['commit-tree', tree, '-p', parent, '-F', '-'], {
      input: message,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GIT_DIR: path.join(tampered, '.git'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    }).trim();
    git(tampered, ['update-ref', 'refs/heads/main', commit, parent]);

    const run = await runCli(['backups', 'diff', 'leaf02', 'chg-good', 'chg-bad', '--dir', tampered]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`backup ${blob} of leaf02 (commit ${commit.slice(0, 12)}) is corrupt`);
    expect(run.stdout).toBe('');
  });
});

describe('synapse backups on a store the device-worker encrypts at rest', () => {
  let root: string;
  let dir: string;
  const key = randomBytes(32).toString('base64');
  /** The device-worker's payload keys, which it also encrypts backups with: the CLI is given the same. */
  const keys = { SYNAPSE_ENCRYPTION_KEYS: `k-cli=${key}` };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'synapse-cli-backups-encrypted-'));
    dir = path.join(root, 'backups');
    // The first backup was taken before keys were configured, the second after.
    const take = async (store: GitBackupStore, name: string, config: Buffer, changeId: string, takenAt: string) => {
      const ref = await store.writeBackup('leaf01', config, takenAt);
      await store.archiveBackup(ref, { changeId, workflowId: 'device/leaf01' });
      ids[name] = ref.id;
    };
    await take(new GitBackupStore({ dir, onWarning: () => undefined }), 'plain', runningConfig({ mtu: 1500 }), 'chg-1', '2026-11-01T10:00:00.000Z');
    await take(new GitBackupStore({ dir, onWarning: () => undefined, keyring: createEncryptionKeyring({ 'k-cli': key }) }), 'sealed', runningConfig({ mtu: 9214, extra: true }), 'chg-2', '2026-11-02T10:00:00.000Z');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('lists and diffs them with the same keys, the backup from before the keys included', async () => {
    expect(readFileSync(path.join(dir, 'leaf01.json'), 'utf8')).not.toContain('mtu');
    const list = await runCli(['backups', 'list', 'leaf01', '--dir', dir], { env: keys });
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(3);
    const byPath = await runCli(['backups', 'diff', 'leaf01', 'chg-1', 'chg-2', '--dir', dir], { env: keys });
    expect(byPath.code).toBe(0);
    expect(byPath.stdout.trimEnd().split('\n').slice(1)).toEqual([
      '1 changed, 1 added, 0 removed',
      '  ~ /interface[name=ethernet-1/1]/mtu: 1500 -> 9214',
      '  + /interface[name=ethernet-1/2]: {"admin-state":"enable","description":"to spine02","name":"ethernet-1/2"}',
    ]);
    const unified = await runCli(['backups', 'diff', 'leaf01', 'chg-1', 'chg-2', '--unified', '--dir', dir], { env: keys });
    expect(unified.code).toBe(0);
    expect(unified.stdout).toContain(`--- ${ids.plain.slice(0, 12)}/leaf01.json\n+++ ${ids.sealed.slice(0, 12)}/leaf01.json`);
    expect(unified.stdout).toMatch(/^-\s+"mtu": 1500,$/m);
    expect(unified.stdout).toMatch(/^\+\s+"mtu": 9214,$/m);
  });

  it('says which key it needs when it does not hold it (exit 2)', async () => {
    const other = { SYNAPSE_ENCRYPTION_KEYS: `k-other=${randomBytes(32).toString('base64')}` };
    const [none, wrong] = await Promise.all([
      runCli(['backups', 'diff', 'leaf01', 'chg-1', 'chg-2', '--dir', dir]),
      runCli(['backups', 'diff', 'leaf01', 'chg-1', 'chg-2', '--unified', '--dir', dir], { env: other }),
    ]);
    for (const run of [none, wrong]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`backup ${ids.sealed.slice(0, 12)} of leaf01 is encrypted with key id "k-cli"`);
      expect(run.stderr).toContain('SYNAPSE_ENCRYPTION_KEYS');
      expect(run.stdout).toBe('');
    }
  });
});
