/**
 * Benchmark (not a test): what Temporal orchestration costs a network change.
 *
 *   npm run bench:change            (builds first)
 *
 * In one run it times the same change two ways and prints the difference:
 *   - through Temporal: NetworkChangeWorkflow and its DeviceChangeWorkflow
 *     children on a real dev server (started here: headless, throwaway
 *     SQLite database), with the workflow, device and infrahub workers in this
 *     process, each on its own task queue as in production;
 *   - plain: the same activity functions called in the same order by a
 *     script (plain-change.ts), no server, no workers, no history.
 * The Temporal side runs twice over: on a dev server as the tests start it
 * (SQLite file on this checkout's disk) and, where /dev/shm exists, on a
 * second dev server whose database sits in tmpfs, which shows how much of
 * the overhead is the database's disk writes rather than orchestration.
 * Both sides run the same activity code over the same gNMI client pool, git
 * backup store and Infrahub client (the device activities are the very
 * objects the device worker serves): the same gNMI and HTTP calls and the
 * same backup commits. The difference is orchestration alone.
 *
 * Scenarios, on a generated 2-spine / 48-leaf fabric:
 *   - 1 device: leaf01, with both spines already configured (so its two BGP
 *     sessions can come up);
 *   - 50 devices at concurrency 10: spine01, spine02, then leaf01..leaf48.
 *     BGP needs both ends configured, so a spine only validates once every
 *     leaf is deployed. Spines go first: they hold two of the ten lanes and
 *     wait in validateBgp while the leaves go through the other eight, and
 *     each leaf finds both spines configured. (Leaves first would fail: the
 *     first leaves would wait for spines still queued behind them.)
 * Every run starts both simulators afresh (own processes, pre-change config,
 * no Infrahub deployment records) and a new backup repository, so each change
 * is a first deploy, never in-sync. Setup and teardown are not timed; the
 * clock runs from the change's start to its result on both sides.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { TASK_QUEUES, WORKFLOW_TYPES, workflowIds, type ChangeRequestInput, type ChangeResult, type DeviceChangeResult } from '@synapse/contracts';
import { deployOperations, renderConfig } from '@synapse/device-config';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { createDeviceActivities, createDeviceWorkers, DEFAULT_SETTINGS, GitBackupStore, StaticDeviceDirectory, type BackupStore, type DeviceDirectory } from '@synapse/device-worker';
import { GnmiClient, GnmiClientPool } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { createInfrahubActivities, createInfrahubWorker, type InfrahubActivityDeps } from '@synapse/infrahub-worker';
import { deviceIntent, generateFabric, type Lab } from '@synapse/lab';
import { resolveTemporalCli, startDevServer, type DevServer, type DevServerOptions } from '@synapse/temporal-tools';
import { bundleWorkflows, createWorkflowWorker, type ActivityRoutingInput } from '@synapse/workflow-worker';
import { processCpuSeconds, startLab, writeLabFiles, type RunningLab } from './lab-processes';
import { runPlainChange, type PlainDeviceResult } from './plain-change';

const JOB = {
  spines: 2,
  leaves: 48,
  repetitions: 3,
  /** BGP comes up this long after both ends agree (the simulator's default is 3 s, which would dominate). */
  convergenceMs: 50,
  /** A bound, not a wait: validation returns as soon as every check passes. */
  settleTimeoutSeconds: 120,
  commitConfirmed: true,
};

interface Scenario {
  name: string;
  devices: string[];
  concurrency: number;
  /** Configured behind the change's back before the clock starts (neighbors already done). */
  preconfigured: string[];
}

interface Sample {
  ms: number;
  /** Step durations by step name, one entry per call on any device. */
  steps: Map<string, number[]>;
  /** CPU seconds used while the change ran: this process (workers and client, or the plain script), the Temporal servers, the simulators. */
  cpu: { bench: number; server?: number; sims?: number };
  /** Temporal side: the change's workflow id, for its history once the clock has stopped. */
  changeWorkflowId?: string;
  history?: HistorySize;
}

