import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { BackupRef, DeviceName, parseInput } from '@synapse/contracts';
import { AtRestDecryptionError, decryptAtRest, encryptAtRest, type EncryptionKeyring } from '@synapse/temporal-connection';
import { BackupIntegrityError, type ArchivedBackup, type BackupMetadata, type BackupStore, type OwnershipRecord } from './backup-store';
import { GitCommandError, retryOnLock, runGit, type GitIdentity, type GitRepository, type GitRunOptions, type LockRetry } from './git-cli';
import { queueFor, type WriteQueue } from './write-queue';

/**
 * Backups in a git repository: one file per device (`leaf01.json`), one
 * commit per archived backup with the change id and workflow id in the
 * message, so `git log -p -- leaf01.json` is the device's config history
 * and plain git tools read it.
 *
 * Design: writeBackup stores the config as a git blob (`git hash-object -w`)
 * and returns its object id as BackupRef.id. The blob is content-addressed,
 * so the id names the exact bytes for ever, before and after archiving,
 * and sha256 (which the ref also carries) verifies them independently of
 * git. archiveBackup then commits that blob as `<device>.json` with the
 * change metadata. Splitting the two keeps the backup step a pure read of
 * the device plus an immutable write, and gives the archive step (the one
 * with the change metadata) the single commit. A backup that is never
 * archived stays an unreferenced blob; automatic gc is switched off in the
 * repository so it is not pruned behind a workflow's back.
 *
 * Concurrency: commits are built with plumbing (ls-tree, mktree,
 * commit-tree) and published with a compare-and-swap of the branch
 * (`update-ref <branch> <new> <old>`), retried when another writer moved
 * the branch or holds its lock. That is correct across processes sharing
 * the repository. Within one process, writes also go through one queue per
 * repository so they do not spin against each other. The work tree (what
 * an operator `cat`s) is refreshed from the branch after each commit under
 * git's index.lock, retried the same way; a work tree that cannot be
 * refreshed is reported and does not fail the backup, whose commit has landed.
 *
 * At rest: a backup is a device's whole config (password hashes, keys), so
 * everything in the repository is its owner's alone (files 0600 or read-only
 * 0400, directories 0700: git runs under umask 077, the repository is
 * core.sharedRepository=0600 for anyone running git in it by hand, and a
 * store made before that is tightened once). With a keyring, configs and
 * ownership records are stored encrypted (libs/temporal-connection's
 * encryptAtRest, the payload keys); what was stored in plain before still
 * reads.
 */
export interface GitBackupStoreOptions {
  /** The repository's work tree; created (with `git init`) when missing. */
  dir: string;
  clock?: () => Date;
  identity?: GitIdentity;
  /** Retries when another process holds a git lock or moved the branch first. */
  lockRetry?: LockRetry;
  /** Defaults to the process-wide queue of this repository. Tests give separate queues to act as separate processes. */
  queue?: WriteQueue;
  /** The payload keyring (SYNAPSE_ENCRYPTION_*): new backups and ownership records are encrypted with its active key. */
  keyring?: EncryptionKeyring;
  onWarning?: (message: string) => void;
}

export interface BackupHistoryEntry {
  commit: string;
  device: string;
  changeId: string;
  workflowId: string;
  backupId: string;
  sha256: string;
  reason?: string;
}

