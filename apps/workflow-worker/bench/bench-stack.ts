/**
 * The Temporal side every benchmark here runs on, in one place so the
 * change benchmark (change-overhead.ts) and the rollout benchmarks
 * (rollout-stack.ts and the scripts on it) measure the same stack:
 *
 *   - a bench lab (createBenchLab): the two simulators in their own
 *     processes (lab-processes.ts), restarted for every run, behind fixed
 *     activity objects. The device directory, backup store and Infrahub
 *     client the activities see are indirections to the current run's, so
 *     the workers (and the plain scripts, which call the very same objects)
 *     are built once and each run still gets fresh simulators, a new backup
 *     repository and a new Infrahub client;
 *   - a Temporal stack (startTemporalStack): a throwaway dev server and the
 *     three workers on it, each on its own task queue as production runs
 *     them (queue names suffixed per stack, so stacks never share a queue).
 *     The device and infrahub workers always run in this process, from the
 *     production factories; the workflow worker either in this process (given
 *     the workflow bundle) or as its own process, its real dist/main.js.
 *
 * The workflow worker always waives approval (approval not required, no
 * self-approval): the benchmarks' changes carry `approval: { required: false }`,
 * and the worker's default policy would hold every change for an approver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { TASK_QUEUES, type ApprovalPolicy } from '@synapse/contracts';
import { DocumentStore } from '@synapse/device-config';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT } from '@synapse/device-sim';
import { createDeviceActivities, createDeviceWorkers, DEFAULT_SETTINGS, GitBackupStore, StaticDeviceDirectory, type BackupStore, type DeviceDirectory } from '@synapse/device-worker';
import { GnmiClientPool } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { createInfrahubActivities, createInfrahubWorker, type InfrahubActivityDeps } from '@synapse/infrahub-worker';
import type { Lab } from '@synapse/lab';
import { startDevServer, type DevServer, type DevServerOptions } from '@synapse/temporal-tools';
import { createWorkflowWorker, type ActivityRoutingInput } from '@synapse/workflow-worker';
import { startLab, writeLabFiles, type LabFiles, type RunningLab } from './lab-processes';

/** The approval policy of every benchmark's workflow worker (in process, or SYNAPSE_* for its own process). */
export const BENCH_APPROVAL_POLICY: ApprovalPolicy = { approvalRequired: false, allowSelfApproval: false };

/** What the activities work against in the current run. */
interface CurrentLab {
  running: RunningLab;
  directory: StaticDeviceDirectory;
  backups: GitBackupStore;
  backupDir: string;
  infrahub: InfrahubClient;
}

export interface BenchLab {
  files: LabFiles;
  /** The device activities the device workers serve and the plain scripts call (gNMI pool, directory and backups of the current run). */
  deviceActivities: ReturnType<typeof createDeviceActivities>;
  /** The Infrahub client the infrahub worker builds its activities from: the current run's. */
  infrahubClient: InfrahubActivityDeps['infrahub'];
  /** The same activities the infrahub worker builds from infrahubClient, for the plain scripts. */
  infrahubActivities: ReturnType<typeof createInfrahubActivities>;
  documents: DocumentStore;
  /** The current run's simulators, if one is running. */
  running(): RunningLab | undefined;
  /** Stops the current run's lab, if any, then starts fresh simulators (pre-change config), a new backup repository and Infrahub client. */
  start(): Promise<RunningLab>;
  /** Stops the current run's simulators and removes its backup repository. */
  stop(): Promise<void>;
  /** stop(), then the gNMI pool and the lab files. */
  close(): Promise<void>;
}

/**
 * The lab files for `lab` (written once) and the activity objects over it;
 * no simulator runs until start(). `backupPrefix` names each run's backup
 * repository under the temporary directory.
 */