interface HistorySize {
  change: { events: number; bytes: number };
  devices: { events: number; bytes: number; count: number };
}

/** What the activities work against in the current run; both sides read it through these indirections. */
interface CurrentLab {
  running: RunningLab;
  directory: StaticDeviceDirectory;
  backups: GitBackupStore;
  backupDir: string;
  infrahub: InfrahubClient;
}

let current: CurrentLab | undefined;
const lab = (): CurrentLab => {
  if (!current) throw new Error('no lab running');
  return current;
};

type SideKey = 'plain' | 'temporal' | 'temporal-tmpfs';

interface Side {
  key: SideKey;
  label: string;
  run(scenario: Scenario): Promise<Sample>;
  /** The Temporal server whose workflows ran, for the histories. */
  client?: Client;
}

/** A dev server and the three workers on it, as production runs them (one queue each). */
interface TemporalStack {
  server: DevServer;
  client: Client;
  taskQueue: string;
  routing: Required<ActivityRoutingInput>;
  stop(): Promise<void>;
}

interface WorkerParts {
  bundle: WorkflowBundle;
  deviceActivities: ReturnType<typeof createDeviceActivities>;
  infrahubClient: InfrahubActivityDeps['infrahub'];
}

async function startTemporalStack(options: DevServerOptions, parts: WorkerParts, removeAfter: string[] = []): Promise<TemporalStack> {
  const server = await startDevServer(options);
  const clientConnection = await Connection.connect({ address: server.address });
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace: server.namespace });
  const suffix = randomUUID().slice(0, 8);
  const taskQueue = `${TASK_QUEUES.workflows}-bench-${suffix}`;
  const routing: Required<ActivityRoutingInput> = {
    taskQueues: {
      device: `${TASK_QUEUES.device}-bench-${suffix}`,
      deviceUrgent: `${TASK_QUEUES.deviceUrgent}-bench-${suffix}`,
      infrahub: `${TASK_QUEUES.infrahub}-bench-${suffix}`,
    },
  };
  const workers: Worker[] = await Promise.all([
    createWorkflowWorker({ connection: workerConnection, namespace: server.namespace, taskQueue, workflowBundle: parts.bundle }),
    // The production workers' own factories, so their worker options (heartbeat throttle and so on) apply.
    ...(await createDeviceWorkers(
      workerConnection,
      {
        temporal: { address: server.address, namespace: server.namespace, taskQueue: routing.taskQueues.device!, urgentTaskQueue: routing.taskQueues.deviceUrgent! },
        backupDir: '(per run, see currentBackups)',
        directoryDefaults: { transport: { mode: 'plaintext' }, timeoutMs: 10_000 },
        settings: DEFAULT_SETTINGS,
      },
      parts.deviceActivities,
    )),
    createInfrahubWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: routing.taskQueues.infrahub!, infrahub: parts.infrahubClient }),
  ]);
  const running = workers.map((w) => w.run());
  return {
    server,
    client,
    taskQueue,
    routing,
    async stop() {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
      await clientConnection.close();
      await workerConnection.close();
      await server.stop();
      for (const file of removeAfter) fs.rmSync(file, { force: true });
    },
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const fabric = generateFabric({ spines: JOB.spines, leaves: JOB.leaves });
  const spines = fabric.devices.filter((d) => d.role === 'spine').map((d) => d.name);
  const leaves = fabric.devices.filter((d) => d.role === 'leaf').map((d) => d.name);
  const scenarios: Scenario[] = [
    { name: '1 device', devices: [leaves[0]], concurrency: 1, preconfigured: spines },
    { name: `${spines.length + leaves.length} devices, c=10`, devices: [...spines, ...leaves], concurrency: 10, preconfigured: [] },
  ];
  const files = writeLabFiles(fabric, JOB.convergenceMs);

  // One pool for the whole benchmark, as a device worker keeps one for its life: each run's
  // fresh simulator has new ports, so the pool opens new channels for it on either side.
  const pool = new GnmiClientPool(() => ({ ...LAB_CREDENTIALS }));
  const deviceActivities = createDeviceActivities({ gnmi: pool, directory: currentDirectory(), backups: currentBackups(), settings: DEFAULT_SETTINGS });
  const infrahubClient: InfrahubActivityDeps['infrahub'] = {
    getDeviceIntent: (...args) => lab().infrahub.getDeviceIntent(...args),
    recordDeployment: (...args) => lab().infrahub.recordDeployment(...args),
    listDevices: (...args) => lab().infrahub.listDevices(...args),
  };
  // createInfrahubWorker builds its activities from the client, as here: the same code over the same client.
  const infrahubActivities = createInfrahubActivities({ infrahub: infrahubClient });

  const cli = await resolveTemporalCli({ obtainIfMissing: true });
  const parts: WorkerParts = { bundle: await bundleWorkflows({ quiet: true }), deviceActivities, infrahubClient };
  const stacks: TemporalStack[] = [];
  const sides: Side[] = [];
  let tmpfsNote = 'not run: no /dev/shm on this host';
  try {
    // As the tests run it (startServerForTests): a throwaway SQLite file under .data/temporal, on this checkout's disk.
    const onDisk = await startTemporalStack({ cliPath: cli.path, headless: true, logLevel: 'error' }, parts);
    stacks.push(onDisk);
    sides.push({ key: 'plain', label: 'plain script', run: (s) => plainSide(s) });
    sides.push({ key: 'temporal', label: 'temporal, SQLite on disk', run: (s) => temporalSide(onDisk, s), client: onDisk.client });
    // The same server with its database in memory-backed tmpfs: what is left once storage latency is gone.
    if (fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').isDirectory()) {
      const dbFile = path.join('/dev/shm', `change-bench-${process.pid}-${randomUUID().slice(0, 8)}.sqlite`);
      const inMemory = await startTemporalStack({ cliPath: cli.path, headless: true, logLevel: 'error', dbFile }, parts, ['', '-wal', '-shm', '-journal'].map((x) => dbFile + x));
      stacks.push(inMemory);
      sides.push({ key: 'temporal-tmpfs', label: 'temporal, SQLite on tmpfs', run: (s) => temporalSide(inMemory, s), client: inMemory.client });
      tmpfsNote = `second dev server, database ${dbFile}`;
    }

    const serverPids = stacks.map((s) => s.server.pid);
    /** One measured run: a fresh lab, the change, the lab gone. */
    const measure = async (scenario: Scenario, side: Side): Promise<Sample> => {
      await newLab(files, fabric, scenario.preconfigured);
      try {
        const before = cpuNow(serverPids);
        const sample = await side.run(scenario);
        sample.cpu = cpuSince(before, serverPids);
        if (sample.changeWorkflowId && side.client) sample.history = await historySize(side.client, sample.changeWorkflowId, scenario.devices);
        return sample;
      } finally {
        await stopLab(pool);
      }
    };

    console.log('Change orchestration overhead: NetworkChangeWorkflow through Temporal vs the same activity calls in a plain script');
    console.log(`  temporal   CLI ${cli.version} \`temporal server start-dev\`, headless, throwaway database: ${stacks[0].server.address} (SQLite on disk, ${path.dirname(stacks[0].server.dbFile)})`);
    console.log(`             tmpfs variant: ${tmpfsNote}`);
    console.log('             workflow, device and infrahub workers in this process, one task queue each; the plain script in this process too');
    console.log('  simulators device-sim and infrahub-sim, each in its own process, restarted for every run (pre-change config: every change is a first deploy)');
    console.log(`  fabric     ${fabric.name}: ${spines.length} spines, ${leaves.length} leaves; BGP convergence ${JOB.convergenceMs} ms; settle bound ${JOB.settleTimeoutSeconds} s (both sides); commit-confirmed on`);
    console.log('  scenarios  1 device: leaf01, both spines configured beforehand; 50 devices: spine01, spine02, leaf01..leaf48 at concurrency 10');
    console.log(`  host       ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), node ${process.version}; ${JOB.repetitions} repetitions per side, medians`);
    console.log('  warm-up    one untimed 1-device change per side first (workflow bundle load, first channels, JIT)\n');
    for (const side of sides) await measure(scenarios[0], side);

    const results = new Map<string, Map<SideKey, Sample[]>>();
    for (const scenario of scenarios) {
      const entry = new Map<SideKey, Sample[]>(sides.map((side) => [side.key, []]));
      results.set(scenario.name, entry);
      for (let rep = 0; rep < JOB.repetitions; rep++) {
        // Rotate which side goes first, so none always runs on a warmer (or more tired) machine.
        const order = sides.map((_, i) => sides[(i + rep) % sides.length]);
        for (const side of order) {
          const sample = await measure(scenario, side);
          entry.get(side.key)!.push(sample);
          console.log(`  ${scenario.name.padEnd(18)} run ${rep + 1}  ${side.label.padEnd(26)} ${sample.ms.toFixed(0).padStart(7)} ms`);
        }
      }
    }
    report(scenarios, sides, results);
  } finally {
    await stopLab(pool);
    pool.close();
    for (const stack of stacks) await stack.stop();
    fs.rmSync(files.dir, { recursive: true, force: true });
  }

  async function temporalSide(stack: TemporalStack, scenario: Scenario): Promise<Sample> {
    const changeId = `bench-${randomUUID().slice(0, 8)}`;
    const request: ChangeRequestInput = {
      changeId,
      devices: scenario.devices,
      reason: 'benchmark: first deploy of the fabric underlay',
      requester: 'bench',
      concurrency: scenario.concurrency,
      validation: { settleTimeoutSeconds: JOB.settleTimeoutSeconds, commitConfirmed: JOB.commitConfirmed },
      approval: { required: false },
      // One wave of every device: the flat fan-out this benchmark has always measured.
      strategy: { waveSize: scenario.devices.length, oneAtATimeRoles: [] },
    };
    const start = performance.now();
    const handle = await stack.client.workflow.start<(r: ChangeRequestInput, routing: ActivityRoutingInput) => Promise<ChangeResult>>(WORKFLOW_TYPES.networkChange, {
      taskQueue: stack.taskQueue,
      workflowId: workflowIds.change(changeId),
      workflowExecutionTimeout: '10 minutes',
      args: [request, stack.routing],
    });
    const result = await handle.result();
    const ms = performance.now() - start;
    const notDeployed = result.devices.filter((d) => d.outcome !== 'deployed');
    if (notDeployed.length > 0) {
      throw new Error(`temporal run of "${scenario.name}" did not deploy every device: ${notDeployed.map((d) => `${d.device} ${d.outcome}: ${d.reason ?? ''}`).join('; ')}`);
    }
    const steps = new Map<string, number[]>();
    // Each device's step timings are on its own workflow (the change's result is a bounded summary).
    for (const device of result.devices) {
      const own = await stack.client.workflow.getHandle(workflowIds.device(device.device)).result();
      for (const t of (own as DeviceChangeResult).timings) addStep(steps, t.step, t.durationMs ?? 0);
    }
    return { ms, steps, cpu: { bench: 0 }, changeWorkflowId: workflowIds.change(changeId) };
  }

  async function plainSide(scenario: Scenario): Promise<Sample> {
    const start = performance.now();
    const results: PlainDeviceResult[] = await runPlainChange(
      { device: deviceActivities, infrahub: infrahubActivities },
      {
        changeId: `bench-${randomUUID().slice(0, 8)}`,
        devices: scenario.devices,
        reason: 'benchmark: first deploy of the fabric underlay',
        requester: 'bench',
        concurrency: scenario.concurrency,
        settleTimeoutSeconds: JOB.settleTimeoutSeconds,
      },
    );
    const ms = performance.now() - start;
    const notDeployed = results.filter((r) => r.outcome !== 'deployed');
    if (notDeployed.length > 0) throw new Error(`plain run of "${scenario.name}": ${notDeployed.map((r) => `${r.device} ${r.outcome}`).join(', ')} (expected a first deploy)`);
    const steps = new Map<string, number[]>();
    for (const r of results) for (const s of r.steps) addStep(steps, s.step, s.ms);
    return { ms, steps, cpu: { bench: 0 } };
  }
}

