/**
 * The device worker as production runs it: `node apps/device-worker/dist/main.js`
 * in its own process, configured only through its environment (README), so
 * a test can SIGKILL it mid-activity and start a fresh one on the same task
 * queue, as a supervisor (systemd, Kubernetes) would.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { LAB_CREDENTIALS } from '@synapse/device-sim';

/** The built entry point (`nx build device-worker`; the test target depends on ^build). */
export const DEVICE_WORKER_MAIN = path.resolve(require.resolve('@synapse/device-worker'), '..', 'main.js');

/**
 * Preloaded into the child: if this Jest process dies (even by SIGKILL), the
 * IPC channel closes and the worker goes with it instead of polling on for
 * ever. It changes nothing else; the channel does not keep the worker alive.
 */
const EXIT_WITH_PARENT = `
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
`;

export interface DeviceWorkerProcessOptions {
  taskQueue: string;
  /** device-sim's JSON lines (`{"device","address"}`), written to a file the worker reads. */
  devices: ReadonlyArray<{ name: string; address: string }>;
  backupDir: string;
  /** Scratch directory: the inventory file, the preload script, HOME. */
  dir: string;
}

export class DeviceWorkerProcess {
  #output = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly startedAt: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      }),
    );
  }

  /** Starts the worker and resolves once it polls (its one JSON ready line). */
  static async start(options: DeviceWorkerProcessOptions): Promise<DeviceWorkerProcess> {
    if (!existsSync(DEVICE_WORKER_MAIN)) throw new Error(`${DEVICE_WORKER_MAIN} is missing: build device-worker first (npx nx build device-worker)`);
    const address = process.env.TEMPORAL_ADDRESS;
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    const inventory = path.join(options.dir, 'inventory.jsonl');
    writeFileSync(inventory, options.devices.map((d) => JSON.stringify({ device: d.name, address: d.address })).join('\n') + '\n');
    const preload = path.join(options.dir, 'exit-with-parent.js');
    writeFileSync(preload, EXIT_WITH_PARENT);

    const child = fork(DEVICE_WORKER_MAIN, [], {
      execArgv: ['--require', preload],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        HOME: options.dir,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
        SYNAPSE_DEVICE_TASK_QUEUE: options.taskQueue,
        SYNAPSE_BACKUP_DIR: options.backupDir,
        SYNAPSE_DEVICE_INVENTORY: inventory,
        SYNAPSE_DEVICE_USERNAME: LAB_CREDENTIALS.username,
        SYNAPSE_DEVICE_PASSWORD: LAB_CREDENTIALS.password,
        SYNAPSE_HEARTBEAT_INTERVAL_MS: '500',
        SYNAPSE_RESUBSCRIBE_INTERVAL_MS: '100',
      },
    });
    const worker = new DeviceWorkerProcess(child, Date.now());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`device-worker printed no ready line within 30 s:\n${worker.output()}`)), 30_000);
      const onData = () => {
        if (!worker.output().includes('"service":"device-worker"')) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      void worker.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`device-worker exited (${JSON.stringify(exit)}) before it was ready:\n${worker.output()}`));
      });
    });
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The Temporal worker identity the SDK gives it by default: `<pid>@<host>`. */
  get identity(): string {
    return `${this.pid}@${hostname()}`;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** What it printed (stdout and stderr, the last 20 kB), to explain a failure. */
  output(): string {
    return this.#output;
  }

  /** SIGKILL: no shutdown hook, no graceful drain; resolves once the process is gone. */
  async kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }
}
