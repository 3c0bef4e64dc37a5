import { execFile } from 'node:child_process';

export interface CommandOutcome {
  /** Exit code; null when the command never ran or was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (ENOENT, EACCES…). */
  spawnErrorCode?: string;
  timedOut: boolean;
}

/**
 * Runs a short command to completion and reports what happened instead of
 * throwing, so each caller can turn the failure into a message that names
 * what went wrong (pip missing, download refused, not a temporal binary…).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number },
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs, env: options.env, cwd: options.cwd, uid: options.uid, gid: options.gid, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ exitCode: 0, stdout, stderr, timedOut: false });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const spawnErrorCode = typeof failure.code === 'string' ? failure.code : undefined;
        resolve({
          exitCode: typeof failure.code === 'number' ? failure.code : null,
          stdout: String(stdout ?? ''),
          stderr: String(stderr ?? ''),
          spawnErrorCode,
          timedOut: failure.killed === true && spawnErrorCode === undefined,
        });
      },
    );
  });
}

/** The last lines of a tool's output: enough to show why it failed. */
export function lastLines(text: string, count = 8): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
