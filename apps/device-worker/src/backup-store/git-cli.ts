import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The git CLI against one repository. Arguments are never parsed by a shell
 * (a device name or change id cannot inject anything): where one is used,
 * only to set the umask, they reach git as positional parameters.
 * GIT_DIR and GIT_WORK_TREE are always set: the backup directory usually
 * sits inside another checkout (`.data/` of this repository), and git's own
 * discovery would otherwise find that one.
 */
export interface GitRepository {
  gitDir: string;
  workTree: string;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitRunOptions {
  input?: Buffer | string;
  /** Extra environment (author dates, a temporary index). */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (`rev-parse --verify -q` exits 1 for "no such ref"). */
  okExitCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (exit ${code ?? 'signal'}): ${stderr.trim() || '(no output)'}`);
    this.name = 'GitCommandError';
  }

  /** Another git process (or a crashed one) holds a lock file: index.lock, a ref's .lock. */
  get isLockContention(): boolean {
    return /\.lock'?:? File exists|Unable to create '[^']*\.lock'|cannot lock ref|could not lock config file/i.test(this.stderr);
  }
}

/** Large configs: a full running config can be tens of megabytes. */
const MAX_OUTPUT_BYTES = 1024 * 1024 * 1024;

/**
 * Backups are whole device configs (password hashes, keys): whatever git
 * creates (work tree files, objects, refs, the index) is the owner's alone,
 * whatever umask the worker runs with. Node cannot give a child its own
 * umask, so `sh` sets it and execs git with the arguments untouched ("$@").
 * Windows has no such modes; there git runs directly.
 */
const OWNER_ONLY_GIT = ['-c', 'umask 077 && exec git "$@"', 'git'];

export function runGit(repo: GitRepository, identity: GitIdentity, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = process.platform === 'win32' ? ['git', args] : ['/bin/sh', [...OWNER_ONLY_GIT, ...args]];
    const child = spawn(command, argv, {
      cwd: repo.workTree,
      env: gitEnvironment(repo, identity, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => reject(new GitCommandError(args, null, `could not run git: ${err.message}`)));
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), code: code ?? -1 };
      if (code === 0 || (code !== null && options.okExitCodes?.includes(code))) resolve(result);
      else reject(new GitCommandError(args, code, size > MAX_OUTPUT_BYTES ? 'output exceeds the limit' : result.stderr));
    });
    // A git that exits before reading stdin closes the pipe; its exit status tells what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface LockRetry {
  attempts: number;
  /** Upper bound of a random wait between attempts, so competing writers do not retry in lockstep. */
  maxDelayMs: number;
}

/**
 * Runs `attempt` again while it fails on a git lock held by someone else
 * (another worker process sharing the repository, or a lock left behind by
 * a crashed git, which an operator has to remove).
 */
export async function retryOnLock<T>(retry: LockRetry, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof GitCommandError && err.isLockContention) || i >= retry.attempts) throw err;
      await sleep(5 + Math.random() * retry.maxDelayMs);
    }
  }
}

function gitEnvironment(repo: GitRepository, identity: GitIdentity, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // PATH and HOME so git and its helpers are found; nothing else from the
  // caller, so a developer's GIT_* variables cannot redirect the store.
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    GIT_DIR: repo.gitDir,
    GIT_WORK_TREE: repo.workTree,
    // No system or user config: a global commit.gpgSign or a hook path must
    // not change what a worker writes, and it must work with no config at all.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    ...extra,
  };
}
