import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * A tiny watchdog process that holds the read end of a pipe from us. When we
 * die in any way — including SIGKILL, where no 'exit' hook runs — the kernel
 * closes the pipe, the watchdog reads end-of-file and stops the guarded
 * process group (SIGTERM, then SIGKILL after the grace period). Node has no
 * prctl(PR_SET_PDEATHSIG), and this works the same on Linux and macOS.
 */
const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const target = Number(process.argv[1]);
const graceMs = Number(process.argv[2]);
const signalGroup = (signal) => {
  try { process.kill(-target, signal); } catch { try { process.kill(target, signal); } catch {} }
};
// An exited orphan may linger as a zombie (PID 1 in a container need not reap it).
const alive = () => {
  try { process.kill(target, 0); } catch { return false; }
  try { return !/\\) [ZX] /.test(fs.readFileSync('/proc/' + target + '/stat', 'utf8')); } catch { return true; }
};
process.stdin.on('end', () => {
  signalGroup('SIGTERM');
  const giveUpAt = Date.now() + graceMs;
  const check = setInterval(() => {
    if (alive() && Date.now() < giveUpAt) return;
    if (alive()) signalGroup('SIGKILL');
    clearInterval(check);
    process.exit(0);
  }, 100);
});
process.stdin.on('error', () => process.stdin.emit('end'));
process.stdin.resume();
`;

export interface ParentDeathGuard {
  /** The guarded process ended normally: stand the watchdog down. */
  release(): void;
}

export function guardAgainstParentDeath(guardedPid: number, graceMs: number): ParentDeathGuard {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(guardedPid), String(graceMs)], {
    // Its own process group, so a Ctrl-C meant for us does not kill it first.
    detached: true,
    // It needs nothing from our environment, and so holds none of its secrets.
    env: {},
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the watchdog nor its pipe may keep our event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as Socket).unref();
  watchdog.on('error', () => undefined);
  return {
    release() {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    },
  };
}
