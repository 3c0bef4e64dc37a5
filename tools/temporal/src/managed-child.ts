import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { guardAgainstParentDeath } from './parent-death-guard';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChildOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long stop() waits after SIGTERM before it sends SIGKILL. */
  stopTimeoutMs?: number;
  /**
   * What stop() sends first, to the process alone rather than its group:
   * for a server that shuts its own helpers down in order on that signal
   * (PostgreSQL's postmaster on SIGINT, its fast shutdown). Default: SIGTERM
   * to the whole group.
   */
  stopSignal?: NodeJS.Signals;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Every output line is appended here too, for a person to read later. */
  logFile?: string;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

const OUTPUT_LINES_KEPT = 40;
const OUTPUT_DRAIN_MS = 1_000;

/**
 * A long-running child process (a server, a simulator, a worker) that never
 * outlives us: it gets its own process group so stop() reaches everything it
 * started and a terminal Ctrl-C reaches only us (we stop children in order);
 * an 'exit' hook signals it when we exit normally; a watchdog stops it when
 * we are killed outright.
 */
export class ManagedChild {
  readonly pid: number;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  private readonly recentLines: string[] = [];
  private readonly stopTimeoutMs: number;
  private readonly stopSignal: NodeJS.Signals | undefined;
  private exitInfo: ChildExit | undefined;

  /** Starts the process; rejects when it cannot be started at all (ENOENT, EACCES). */
  static start(options: ManagedChildOptions): Promise<ManagedChild> {
    const child = spawn(options.command, [...options.args], {
      env: options.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.removeListener('error', reject);
        resolve(new ManagedChild(child, options));
      });
    });
  }

  private constructor(child: ChildProcess, options: ManagedChildOptions) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.stopSignal = options.stopSignal;
    this.pid = child.pid!;
    // A later 'error' (a failed kill) must not crash us; the exit is what counts.
    child.on('error', () => undefined);

    const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    const follow = (stream: NodeJS.ReadableStream, onLine?: (line: string) => void) => {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.recentLines.push(line);
        if (this.recentLines.length > OUTPUT_LINES_KEPT) this.recentLines.shift();
        log?.write(line + '\n');
        onLine?.(line);
      });
    };
    follow(child.stdout!, options.onStdoutLine);
    follow(child.stderr!, options.onStderrLine);

    const signalOnOurExit = () => this.signalGroup('SIGTERM');
    process.on('exit', signalOnOurExit);
    const guard = guardAgainstParentDeath(this.pid, this.stopTimeoutMs);

    this.exited = new Promise<ChildExit>((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exitInfo = exit;
        process.removeListener('exit', signalOnOurExit);
        guard.release();
        // Its last lines may still be in the pipes: they reach onStdoutLine before anyone hears
        // that it ended (unless something it started holds the pipes open).
        let settled = false;
        const settle = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          log?.end();
          resolve(exit);
        };
        const timer = setTimeout(settle, OUTPUT_DRAIN_MS);
        child.once('close', settle);
      });
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last lines it printed, to explain a failure. */
  recentOutput(): string {
    return this.recentLines.join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited within stopTimeoutMs. */
  async stop(): Promise<ChildExit> {
    if (this.exitInfo) return this.exitInfo;
    if (this.stopSignal) this.signalLeader(this.stopSignal);
    else this.signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.stopTimeoutMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') this.signalGroup('SIGKILL');
    return this.exited;
  }

  private signalLeader(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}
