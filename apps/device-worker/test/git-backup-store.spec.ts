import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { BackupIntegrityError } from '../src/backup-store/backup-store';
import { serializeBackup } from '../src/backup-store/backup-document';
import { GitBackupStore } from '../src/backup-store/git-backup-store';
import { WriteQueue } from '../src/backup-store/write-queue';
import { createEncryptionKeyring } from '@synapse/temporal-connection';
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

describe('backups at rest', () => {
  let dir: string;
  let store: string;
  const key2024 = randomBytes(32);
  const key2025 = randomBytes(32);
  const keys2024 = createEncryptionKeyring({ 'k-2024': key2024 });
  const rotated = createEncryptionKeyring({ 'k-2024': key2024, 'k-2025': key2025 }, 'k-2025');
  /** Config text that must never be readable in the repository once keys are set. */
  const secretConfig = () => config('leaf01-secret-host', '$6$enable-password-hash');
  const ownership = (changeId: string) => ({
    device: 'leaf01',
    changeId,
    workflowId: 'device/leaf01',
    recordedAt: '2026-11-01T10:00:00.000Z',
    checksum: 'f'.repeat(64),
    config: { '/interface[name=ethernet-1/1]': { name: 'ethernet-1/1', description: 'owned-secret-description' } },
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'git-backup-at-rest-'));
    store = path.join(dir, 'backups');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every file and directory in the store with its permission bits. */
  function modes(root: string): { entry: string; mode: number; isDir: boolean }[] {
    const stat = lstatSync(root);
    const here = { entry: path.relative(store, root) || '.', mode: stat.mode & 0o777, isDir: stat.isDirectory() };
    return stat.isDirectory() ? [here, ...readdirSync(root).flatMap((child) => modes(path.join(root, child)))] : [here];
  }

  /** Every object in the repository, decompressed: what anyone able to read .git could see. */
  function allObjects(): string {
    return execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { env: { PATH: process.env.PATH, GIT_DIR: path.join(store, '.git') } }).toString('latin1');
  }

  async function writeAll(backups: GitBackupStore) {
    const ref = await backups.writeBackup('leaf01', secretConfig(), '2026-11-01T10:00:00.000Z');
    await backups.archiveBackup(ref, { changeId: 'chg-1', workflowId: 'device/leaf01' });
    await backups.writeOwnership(ownership('chg-1'));
    return ref;
  }

  it('keeps the store owner-only whatever the umask: files 0600 (git objects 0400), directories 0700', async () => {
    const umask = process.umask(0o022);
    try {
      await writeAll(new GitBackupStore({ dir: store }));
    } finally {
      process.umask(umask);
    }
    const entries = modes(store);
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.entry} ${e.mode.toString(8)}`)).toEqual([]);
    expect(entries.filter((e) => e.isDir && e.mode !== 0o700).map((e) => e.entry)).toEqual([]);
    for (const file of ['README.md', 'leaf01.json', 'ownership/leaf01.json', '.git/config', '.git/index', '.git/HEAD']) {
      expect({ file, mode: (lstatSync(path.join(store, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
    // So that git run in it by hand keeps to the same rule.
    expect(git(store, 'config', '--get', 'core.sharedRepository').trim()).toBe('0600');
  });

  it('takes group and other access away from a store made before that was the rule', async () => {
    await writeAll(new GitBackupStore({ dir: store }));
    git(store, 'config', '--unset', 'core.sharedRepository');
    const widen = (entry: string) => {
      const stat = lstatSync(entry);
      chmodSync(entry, stat.isDirectory() ? 0o755 : 0o644);
      if (stat.isDirectory()) readdirSync(entry).forEach((child) => widen(path.join(entry, child)));
    };
    widen(store);
    await new GitBackupStore({ dir: store, queue: new WriteQueue() }).ready();
    expect(modes(store).filter((e) => (e.mode & 0o077) !== 0).map((e) => e.entry)).toEqual([]);
    expect(git(store, 'config', '--get', 'core.sharedRepository').trim()).toBe('0600');
  });

  it('with keys configured, nothing in the repository holds the config text, and reading decrypts', async () => {
    const backups = new GitBackupStore({ dir: store, keyring: keys2024 });
    const ref = await writeAll(backups);
    // The ref describes the config itself: what a rollback verifies after decrypting.
    expect(ref.sha256).toBe(createHash('sha256').update(secretConfig()).digest('hex'));
    expect(ref.sizeBytes).toBe(secretConfig().length);
    const stored = execFileSync('git', ['cat-file', 'blob', ref.id], { env: { PATH: process.env.PATH, GIT_DIR: path.join(store, '.git') } });
    expect(JSON.parse(stored.toString('utf8'))).toEqual({ encryption: 'AES-256-GCM', keyId: 'k-2024', data: expect.any(String) });
    for (const bytes of [readFileSync(path.join(store, 'leaf01.json')), readFileSync(path.join(store, 'ownership', 'leaf01.json')), Buffer.from(allObjects(), 'latin1')]) {
      const text = bytes.toString('latin1');
      expect(text).not.toContain('leaf01-secret-host');
      expect(text).not.toContain('enable-password-hash');
      expect(text).not.toContain('owned-secret-description');
    }
    expect((await backups.readBackup(ref)).equals(secretConfig())).toBe(true);
    expect(await backups.readOwnership('leaf01')).toEqual(ownership('chg-1'));
  });

  it('without keys, stores the config as it is (owner-only)', async () => {
    await writeAll(new GitBackupStore({ dir: store }));
    expect(readFileSync(path.join(store, 'leaf01.json')).equals(secretConfig())).toBe(true);
  });

  it('reads what was stored before keys were configured, and what an older key sealed after a rotation', async () => {
    const plainRef = await writeAll(new GitBackupStore({ dir: store }));
    const sealedRef = await new GitBackupStore({ dir: store, keyring: keys2024 }).writeBackup('leaf01', config('leaf01', 'sealed in 2024'), new Date().toISOString());
    const now = new GitBackupStore({ dir: store, keyring: rotated });
    expect((await now.readBackup(plainRef)).equals(secretConfig())).toBe(true);
    expect(await now.readOwnership('leaf01')).toEqual(ownership('chg-1'));
    expect((await now.readBackup(sealedRef)).equals(config('leaf01', 'sealed in 2024'))).toBe(true);
    // New writes use the active key.
    const fresh = await now.writeBackup('leaf01', config('leaf01', 'sealed in 2025'), new Date().toISOString());
    expect(JSON.parse(git(store, 'cat-file', 'blob', fresh.id)).keyId).toBe('k-2025');
    expect((await now.readBackup(fresh)).equals(config('leaf01', 'sealed in 2025'))).toBe(true);
  });

  it('refuses a backup sealed with a key it does not hold, naming the key id', async () => {
    const ref = await new GitBackupStore({ dir: store, keyring: keys2024 }).writeBackup('leaf01', secretConfig(), new Date().toISOString());
    for (const keyring of [createEncryptionKeyring({ 'k-2025': key2025 }), undefined]) {
      const error = await new GitBackupStore({ dir: store, ...(keyring ? { keyring } : {}) }).readBackup(ref).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BackupIntegrityError);
      expect(error).toMatchObject({ reason: 'undecryptable', details: { backupId: ref.id, keyId: 'k-2024' } });
      expect((error as Error).message).toContain(`backup ${ref.id} of leaf01 is encrypted with key id "k-2024"`);
    }
  });
});
