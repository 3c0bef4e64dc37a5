/**
 * The workers as production runs them: `node apps/<worker>/dist/main.js` in
 * its own process, configured only through its environment (README), so a
 * test can SIGKILL one mid-activity and start a fresh one on the same task
 * queue, as a supervisor (systemd, Kubernetes) would, or run several side
 * by side, as a scaled-out deployment does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { TEST_DOCUMENT_DIR } from './document-dir';

/** The built entry point (`nx build device-worker`; the test target depends on ^build). */
export const DEVICE_WORKER_MAIN = path.resolve(require.resolve('@synapse/device-worker'), '..', 'main.js');
export const WORKFLOW_WORKER_MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
export const INFRAHUB_WORKER_MAIN = path.resolve(require.resolve('@synapse/infrahub-worker'), '..', 'main.js');

/** A test's device queue and its urgent twin (confirms and rollbacks), both polled by the device worker. */
export function urgentQueueOf(deviceQueue: string): string {
  return `${deviceQueue}-urgent`;
}

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

export interface DeviceWorkerOptions {
  taskQueue: string;
  /** device-sim's JSON lines (`{"device","address"}`), written to a file the worker reads. */
  devices: ReadonlyArray<{ name: string; address: string }>;
  backupDir: string;
  /** Scratch directory: the inventory file, the preload script, HOME. */
  dir: string;
  /** More of its environment (metrics, health). */
  env?: NodeJS.ProcessEnv;
}

export interface InfrahubWorkerOptions {
  taskQueue: string;
  /** The Infrahub (simulator) address and its API token. */
  address: string;
  apiToken: string;
  dir: string;
  env?: NodeJS.ProcessEnv;
}

export interface WorkflowWorkerOptions {
  taskQueue: string;
  /** Scratch directory: the preload script, HOME. */
  dir: string;
  /** More of its environment (metrics, health). */
  env?: NodeJS.ProcessEnv;
}

export class WorkerProcess {
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

  /** Starts a device worker and resolves once it polls (its one JSON ready line). */
  static async startDeviceWorker(options: DeviceWorkerOptions): Promise<WorkerProcess> {
    const inventory = path.join(options.dir, 'inventory.jsonl');
    writeFileSync(inventory, options.devices.map((d) => JSON.stringify({ device: d.name, address: d.address })).join('\n') + '\n');
    return WorkerProcess.startMain('device-worker', DEVICE_WORKER_MAIN, options.dir, {
      SYNAPSE_DEVICE_TASK_QUEUE: options.taskQueue,
      SYNAPSE_DEVICE_URGENT_TASK_QUEUE: urgentQueueOf(options.taskQueue),
      SYNAPSE_BACKUP_DIR: options.backupDir,
      SYNAPSE_DOCUMENT_DIR: TEST_DOCUMENT_DIR,
      SYNAPSE_DEVICE_INVENTORY: inventory,
      // The simulator speaks plaintext: the lab's credentials are allowed over it explicitly.
      SYNAPSE_GNMI_TRANSPORT: 'plaintext',
      SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'true',
      SYNAPSE_DEVICE_USERNAME: LAB_CREDENTIALS.username,
      SYNAPSE_DEVICE_PASSWORD: LAB_CREDENTIALS.password,
      SYNAPSE_HEARTBEAT_INTERVAL_MS: '500',
      SYNAPSE_RESUBSCRIBE_INTERVAL_MS: '100',
      ...options.env,
    });
  }

  /** Starts an infrahub worker against the given Infrahub, and resolves once it polls. */
  static startInfrahubWorker(options: InfrahubWorkerOptions): Promise<WorkerProcess> {
    return WorkerProcess.startMain('infrahub-worker', INFRAHUB_WORKER_MAIN, options.dir, {
      SYNAPSE_INFRAHUB_TASK_QUEUE: options.taskQueue,
      SYNAPSE_DOCUMENT_DIR: TEST_DOCUMENT_DIR,
      INFRAHUB_ADDRESS: options.address,
      INFRAHUB_API_TOKEN: options.apiToken,
      SYNAPSE_HEARTBEAT_INTERVAL_MS: '500',
      ...options.env,
    });
  }

  /** Starts a workflow worker (it bundles the workflows at start unless a prebuilt bundle is there). */
  static startWorkflowWorker(options: WorkflowWorkerOptions): Promise<WorkerProcess> {
    // A lab's server, as `npm start` runs it: a change may waive approval (the tests' requests do).
    return WorkerProcess.startMain('workflow-worker', WORKFLOW_WORKER_MAIN, options.dir, { SYNAPSE_WORKFLOW_TASK_QUEUE: options.taskQueue, SYNAPSE_REQUIRE_APPROVAL: 'false', ...options.env }, 90_000);
  }

  private static async startMain(service: string, main: string, dir: string, env: NodeJS.ProcessEnv, readyTimeoutMs = 30_000): Promise<WorkerProcess> {
    if (!existsSync(main)) throw new Error(`${main} is missing: build ${service} first (npx nx build ${service})`);
    const address = process.env.TEMPORAL_ADDRESS;
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    const preload = path.join(dir, 'exit-with-parent.js');
    writeFileSync(preload, EXIT_WITH_PARENT);

    const child = fork(main, [], {
      execArgv: ['--require', preload],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
        SYNAPSE_LOG_LEVEL: 'warn',
        ...env,
      },
    });
    const worker = new WorkerProcess(child, Date.now());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${service} printed no ready line within ${readyTimeoutMs / 1000} s:\n${worker.output()}`)), readyTimeoutMs);
      const onData = () => {
        if (!worker.output().includes(`"service":"${service}"`)) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      void worker.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`${service} exited (${JSON.stringify(exit)}) before it was ready:\n${worker.output()}`));
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
