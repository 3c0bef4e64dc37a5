import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeviceName, isSynapseError } from '@synapse/contracts';
import { AtRestDecryptionError, decryptAtRest, encryptionKeyringFromEnv, type EncryptionKeyring } from '@synapse/temporal-connection';
import { badInput, unavailable } from './cli-error';
import { runGit } from './git';

/**
 * Reads the device-worker's git backup store (apps/device-worker README,
 * "Backup store"): one file per device, `<device>.json`; one commit per
 * archived backup on `refs/heads/main`, whose message carries trailers
 * `Device`, `Change-Id`, `Workflow-Id`, `Reason`, `Taken-At`, `Backup-Id`
 * (the git blob of the stored bytes) and `Backup-Sha256` (of the config).
 * With payload keys configured the worker stores configs encrypted; they are
 * decrypted here with the same keys (SYNAPSE_ENCRYPTION_*), and backups
 * stored before that read as they are. Read only: the worker is the one writer.
 */
export interface BackupEntry {
  commit: string;
  /** When the backup was taken (the Taken-At trailer, else the commit's author date, which the store sets to it). */
  takenAt: string;
  device: string;
  changeId: string;
  workflowId: string;
  backupId: string;
  sha256: string;
  reason?: string;
}

const BRANCH = 'refs/heads/main';
/** The same default as the device-worker: the workspace's `.data/backups`, from dist/ or src/ alike. */
const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_BACKUP_DIR = path.join(WORKSPACE_ROOT, '.data', 'backups');

export function backupDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? (env.SYNAPSE_BACKUP_DIR?.trim() || DEFAULT_BACKUP_DIR));
}

export function parseDevice(device: string): string {
  const parsed = DeviceName.safeParse(device);
  if (!parsed.success) throw badInput(`<device>: ${parsed.error.issues[0]?.message ?? 'not a device name'}`);
  return parsed.data;
}

export class BackupHistory {
  #keyring: { keys: EncryptionKeyring | undefined } | undefined;

  private constructor(
    readonly dir: string,
    private readonly gitDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static open(dir: string, env: NodeJS.ProcessEnv = process.env): BackupHistory {
    const where = `(--dir or SYNAPSE_BACKUP_DIR; the device-worker creates it with the first backup)`;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw unavailable(`no backup store at ${dir} ${where}`);
    const gitDir = path.join(dir, '.git');
    if (!existsSync(gitDir)) throw unavailable(`${dir} is not a backup store: it is not a git repository ${where}`);
    return new BackupHistory(dir, gitDir, env);
  }

  /** Every archived backup of the device, newest first, also those that found the config unchanged. */
  async list(device: string): Promise<BackupEntry[]> {
    const branch = await runGit(this.gitDir, ['rev-parse', '--verify', '--quiet', BRANCH], { okExitCodes: [1] });
    if (branch.code !== 0) return [];
    const log = await runGit(this.gitDir, ['log', '--format=%H%x00%aI%x00%B%x1e', '--fixed-strings', '--grep', `Device: ${device}`, BRANCH]);
    return log.stdout
      .toString('utf8')
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record.includes('\0'))
      .map((record) => {
        const [commit, authorDate, body] = record.split('\0');
        const trailers = parseTrailers(body);
        const entry: BackupEntry = {
          commit,
          takenAt: trailers.get('Taken-At') ?? authorDate,
          device: trailers.get('Device') ?? '',
          changeId: trailers.get('Change-Id') ?? '',
          workflowId: trailers.get('Workflow-Id') ?? '',
          backupId: trailers.get('Backup-Id') ?? '',
          sha256: trailers.get('Backup-Sha256') ?? '',
        };
        const reason = trailers.get('Reason');
        return reason ? { ...entry, reason } : entry;
      })
      // --grep matches `Device: leaf01` inside `Device: leaf010` too; the trailer must name the device exactly.
      .filter((entry) => entry.device === device && entry.backupId !== '');
  }

