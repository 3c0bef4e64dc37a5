import { spawn } from 'node:child_process';
import { unavailable } from './cli-error';

/**
 * Read-only git against one repository, without a shell (a device name or
 * a ref typed by an operator is an argument, never shell text). GIT_DIR is
 * set because the backup store usually sits inside another checkout
 * (`.data/` of this one) whose repository git would otherwise find; the
 * operator's git config is ignored so a pager, colours or an external diff
 * tool cannot change what is parsed.
 */
export interface GitOutput {
  /** Raw bytes: a backup's sha256 must be computed over exactly what was stored. */
  stdout: Buffer;
  stderr: string;
  code: number;
}

export function runGit(gitDir: string, args: string[], options: { okExitCodes?: number[]; cwd?: string } = {}): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GIT_DIR: gitDir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        GIT_PAGER: 'cat',
        LC_ALL: 'C',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(unavailable(err.code === 'ENOENT' ? 'git is not installed (or not on PATH); the backup store is a git repository' : `could not run git: ${err.message}`, err)),
    );
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), code: code ?? -1 };
      if (code === 0 || (code !== null && options.okExitCodes?.includes(code))) resolve(result);
      else reject(unavailable(`git ${args[0]} failed in ${gitDir} (exit ${code ?? 'signal'}): ${result.stderr.trim() || '(no output)'}`));
    });
  });
}