export function createBenchLab(lab: Lab, convergenceMs: number, backupPrefix: string): BenchLab {
  let current: CurrentLab | undefined;
  const now = (): CurrentLab => {
    if (!current) throw new Error('no lab running');
    return current;
  };
  const files = writeLabFiles(lab, convergenceMs);
  // One pool for the whole benchmark, as a device worker keeps one for its life: each run's
  // fresh simulator has new ports, so the pool opens new channels for it.
  const pool = new GnmiClientPool(() => ({ ...LAB_CREDENTIALS }));
  const directory: DeviceDirectory = { resolve: (device) => now().directory.resolve(device), devices: () => now().directory.devices() };
  const backups: BackupStore = {
    writeBackup: (...args) => now().backups.writeBackup(...args),
    archiveBackup: (...args) => now().backups.archiveBackup(...args),
    readBackup: (...args) => now().backups.readBackup(...args),
    writeOwnership: (...args) => now().backups.writeOwnership(...args),
    readOwnership: (...args) => now().backups.readOwnership(...args),
  };
  // Rendered configs go by reference through the store both workers share (a shared volume in production).
  const documents = new DocumentStore({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'synapse-bench-documents-')) });
  const deviceActivities = createDeviceActivities({ gnmi: pool, directory, backups, documents, settings: DEFAULT_SETTINGS });
  const infrahubClient: InfrahubActivityDeps['infrahub'] = {
    getDeviceIntent: (...args) => now().infrahub.getDeviceIntent(...args),
    recordDeployment: (...args) => now().infrahub.recordDeployment(...args),
    listDevices: (...args) => now().infrahub.listDevices(...args),
  };
  // createInfrahubWorker builds its activities from the client, as here: the same code over the same client.
  const infrahubActivities = createInfrahubActivities({ infrahub: infrahubClient, documents });

  const stop = async () => {
    const run = current;
    current = undefined;
    if (!run) return;
    // Channels to a simulator that is about to go: close them rather than let them reconnect.
    pool.close();
    run.infrahub.close();
    await run.running.stop();
    fs.rmSync(run.backupDir, { recursive: true, force: true });
  };

  return {
    files,
    deviceActivities,
    infrahubClient,
    infrahubActivities,
    documents,
    running: () => current?.running,
    async start() {
      await stop();
      const running = await startLab(files);
      const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), backupPrefix));
      const store = new GitBackupStore({ dir: backupDir, onWarning: () => undefined });
      await store.ready();
      current = {
        running,
        backups: store,
        backupDir,
        directory: new StaticDeviceDirectory(Object.fromEntries([...running.devices].map(([name, address]) => [name, { address }])), {
          transport: LAB_PLAINTEXT_TRANSPORT,
          timeoutMs: 10_000,
        }),
        infrahub: new InfrahubClient({ address: running.infrahubAddress, apiToken: DEFAULT_LAB_API_TOKEN, env: {} }),
      };
      return running;
    },
    stop,
    async close() {
      await stop();
      pool.close();
      fs.rmSync(files.dir, { recursive: true, force: true });
    },
  };
}

/** A dev server and the three workers on it, as production runs them (one queue each). */
export interface TemporalStack {
  server: DevServer;
  /** The workflow worker's process, when it runs as one (its pid, for memory and CPU). */
  workflowWorkerPid?: number;
  client: Client;
  taskQueue: string;
  routing: Required<ActivityRoutingInput>;
  stop(): Promise<void>;
}

export interface TemporalStackOptions {
  /** The workflow worker in this process on this bundle; without it, the worker runs as its own process. */
  bundle?: WorkflowBundle;
  /** Files to remove once the server has stopped (a database the caller placed). */
  removeAfter?: string[];
}

