/**
 * Exit codes are part of the CLI's interface: scripts branch on them.
 *  0  the command did what was asked (a change succeeded, or was a dry run)
 *  1  a change finished but a device failed or was rolled back, or the change failed
 *  2  the input was wrong (a flag, a change id, a backup reference); nothing was started
 *  3  something the input does not control failed (Temporal unreachable, git missing, backup store unusable)
 */
export const EXIT = {
  ok: 0,
  changeFailed: 1,
  badInput: 2,
  unavailable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is written for the operator as is, with the exit code it ends the process with. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export function badInput(message: string): CliError {
  return new CliError(EXIT.badInput, message);
}

export function unavailable(message: string, cause?: unknown): CliError {
  return new CliError(EXIT.unavailable, message, { cause });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