const DEFAULT_IDENTITY: GitIdentity = { name: 'Synapse device-worker', email: 'device-worker@synapse.invalid' };
const DEFAULT_LOCK_RETRY: LockRetry = { attempts: 100, maxDelayMs: 50 };
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const BRANCH = 'refs/heads/main';
/** Owner-only: the store directory's mode, and the core.sharedRepository git keeps to in .git even when run there by hand. */
const OWNER_ONLY = { dir: 0o700, sharedRepository: '0600' } as const;
const README = `# Synapse device backups

One file per device: the running config (gNMI Get CONFIG at the root,
JSON_IETF) as it was before a change. One commit per backup; its message
names the device, the change id and the workflow that took it.

    git log -p -- leaf01.json          # leaf01's config history
    git log --grep='^Device: leaf01$'  # every backup of leaf01, also those that found nothing changed

ownership/<device>.json is what Synapse owns on the device: the config its
last confirmed change rendered. A later change deletes only what this file
names and the intent no longer has; everything else on the device is left
alone.

With encryption keys configured (SYNAPSE_ENCRYPTION_KEYS_FILE or
SYNAPSE_ENCRYPTION_KEYS), files are stored encrypted, one line of JSON
naming the key id; \`synapse backups diff\` decrypts them with the same keys.

Written by the device-worker; do not commit here by hand.
`;