/** Starts a dev server with `server` options, then the workers on it serving `lab`'s activities. */
export async function startTemporalStack(server: DevServerOptions, lab: Pick<BenchLab, 'deviceActivities' | 'infrahubClient' | 'documents'>, options: TemporalStackOptions = {}): Promise<TemporalStack> {
  const devServer = await startDevServer(server);
  const clientConnection = await Connection.connect({ address: devServer.address });
  const workerConnection = await NativeConnection.connect({ address: devServer.address });
  const client = new Client({ connection: clientConnection, namespace: devServer.namespace });
  const suffix = randomUUID().slice(0, 8);
  const taskQueue = `${TASK_QUEUES.workflows}-bench-${suffix}`;
  const routing: Required<ActivityRoutingInput> = {
    taskQueues: {
      device: `${TASK_QUEUES.device}-bench-${suffix}`,
      deviceUrgent: `${TASK_QUEUES.deviceUrgent}-bench-${suffix}`,
      infrahub: `${TASK_QUEUES.infrahub}-bench-${suffix}`,
    },
  };
  const workflowWorker = options.bundle ? undefined : await startWorkflowWorkerProcess(devServer, taskQueue, Object.values(routing.taskQueues));
  const workers: Worker[] = await Promise.all([
    ...(options.bundle
      ? [
          createWorkflowWorker({
            connection: workerConnection,
            namespace: devServer.namespace,
            taskQueue,
            workflowBundle: options.bundle,
            approvalPolicy: BENCH_APPROVAL_POLICY,
            allowedActivityQueues: Object.values(routing.taskQueues),
          }),
        ]
      : []),
    // The production workers' own factories, so their worker options (heartbeat throttle and so on) apply.
    ...(await createDeviceWorkers(
      workerConnection,
      {
        temporal: { address: devServer.address, namespace: devServer.namespace, taskQueue: routing.taskQueues.device!, urgentTaskQueue: routing.taskQueues.deviceUrgent! },
        backupDir: '(per run, see createBenchLab)',
        documentDir: lab.documents.dir,
        directoryDefaults: { transport: LAB_PLAINTEXT_TRANSPORT, timeoutMs: 10_000 },
        settings: DEFAULT_SETTINGS,
      },
      lab.deviceActivities,
    )),
    createInfrahubWorker({ connection: workerConnection, namespace: devServer.namespace, taskQueue: routing.taskQueues.infrahub!, infrahub: lab.infrahubClient, documents: lab.documents }),
  ]);
  const running = workers.map((w) => w.run());
  return {
    server: devServer,
    ...(workflowWorker ? { workflowWorkerPid: workflowWorker.pid } : {}),
    client,
    taskQueue,
    routing,
    async stop() {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
      await workflowWorker?.stop();
      await clientConnection.close();
      await workerConnection.close();
      await devServer.stop();
      for (const file of options.removeAfter ?? []) fs.rmSync(file, { force: true });
    },
  };
}

/** Workflow worker processes still running, killed if the benchmark exits without stopping them. */
const liveWorkers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveWorkers) child.kill('SIGKILL');
});

/**
 * apps/workflow-worker's dist/main.js on the bench's queue, approval waived
 * (BENCH_APPROVAL_POLICY); no TEMPORAL_ or SYNAPSE_ setting of this shell
 * reaches it (a payload key would encrypt what the history walk reads).
 * Ready once it prints its line.
 */
async function startWorkflowWorkerProcess(server: DevServer, taskQueue: string, activityQueues: readonly string[]): Promise<{ pid: number; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_') && !key.startsWith('SYNAPSE_')));
  Object.assign(env, {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SYNAPSE_WORKFLOW_TASK_QUEUE: taskQueue,
    SYNAPSE_ACTIVITY_TASK_QUEUES: activityQueues.join(','),
    SYNAPSE_REQUIRE_APPROVAL: String(BENCH_APPROVAL_POLICY.approvalRequired),
    SYNAPSE_ALLOW_SELF_APPROVAL: String(BENCH_APPROVAL_POLICY.allowSelfApproval),
    SYNAPSE_LOG_LEVEL: 'error',
  });
  const child = spawn(process.execPath, [require.resolve('@synapse/workflow-worker/dist/main.js')], { stdio: ['ignore', 'pipe', 'pipe'], env });
  liveWorkers.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the workflow worker exited (${code}) before it was ready: ${output.trim()}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (/"service":"workflow-worker","taskQueue"/.test(output)) {
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  // A worker that dies mid-run (out of heap, a crash) must say so, not leave the rollout silently stuck.
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`\nthe workflow worker (pid ${child.pid}) exited during the run (${signal ?? `code ${code}`}); its last output:\n${output.trim()}\n`);
  });
  return {
    pid: child.pid!,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      liveWorkers.delete(child);
    },
  };
}