function report(scenarios: Scenario[], sides: Side[], results: Map<string, Map<SideKey, Sample[]>>): void {
  const ms = (n: number) => n.toFixed(0).padStart(9);
  const temporalSides = sides.filter((s) => s.key !== 'plain');
  console.log(`\nwall time, median of ${JOB.repetitions} (ms)                  plain  temporal  overhead   ratio  overhead per device`);
  for (const scenario of scenarios) {
    const entry = results.get(scenario.name)!;
    const plain = median(entry.get('plain')!.map((s) => s.ms));
    console.log(`  ${scenario.name}`);
    for (const side of temporalSides) {
      const t = median(entry.get(side.key)!.map((s) => s.ms));
      console.log(`    ${side.label.padEnd(34)} ${ms(plain)} ${ms(t)} ${ms(t - plain)}  ${(t / plain).toFixed(2).padStart(5)}x ${ms((t - plain) / scenario.devices.length)}`);
    }
  }
  console.log('  (overhead = temporal - plain; ratio = temporal / plain; per device = overhead / devices in the change)');

  console.log('\nworkflow history per change (median over the on-disk runs; sizes as the server counts them)');
  for (const scenario of scenarios) {
    const histories = results.get(scenario.name)!.get('temporal')!.map((s) => s.history!);
    const change = { events: median(histories.map((h) => h.change.events)), bytes: median(histories.map((h) => h.change.bytes)) };
    const devices = { events: median(histories.map((h) => h.devices.events)), bytes: median(histories.map((h) => h.devices.bytes)) };
    const n = scenario.devices.length;
    console.log(`  ${scenario.name}`);
    console.log(`    NetworkChangeWorkflow          ${String(change.events).padStart(6)} events ${kib(change.bytes).padStart(12)}`);
    console.log(`    ${`${n} x DeviceChangeWorkflow`.padEnd(30)} ${String(devices.events).padStart(6)} events ${kib(devices.bytes).padStart(12)}   (${(devices.events / n).toFixed(0)} events, ${kib(devices.bytes / n)} each)`);
    console.log(`    total                          ${String(change.events + devices.events).padStart(6)} events ${kib(change.bytes + devices.bytes).padStart(12)}`);
  }

  const cores = os.cpus().length;
  console.log(`\nCPU seconds while the change ran (median run of each side; ${cores} CPUs on this host)`);
  console.log(`  ${''.padEnd(46)} bench process  temporal servers  simulators   busy`);
  for (const scenario of scenarios) {
    for (const side of sides) {
      const sample = medianSample(results.get(scenario.name)!.get(side.key)!);
      const { bench, server, sims } = sample.cpu;
      const total = bench + (server ?? 0) + (sims ?? 0);
      const busy = `${((100 * total) / ((sample.ms / 1000) * cores)).toFixed(0)}%`.padStart(5);
      const cell = (v: number | undefined, width: number) => (v === undefined ? '?' : v.toFixed(2)).padStart(width);
      console.log(`  ${`${scenario.name}, ${side.label}`.padEnd(46)} ${cell(bench, 13)} ${cell(server, 17)} ${cell(sims, 11)}  ${busy}`);
    }
  }
  console.log('  (bench process: the workers and client, or the plain script; temporal servers: both dev servers, idle or not; busy: all of it / (wall time x CPUs))');

  console.log('\nwhere the time goes: mean step duration per device, median run of each side (ms)');
  console.log('  temporal: workflow time from the task that scheduled the activity to the task that saw its result; plain: the call itself');
  for (const scenario of scenarios) {
    const entry = results.get(scenario.name)!;
    const stepsBySide = sides.map((side) => medianSample(entry.get(side.key)!).steps);
    console.log(`  ${scenario.name}`);
    console.log(`    ${'step'.padEnd(22)}${sides.map((s) => s.label.padStart(27)).join('')}`);
    for (const step of [...stepsBySide[0].keys()]) {
      console.log(`    ${step.padEnd(22)}${stepsBySide.map((steps) => mean(steps.get(step) ?? []).toFixed(1).padStart(27)).join('')}`);
    }
  }
}