export class GitBackupStore implements BackupStore {
  readonly dir: string;
  readonly #repo: GitRepository;
  readonly #clock: () => Date;
  readonly #identity: GitIdentity;
  readonly #lockRetry: LockRetry;
  readonly #queue: WriteQueue;
  readonly #warn: (message: string) => void;
  readonly #keyring: EncryptionKeyring | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: GitBackupStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.#repo = { workTree: this.dir, gitDir: path.join(this.dir, '.git') };
    this.#clock = options.clock ?? (() => new Date());
    this.#identity = options.identity ?? DEFAULT_IDENTITY;
    this.#lockRetry = options.lockRetry ?? DEFAULT_LOCK_RETRY;
    this.#queue = options.queue ?? queueFor(this.dir);
    this.#warn = options.onWarning ?? ((message) => process.stderr.write(`device-worker: ${message}\n`));
    this.#keyring = options.keyring;
  }

  /** Creates the repository on first use; safe to call many times. */
  ready(): Promise<void> {
    this.#ready ??= this.#init().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async writeBackup(device: string, content: Buffer, takenAt: string): Promise<BackupRef> {
    const name = parseInput(DeviceName, device, 'backup device');
    await this.ready();
    const id = (await this.#git(['hash-object', '-w', '--stdin'], { input: this.#seal(content) })).stdout.toString('utf8').trim();
    return { device: name, id, sha256: sha256(content), sizeBytes: content.length, takenAt };
  }

  async readBackup(input: BackupRef): Promise<Buffer> {
    const ref = parseInput(BackupRef, input, 'backup');
    await this.ready();
    const where = `backup ${ref.id} of ${ref.device}`;
    if (!OBJECT_ID.test(ref.id)) throw new BackupIntegrityError('not-found', `${where}: not an object id of this store`, { backupId: ref.id });
    const type = await this.#git(['cat-file', '-t', ref.id], { okExitCodes: [1, 128] });
    if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'blob') {
      throw new BackupIntegrityError('not-found', `${where}: not in the backup store at ${this.dir}`, { backupId: ref.id });
    }
    const content = this.#open((await this.#git(['cat-file', 'blob', ref.id])).stdout, where, { backupId: ref.id });
    const actual = sha256(content);
    if (content.length !== ref.sizeBytes || actual !== ref.sha256) {
      throw new BackupIntegrityError(
        'corrupt',
        `${where}: stored bytes do not match the backup reference (sha256 ${actual}, ${content.length} bytes; expected ${ref.sha256}, ${ref.sizeBytes} bytes)`,
        { backupId: ref.id, expectedSha256: ref.sha256, actualSha256: actual, expectedBytes: ref.sizeBytes, actualBytes: content.length },
      );
    }
    return content;
  }

  archiveBackup(input: BackupRef, metadata: BackupMetadata): Promise<ArchivedBackup> {
    const ref = parseInput(BackupRef, input, 'backup');
    return this.#queue.run(async () => {
      // Never archive bytes that are not the ones the ref promises.
      await this.readBackup(ref);
      const existing = (await this.#historyMatching(['--grep', `Backup-Id: ${ref.id}`])).find(
        (entry) => entry.device === ref.device && entry.changeId === metadata.changeId && entry.workflowId === metadata.workflowId && entry.backupId === ref.id,
      );
      if (existing) return { backup: ref, commit: existing.commit, alreadyArchived: true };
      const commit = await this.#commitFile(`${ref.device}.json`, ref.id, commitMessage(ref, metadata), new Date(ref.takenAt));
      await this.#refreshWorkTree();
      return { backup: ref, commit, alreadyArchived: false };
    });
  }

  /**
   * The ownership record goes in the same repository as the backups, one
   * commit per confirmed deploy, so the history of what Synapse owned sits
   * next to the history of what the device ran.
   */
  writeOwnership(record: OwnershipRecord): Promise<string> {
    const device = parseInput(DeviceName, record.device, 'ownership device');
    return this.#queue.run(async () => {
      await this.ready();
      const content = Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
      const blob = (await this.#git(['hash-object', '-w', '--stdin'], { input: this.#seal(content) })).stdout.toString('utf8').trim();
      const message = [
        `ownership ${device} after change ${oneLine(record.changeId)}`,
        '',
        `Device: ${device}`,
        `Change-Id: ${oneLine(record.changeId)}`,
        `Workflow-Id: ${oneLine(record.workflowId)}`,
        `Ownership-Sha256: ${record.checksum}`,
      ].join('\n');
      const commit = await this.#commitFile(ownershipFile(device), blob, `${message}\n`, new Date(record.recordedAt));
      await this.#refreshWorkTree();
      return commit;
    });
  }

  async readOwnership(device: string): Promise<OwnershipRecord | undefined> {
    const name = parseInput(DeviceName, device, 'ownership device');
    await this.ready();
    const shown = await this.#git(['show', `${BRANCH}:${ownershipFile(name)}`], { okExitCodes: [128] });
    if (shown.code !== 0) return undefined;
    return JSON.parse(this.#open(shown.stdout, `ownership record of ${name}`).toString('utf8')) as OwnershipRecord;
  }

  /** Every archived backup of a device, newest first (also those whose config was unchanged). */
  async history(device: string): Promise<BackupHistoryEntry[]> {
    const name = parseInput(DeviceName, device, 'backup device');
    await this.ready();
    return (await this.#historyMatching(['--grep', `Device: ${name}`])).filter((entry) => entry.device === name);
  }

  async #init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: OWNER_ONLY.dir });
    await this.#tightenLegacyStore();
    if (!existsSync(this.#repo.gitDir)) {
      try {
        // No template: a backup repository needs no sample hooks, and copying them is what two
        // replicas starting at once on a shared volume collide on.
        await this.#git(['init', '--quiet', '--initial-branch=main', '--template=', `--shared=${OWNER_ONLY.sharedRepository}`]);
      } catch (err) {
        // Another worker is initialising it between our check and our init: theirs will do.
        if (!(err instanceof GitCommandError)) throw err;
      }
    }
    // A repository another replica is still creating is not one yet: wait for it.
    if (!(await this.#isRepository())) throw new Error(`backup store: ${this.#repo.gitDir} exists but is not a git repository (another process left it half-made?)`);
    // Backups written but not yet archived are unreferenced blobs; gc must not prune them.
    const gcAuto = await this.#git(['config', '--get', 'gc.auto'], { okExitCodes: [1] });
    if (gcAuto.stdout.toString('utf8').trim() !== '0') await retryOnLock(this.#lockRetry, () => this.#git(['config', 'gc.auto', '0']));
    // A store made before owner-only was the rule has no such setting yet.
    const shared = await this.#git(['config', '--get', 'core.sharedRepository'], { okExitCodes: [1] });
    if (shared.stdout.toString('utf8').trim() !== OWNER_ONLY.sharedRepository) {
      await retryOnLock(this.#lockRetry, () => this.#git(['config', 'core.sharedRepository', OWNER_ONLY.sharedRepository]));
    }
    const head = await this.#git(['rev-parse', '--verify', '--quiet', BRANCH], { okExitCodes: [1] });
    if (head.code === 0) return;
    const readme = (await this.#git(['hash-object', '-w', '--stdin'], { input: README })).stdout.toString('utf8').trim();
    const tree = await this.#mktree([`100644 blob ${readme}\tREADME.md`]);
    const commit = await this.#commitTree(tree, undefined, 'Synapse device backup store\n', this.#clock());
    try {
      // Empty old value: only if nobody created the branch meanwhile.
      await this.#git(['update-ref', BRANCH, commit, '']);
    } catch (err) {
      if (!(err instanceof GitCommandError)) throw err;
      const now = await this.#git(['rev-parse', '--verify', '--quiet', BRANCH], { okExitCodes: [1] });
      if (now.code !== 0) throw err;
    }
    await this.#refreshWorkTree();
  }

  /**
   * A store directory others may enter was made before owner-only was the
   * rule (or by an operator's mkdir): take group and other access away from
   * everything in it, the directory last so nothing is reachable meanwhile
   * with wider rights than before. A directory already 0700 is left as is,
   * so this costs one stat per start.
   */
  async #tightenLegacyStore(): Promise<void> {
    if (process.platform === 'win32' || ((await lstat(this.dir)).mode & 0o077) === 0) return;
    const tighten = async (entry: string): Promise<void> => {
      const stat = await lstat(entry);
      if (stat.isSymbolicLink()) return;
      if (stat.isDirectory()) {
        for (const child of await readdir(entry)) await tighten(path.join(entry, child));
      }
      if ((stat.mode & 0o077) !== 0) await chmod(entry, stat.mode & 0o700);
    };
    try {
      await tighten(this.dir);
    } catch (err) {
      // Someone else's directory (a mount point): the worker cannot change it, and says so.
      this.#warn(`backup store ${this.dir}: could not make it owner-only (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); others may read the backups`);
    }
  }

  /** The bytes to store: encrypted with the active key when a keyring is configured. */
  #seal(content: Buffer): Buffer {
    return this.#keyring ? encryptAtRest(this.#keyring, content) : content;
  }

  /** Stored bytes back as written: decrypted when they were encrypted (with any configured key), as they are otherwise. */
  #open(stored: Buffer, what: string, details: Record<string, unknown> = {}): Buffer {
    try {
      return decryptAtRest(this.#keyring, stored, what);
    } catch (err) {
      if (!(err instanceof AtRestDecryptionError)) throw err;
      throw new BackupIntegrityError('undecryptable', err.message, { ...details, keyId: err.keyId, decryption: err.problem });
    }
  }

  /** Whether the directory is (or, within a second or two, becomes) a repository another process is creating. */
  async #isRepository(): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const probe = await this.#git(['rev-parse', '--git-dir'], { okExitCodes: [128] });
      if (probe.code === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  /** One commit on the branch that sets `file` (at the top, or one folder down) to `blob`, published by compare-and-swap. */
  async #commitFile(file: string, blob: string, message: string, authoredAt: Date): Promise<string> {
    const slash = file.indexOf('/');
    return retryOnLock(this.#lockRetry, async () => {
      const parent = (await this.#git(['rev-parse', '--verify', BRANCH])).stdout.toString('utf8').trim();
      const tree =
        slash < 0
          ? await this.#treeWith(parent, file, `100644 blob ${blob}`)
          : await this.#treeWith(parent, file.slice(0, slash), `040000 tree ${await this.#treeWith(`${parent}:${file.slice(0, slash)}`, file.slice(slash + 1), `100644 blob ${blob}`)}`);
      const commit = await this.#commitTree(tree, parent, message, authoredAt);
      // Fails with "cannot lock ref" when another writer moved the branch or holds its lock: retried.
      await this.#git(['update-ref', '-m', `backup ${file}`, BRANCH, commit, parent]);
      return commit;
    });
  }

  /** The tree `treeish` (empty when it does not exist) with `name` set to `entry` ("<mode> <type> <id>"). */
  async #treeWith(treeish: string, name: string, entry: string): Promise<string> {
    const listing = await this.#git(['ls-tree', '-z', treeish], { okExitCodes: [128] });
    const entries = listing.code !== 0 ? [] : listing.stdout.toString('utf8').split('\0').filter((line) => line !== '' && line.slice(line.indexOf('\t') + 1) !== name);
    return this.#mktree([...entries, `${entry}\t${name}`]);
  }

  async #mktree(entries: string[]): Promise<string> {
    const input = entries.map((entry) => `${entry}\0`).join('');
    return (await this.#git(['mktree', '-z'], { input })).stdout.toString('utf8').trim();
  }

  async #commitTree(tree: string, parent: string | undefined, message: string, authoredAt: Date): Promise<string> {
    const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'];
    const env = { GIT_AUTHOR_DATE: gitDate(authoredAt), GIT_COMMITTER_DATE: gitDate(this.#clock()) };
    return (await this.#git(args, { input: message, env })).stdout.toString('utf8').trim();
  }

  /** Makes the files an operator sees match the branch. */
  async #refreshWorkTree(): Promise<void> {
    try {
      await retryOnLock(this.#lockRetry, () => this.#git(['read-tree', '--reset', '-u', BRANCH]));
    } catch (err) {
      this.#warn(`backup store ${this.dir}: the work tree could not be refreshed (the commit is in place): ${(err as Error).message}`);
    }
  }

  async #historyMatching(grep: string[]): Promise<BackupHistoryEntry[]> {
    const log = await this.#git(['log', '--format=%H%x00%B%x1e', '--fixed-strings', ...grep, BRANCH]);
    return log.stdout
      .toString('utf8')
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record.includes('\0'))
      .map((record) => {
        const [commit, body] = record.split('\0');
        const trailers = parseTrailers(body);
        return {
          commit,
          device: trailers.get('Device') ?? '',
          changeId: trailers.get('Change-Id') ?? '',
          workflowId: trailers.get('Workflow-Id') ?? '',
          backupId: trailers.get('Backup-Id') ?? '',
          sha256: trailers.get('Backup-Sha256') ?? '',
          ...(trailers.has('Reason') ? { reason: trailers.get('Reason') } : {}),
        };
      })
      .filter((entry) => entry.device !== '' && entry.backupId !== '');
  }

  #git(args: string[], options?: GitRunOptions) {
    return runGit(this.#repo, this.#identity, args, options);
  }
}

function ownershipFile(device: string): string {
  return `ownership/${device}.json`;
}

function commitMessage(ref: BackupRef, metadata: BackupMetadata): string {
  const lines = [
    `backup ${ref.device} for change ${oneLine(metadata.changeId)}`,
    '',
    `Device: ${ref.device}`,
    `Change-Id: ${oneLine(metadata.changeId)}`,
    `Workflow-Id: ${oneLine(metadata.workflowId)}`,
    ...(metadata.reason ? [`Reason: ${oneLine(metadata.reason)}`] : []),
    `Taken-At: ${ref.takenAt}`,
    `Backup-Id: ${ref.id}`,
    `Backup-Sha256: ${ref.sha256}`,
    `Size-Bytes: ${ref.sizeBytes}`,
  ];
  return `${lines.join('\n')}\n`;
}

function parseTrailers(body: string): Map<string, string> {
  const trailers = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = /^([A-Za-z0-9-]+): (.*)$/.exec(line);
    if (match && !trailers.has(match[1])) trailers.set(match[1], match[2]);
  }
  return trailers;
}

/** Trailers are one line each; a reason with newlines would forge extra ones. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

/** Git's internal date format: unambiguous whatever git's date parser prefers. */
function gitDate(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)} +0000`;
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
