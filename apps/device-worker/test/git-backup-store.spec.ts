import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { BackupIntegrityError } from '../src/backup-store/backup-store';
import { serializeBackup } from '../src/backup-store/backup-document';
import { GitBackupStore } from '../src/backup-store/git-backup-store';
import { WriteQueue } from '../src/backup-store/write-queue';
import { sleep } from './lab';

const run = promisify(execFile);
const WRITER = path.join(__dirname, 'fixtures', 'store-writer.js');
const BUILT_STORE = path.join(__dirname, '..', 'dist', 'backup-store', 'git-backup-store.js');

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
}

const config = (hostName: string, note = '') => serializeBackup({ 'srl_nokia-system:system': { name: { 'host-name': hostName }, note } });

describe('the git backup store', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'git-backup-store-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('works inside another checkout: the repository is its own, not the enclosing one', async () => {
    git(dir, 'init', '--quiet');
    const store = new GitBackupStore({ dir: path.join(dir, '.data', 'backups') });
    const ref = await store.writeBackup('leaf01', config('leaf01'), new Date().toISOString());
    await store.archiveBackup(ref, { changeId: 'c1', workflowId: 'w1' });
    expect(existsSync(path.join(dir, '.data', 'backups', '.git'))).toBe(true);
    // The enclosing repository has no commits and no objects of ours.
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: dir, stdio: 'ignore' })).toThrow();
    expect(git(path.join(dir, '.data', 'backups'), 'log', '--format=%s').trim().split('\n')).toEqual(['backup leaf01 for change c1', 'Synapse device backup store']);
  });

  it("ignores the user's git config (line-ending conversion, identity, signing): the work tree holds the exact backup bytes", async () => {
    const home = path.join(dir, 'home');
    mkdirSync(home);
    writeFileSync(
      path.join(home, '.gitconfig'),
      '[user]\n  name = Someone Else\n  email = someone@example.com\n[core]\n  autocrlf = true\n[commit]\n  gpgsign = true\n[gpg]\n  program = /bin/false\n',
    );
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const store = new GitBackupStore({ dir: path.join(dir, 'backups') });
      const ref = await store.writeBackup('spine01', config('spine01'), '2026-01-02T03:04:05.000Z');
      const { commit } = await store.archiveBackup(ref, { changeId: 'c1', workflowId: 'w1' });
      expect(git(path.join(dir, 'backups'), 'log', '-1', '--format=%an <%ae> %aI', commit).trim()).toBe('Synapse device-worker <device-worker@synapse.invalid> 2026-01-02T03:04:05+00:00');
      // With the user's autocrlf the checked-out file would have CRLF line ends.
      expect(readFileSync(path.join(dir, 'backups', 'spine01.json')).equals(config('spine01'))).toBe(true);
    } finally {
      process.env.HOME = saved;
    }
  });

  it('writers that do not share a queue (as separate processes would not) lose no backup: the branch moves by compare-and-swap', async () => {
    const writers = [0, 1, 2].map(() => new GitBackupStore({ dir, queue: new WriteQueue(), onWarning: () => undefined }));
    await writers[0].ready();
    const jobs = writers.flatMap((store, w) =>
      [0, 1, 2, 3].map(async (i) => {
        const device = `leaf${w}${i}`;
        const ref = await store.writeBackup(device, config(device, `w${w}`), new Date().toISOString());
        return { ref, archived: await store.archiveBackup(ref, { changeId: `chg-${w}-${i}`, workflowId: `device/${device}` }) };
      }),
    );
    const results = await Promise.all(jobs);
    expect(git(dir, 'rev-list', '--count', 'HEAD').trim()).toBe('13');
    const files = git(dir, 'ls-tree', '--name-only', 'HEAD').trim().split('\n');
    expect(files).toHaveLength(13);
    for (const { ref, archived } of results) {
      expect(git(dir, 'rev-parse', `${archived.commit}:${ref.device}.json`).trim()).toBe(ref.id);
      expect(git(dir, 'rev-parse', `HEAD:${ref.device}.json`).trim()).toBe(ref.id);
    }
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('worker processes sharing the repository all land their commits', async () => {
    if (!existsSync(BUILT_STORE)) throw new Error(`${BUILT_STORE} is missing: build first (npx tsc -p apps/device-worker/tsconfig.json)`);
    await new GitBackupStore({ dir }).ready();
    const outputs = await Promise.all(['leaf01', 'leaf02', 'spine01'].map((device) => run(process.execPath, [WRITER, dir, device, '4', `p-${device}`])));
    const commits = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as { commit: string }[]).map((c) => c.commit);
    expect(new Set(commits).size).toBe(12);
    const onBranch = git(dir, 'rev-list', 'HEAD').trim().split('\n');
    expect(onBranch).toHaveLength(13);
    expect(onBranch).toEqual(expect.arrayContaining(commits));
    expect(git(dir, 'log', '--format=%s', '--', 'spine01.json').trim().split('\n')).toHaveLength(4);
  });

  it('replicas starting at once on a fresh shared directory all come up and share one repository', async () => {
    if (!existsSync(BUILT_STORE)) throw new Error(`${BUILT_STORE} is missing: build first (npx tsc -p apps/device-worker/tsconfig.json)`);
    // A few fresh directories: the collision (two `git init`s at once) is a race, so give it several chances.
    for (let round = 0; round < 5; round++) {
      const shared = mkdtempSync(path.join(dir, `fresh-${round}-`));
      const outputs = await Promise.all(['leaf01', 'leaf02', 'spine01', 'spine02'].map((device) => run(process.execPath, [WRITER, shared, device, '1', `r${round}-${device}`])));
      expect(outputs.flatMap(({ stdout }) => JSON.parse(stdout) as unknown[])).toHaveLength(4);
      // One root commit (the store's README), then the four backups.
      expect(git(shared, 'rev-list', 'HEAD').trim().split('\n')).toHaveLength(5);
    }
  });

  it('waits out a git lock held by another process, and the work tree catches up when it is released', async () => {
    const store = new GitBackupStore({ dir, onWarning: () => undefined });
    await store.ready();
    const indexLock = path.join(dir, '.git', 'index.lock');
    const branchLock = path.join(dir, '.git', 'refs', 'heads', 'main.lock');
    writeFileSync(indexLock, '');
    writeFileSync(branchLock, '');
    const release = sleep(300).then(() => {
      unlinkSync(branchLock);
      unlinkSync(indexLock);
    });
    const ref = await store.writeBackup('leaf01', config('leaf01'), new Date().toISOString());
    const started = Date.now();
    const archived = await store.archiveBackup(ref, { changeId: 'c1', workflowId: 'w1' });
    await release;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(archived.commit);
    expect(readFileSync(path.join(dir, 'leaf01.json')).equals(await store.readBackup(ref))).toBe(true);
  });

  it('a lock that never goes away fails the archive loudly instead of hanging, and nothing is half-written', async () => {
    const store = new GitBackupStore({ dir, lockRetry: { attempts: 5, maxDelayMs: 10 } });
    await store.ready();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'main.lock'), '');
    const ref = await store.writeBackup('leaf01', config('leaf01'), new Date().toISOString());
    await expect(store.archiveBackup(ref, { changeId: 'c1', workflowId: 'w1' })).rejects.toThrow(/main\.lock/);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
  });

  it('readBackup gives back the exact bytes by id, also after later backups of the same device', async () => {
    const store = new GitBackupStore({ dir });
    const first = await store.writeBackup('leaf01', config('leaf01', 'one'), new Date().toISOString());
    await store.archiveBackup(first, { changeId: 'c1', workflowId: 'w' });
    const second = await store.writeBackup('leaf01', config('leaf01', 'two'), new Date().toISOString());
    await store.archiveBackup(second, { changeId: 'c2', workflowId: 'w' });
    expect((await store.readBackup(first)).equals(config('leaf01', 'one'))).toBe(true);
    expect((await store.readBackup(second)).equals(config('leaf01', 'two'))).toBe(true);
  });

  it('refuses a backup whose stored object was altered (sha256 mismatch) or that does not exist', async () => {
    const store = new GitBackupStore({ dir });
    const ref = await store.writeBackup('leaf01', config('leaf01'), new Date().toISOString());
    // Rewrite the loose object with other content under the same id, as disk corruption or tampering would.
    const objectFile = path.join(dir, '.git', 'objects', ref.id.slice(0, 2), ref.id.slice(2));
    const tampered = Buffer.from(config('leaf01').toString('utf8').replace('leaf01', 'evil01'));
    chmodSync(objectFile, 0o644);
    writeFileSync(objectFile, deflateSync(Buffer.concat([Buffer.from(`blob ${tampered.length}\0`), tampered])));

    const corrupt = await store.readBackup(ref).catch((err: unknown) => err);
    expect(corrupt).toBeInstanceOf(BackupIntegrityError);
    expect(corrupt).toMatchObject({ reason: 'corrupt' });
    expect((corrupt as Error).message).toContain(`expected ${ref.sha256}`);

    const missing = await store.readBackup({ ...ref, id: 'a'.repeat(40) }).catch((err: unknown) => err);
    expect(missing).toMatchObject({ reason: 'not-found' });
    // Revision syntax is not an id: it must not resolve to some file in history.
    const revision = await store.readBackup({ ...ref, id: 'HEAD:README.md' }).catch((err: unknown) => err);
    expect(revision).toMatchObject({ reason: 'not-found' });
  });

  it('keeps commit trailers one line each, whatever the reason text holds', async () => {
    const store = new GitBackupStore({ dir });
    const ref = await store.writeBackup('leaf01', config('leaf01'), new Date().toISOString());
    const { commit } = await store.archiveBackup(ref, { changeId: 'c1', workflowId: 'w1', reason: 'fix MTU\nChange-Id: forged' });
    const history = await store.history('leaf01');
    expect(history).toEqual([expect.objectContaining({ commit, changeId: 'c1', reason: 'fix MTU Change-Id: forged' })]);
  });
});