interface CpuSnapshot {
  bench: NodeJS.CpuUsage;
  server?: number;
  sims?: number;
}

function cpuNow(serverPids: number[]): CpuSnapshot {
  return { bench: process.cpuUsage(), server: cpuOf(serverPids), sims: simsCpu() };
}

function cpuSince(before: CpuSnapshot, serverPids: number[]): Sample['cpu'] {
  const used = process.cpuUsage(before.bench);
  const server = cpuOf(serverPids);
  const sims = simsCpu();
  return {
    bench: (used.user + used.system) / 1e6,
    ...(server !== undefined && before.server !== undefined ? { server: server - before.server } : {}),
    ...(sims !== undefined && before.sims !== undefined ? { sims: sims - before.sims } : {}),
  };
}

function simsCpu(): number | undefined {
  return cpuOf(current?.running.pids ?? []);
}

function cpuOf(pids: number[]): number | undefined {
  const readings = pids.map(processCpuSeconds);
  return readings.some((r) => r === undefined) ? undefined : sum(readings as number[]);
}

async function historySize(client: Client, changeWorkflowId: string, devices: readonly string[]): Promise<HistorySize> {
  const one = async (workflowId: string) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    let bytes = description.historySize;
    if (bytes === undefined) bytes = temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().length;
    return { events: description.historyLength, bytes };
  };
  const change = await one(changeWorkflowId);
  const perDevice = await Promise.all(devices.map((d) => one(workflowIds.device(d))));
  return {
    change,
    devices: { events: sum(perDevice.map((d) => d.events)), bytes: sum(perDevice.map((d) => d.bytes)), count: perDevice.length },
  };
}

