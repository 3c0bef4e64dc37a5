import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * Notices when whoever launched us goes away, so a long-running supervisor
 * (`npm start`) stops its children instead of leaving them to hold ports.
 *
 * A signal does not always reach us: npm forwards only SIGINT and SIGTERM,
 * and only to its own child; SIGHUP or SIGKILL kills npm and leaves us
 * behind; when the process that ran `npm start` is killed, npm itself
 * carries on as an orphan. What every one of those cases changes is a parent
 * link: a process of the launch chain is reparented (to PID 1 or a
 * subreaper) once its parent dies. So we record the chain once — ourselves,
 * the script's shell if it did not exec us, and npm (whose parent is the
 * launcher) — and poll that each link still holds.
 */
export interface LauncherWatch {
  /** Resolves, with what went away, once a link of the launch chain breaks. */
  gone: Promise<string>;
  /** The processes watched, ours first, for messages and tests. */
  chain: readonly ProcessLink[];
  stop(): void;
}

export interface ProcessLink {
  pid: number;
  /** Its name when it was recorded (`node`, `sh`, `npm start`…). */
  name: string;
  ppid: number;
  parentName: string;
}

export interface LauncherWatchOptions {
  intervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** npm, yarn and pnpm set it for the script's processes; the package manager itself lacks it. */
const SCRIPT_EVENT_VAR = 'npm_lifecycle_event';
const MAX_SCRIPT_DEPTH = 4;
const HAS_PROC = fs.existsSync('/proc/self/stat');

export function watchLauncher(options: LauncherWatchOptions = {}): LauncherWatch {
  const env = options.env ?? process.env;
  const chain = launchChain(env[SCRIPT_EVENT_VAR]);
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<string>((resolve) => {
    timer = setInterval(() => {
      const broken = chain.find((link) => parentOf(link.pid) !== link.ppid);
      if (!broken) return;
      clearInterval(timer);
      resolve(`${broken.parentName} (pid ${broken.ppid}), which started ${broken.pid === process.pid ? 'us' : `${broken.name} (pid ${broken.pid})`}, is gone`);
    }, options.intervalMs ?? (HAS_PROC ? 250 : 1000));
    // The watch alone must not keep the process alive.
    timer.unref();
  });
  return {
    gone,
    chain,
    stop: () => clearInterval(timer),
  };
}

function launchChain(scriptEvent: string | undefined): ProcessLink[] {
  const chain: ProcessLink[] = [{ pid: process.pid, name: nameOf(process.pid), ppid: process.ppid, parentName: nameOf(process.ppid) }];
  if (!scriptEvent) return chain;
  // Climb through the script's own processes (a shell that did not exec us) to the package
  // manager, and watch its parent too: that is the launcher.
  let pid = process.ppid;
  for (let depth = 0; depth < MAX_SCRIPT_DEPTH; depth++) {
    const ppid = parentOf(pid);
    if (ppid === undefined || ppid <= 1) break;
    chain.push({ pid, name: nameOf(pid), ppid, parentName: nameOf(ppid) });
    if (!runsScript(pid, scriptEvent)) break;
    pid = ppid;
  }
  return chain;
}

/** The parent of a live process; undefined once it has exited (a zombie counts as exited). */
export function parentOf(pid: number): number | undefined {
  if (HAS_PROC) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return state === 'Z' || state === 'X' ? undefined : Number(ppid);
    } catch {
      return undefined;
    }
  }
  try {
    const ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function nameOf(pid: number): string {
  try {
    if (HAS_PROC) return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'process';
  }
}

/**
 * Whether a process belongs to the script (the shell npm ran it in) rather
 * than being the package manager: it was started with the same lifecycle
 * event in its environment. Without /proc we cannot tell, and take it for the
 * package manager (right when the script execs us, as ours do).
 */
function runsScript(pid: number, scriptEvent: string): boolean {
  if (!HAS_PROC) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${SCRIPT_EVENT_VAR}=${scriptEvent}`);
  } catch {
    return false;
  }
}