  /**
   * One backup of the device, named the way an operator has it at hand: a
   * commit or backup id (a prefix of at least 4 hex digits), a change id,
   * or `latest` / `latest~N` (the N-th before the latest).
   */
  async resolve(device: string, ref: string, entries?: BackupEntry[]): Promise<BackupEntry> {
    const history = entries ?? (await this.list(device));
    const listHint = `see \`synapse backups list ${device}${this.dirFlag()}\``;
    if (history.length === 0) throw badInput(`no backups of ${device} in ${this.dir}`);
    const latest = /^latest(?:~(\d+))?$/.exec(ref);
    if (latest) {
      const back = Number(latest[1] ?? 0);
      const entry = history[back];
      if (!entry) throw badInput(`"${ref}": ${device} has only ${history.length} backup(s); ${listHint}`);
      return entry;
    }
    const lower = ref.toLowerCase();
    const byId = /^[0-9a-f]{4,64}$/.test(lower) ? history.filter((e) => e.commit.startsWith(lower) || e.backupId.startsWith(lower)) : [];
    const byChange = history.filter((e) => e.changeId === ref);
    const matches = [...new Map([...byId, ...byChange].map((e) => [e.commit, e])).values()];
    if (matches.length === 1) return matches[0];
    // A backup id names the bytes: backups with the same id hold the same config; the newest stands for them.
    if (matches.length > 1 && byChange.length === 0 && matches.every((e) => e.backupId === matches[0].backupId)) return matches[0];
    if (matches.length === 0) throw badInput(`no backup of ${device} matches "${ref}" (a commit, a backup id, a change id or latest~N); ${listHint}`);
    throw badInput(`"${ref}" matches ${matches.length} backups of ${device} (${matches.map((e) => `${e.backupId.slice(0, 12)} ${e.changeId}`).join(', ')}); give a longer backup id`);
  }

  /** The exact bytes of the config backed up (decrypted if stored encrypted), refused if they do not match the sha256 recorded with it. */
  async read(entry: BackupEntry): Promise<Buffer> {
    const stored = (await runGit(this.gitDir, ['cat-file', 'blob', entry.backupId])).stdout;
    let content: Buffer;
    try {
      content = decryptAtRest(this.keyring(), stored, `backup ${entry.backupId.slice(0, 12)} of ${entry.device}`);
    } catch (err) {
      if (!(err instanceof AtRestDecryptionError)) throw err;
      // The keys are the operator's to fix, as for payloads the CLI cannot decrypt.
      throw badInput(`${err.message} (the same keys as the device-worker's)`);
    }
    const actual = createHash('sha256').update(content).digest('hex');
    if (entry.sha256 && actual !== entry.sha256) {
      throw unavailable(`backup ${entry.backupId} of ${entry.device} (commit ${entry.commit.slice(0, 12)}) is corrupt: sha256 ${actual}, recorded ${entry.sha256}`);
    }
    return content;
  }

  /**
   * git's unified diff of the two backups, older first, labelled
   * `<backup id>/<device>.json`. Encrypted backups are diffed as the configs
   * they hold: both are read (decrypted, verified) into a private temporary
   * directory, which is removed again, and never into the store.
   */
  async unifiedDiff(from: BackupEntry, to: BackupEntry): Promise<string> {
    const [before, after] = await Promise.all([this.read(from), this.read(to)]);
    if (before.equals(after)) return '';
    const scratch = mkdtempSync(path.join(tmpdir(), 'synapse-backup-diff-'));
    try {
      const file = (entry: BackupEntry, content: Buffer) => {
        const relative = path.join(entry.backupId.slice(0, 12), `${entry.device}.json`);
        mkdirSync(path.join(scratch, path.dirname(relative)), { recursive: true, mode: 0o700 });
        writeFileSync(path.join(scratch, relative), content, { mode: 0o600 });
        return relative;
      };
      const files = [file(from, before), file(to, after)];
      // --no-index compares the two files and reads nothing from the repository. Exit code 1 means "they differ", which is the point here.
      const diff = await runGit(this.gitDir, ['diff', '--no-index', '--no-color', '--no-ext-diff', '--no-prefix', ...files], { okExitCodes: [1], cwd: scratch });
      return diff.stdout.toString('utf8');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** Read when a backup is, so listing needs no keys. */
  private keyring(): EncryptionKeyring | undefined {
    if (!this.#keyring) {
      try {
        this.#keyring = { keys: encryptionKeyringFromEnv(this.env) };
      } catch (err) {
        if (!isSynapseError(err, 'InvalidInput')) throw err;
        throw badInput(`bad encryption settings: ${err.message}`);
      }
    }
    return this.#keyring.keys;
  }

  private dirFlag(): string {
    return this.dir === DEFAULT_BACKUP_DIR ? '' : ` --dir ${this.dir}`;
  }
}

function parseTrailers(body: string): Map<string, string> {
  const trailers = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = /^([A-Za-z0-9-]+): (.*)$/.exec(line);
    if (match && !trailers.has(match[1])) trailers.set(match[1], match[2]);
  }
  return trailers;
}