/** Starts the simulators, a new backup repository and Infrahub client, and configures `preconfigured` devices directly. */
async function newLab(files: ReturnType<typeof writeLabFiles>, fabric: Lab, preconfigured: string[]): Promise<void> {
  const running = await startLab(files);
  const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'change-bench-backups-'));
  const backups = new GitBackupStore({ dir: backupDir, onWarning: () => undefined });
  await backups.ready();
  const directory = new StaticDeviceDirectory(Object.fromEntries([...running.devices].map(([name, address]) => [name, { address }])), {
    transport: { mode: 'plaintext' },
    timeoutMs: 10_000,
  });
  const infrahub = new InfrahubClient({ address: running.infrahubAddress, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
  current = { running, directory, backups, backupDir, infrahub };
  await Promise.all(
    preconfigured.map(async (name) => {
      const admin = new GnmiClient({ name, address: running.devices.get(name)!, transport: { mode: 'plaintext' } }, { ...LAB_CREDENTIALS });
      try {
        await admin.set(deployOperations({ config: renderConfig(deviceIntent(fabric, name)) }));
      } finally {
        admin.close();
      }
    }),
  );
}

async function stopLab(pool: GnmiClientPool): Promise<void> {
  const lab = current;
  current = undefined;
  if (!lab) return;
  // Channels to a simulator that is about to go: close them rather than let them reconnect.
  pool.close();
  lab.infrahub.close();
  await lab.running.stop();
  fs.rmSync(lab.backupDir, { recursive: true, force: true });
}

function currentDirectory(): DeviceDirectory {
  return { resolve: (device) => lab().directory.resolve(device), devices: () => lab().directory.devices() };
}

function currentBackups(): BackupStore {
  return {
    writeBackup: (...args) => lab().backups.writeBackup(...args),
    archiveBackup: (...args) => lab().backups.archiveBackup(...args),
    readBackup: (...args) => lab().backups.readBackup(...args),
    writeOwnership: (...args) => lab().backups.writeOwnership(...args),
    readOwnership: (...args) => lab().backups.readOwnership(...args),
  };
}

function addStep(steps: Map<string, number[]>, step: string, ms: number): void {
  const list = steps.get(step) ?? [];
  list.push(ms);
  steps.set(step, list);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianSample(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)];
}

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
const mean = (values: number[]) => (values.length ? sum(values) / values.length : 0);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
