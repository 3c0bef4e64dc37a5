import { spawn } from 'node:child_process';
import * as os from 'node:os';

/**
 * Runs a command with inherited stdio and resolves with its exit code (128 +
 * signal number when a signal ended it; 127 when it could not start).
 */
export function runToCompletion(command: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<number> {
  return new Promise((resolve) => {
    // Same process group: a terminal Ctrl-C reaches the command directly. We
    // only keep ourselves alive long enough to stop the server afterwards.
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== 'SIGINT') child.kill(signal);
    };
    const onSigint = forward('SIGINT');
    const onSigterm = forward('SIGTERM');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    child.once('error', (error) => {
      console.error(`[${label}] could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
}
