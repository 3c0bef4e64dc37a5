/**
 * Benchmark (not a test): a drift scan of a generated 1,000-device fabric.
 *
 *   npm run bench:drift            (builds first)
 *
 * In one run it scans the same fleet two ways and prints the ratio:
 *   - through Temporal: DriftRemediationWorkflow (mode report, scope all) on
 *     a throwaway dev server, its DriftBatchWorkflow children, the
 *     infrahub worker in this process and the device worker as its own
 *     process (its real dist/main.js), whose peak memory (VmHWM) is read
 *     from /proc at the end;
 *   - plain: a script in this process making the same calls with the same
 *     number in flight: list the devices, per device read the intent over
 *     HTTP, render it, gNMI Get the running config, compare the managed
 *     paths; record `drifted` in Infrahub for each drifted device.
 * Both simulators run in their own processes. Every leaf runs its intent
 * except `drifted` of them, whose uplink MTU is changed out of band before
 * the clock starts; the spines are never configured (all their managed paths
 * missing). Both sides must find exactly those devices drifted.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { mapWithConcurrency, TASK_QUEUES, WORKFLOW_TYPES, workflowIds, type DriftReport, type DriftRequestInput } from '@synapse/contracts';
import { deployOperations, DocumentStore, ownershipScope, planChange, renderConfig } from '@synapse/device-config';
import { GitBackupStore } from '@synapse/device-worker';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT } from '@synapse/device-sim';
import { GnmiClientPool } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { createInfrahubWorker } from '@synapse/infrahub-worker';
import { deviceIntent, generateFabric } from '@synapse/lab';
import { startDevServer } from '@synapse/temporal-tools';
import { bundleWorkflows, createWorkflowWorker } from '@synapse/workflow-worker';
import { startLab, writeLabFiles } from './lab-processes';

const JOB = {
  // Two spines: the simulator recomputes a spine's sessions on every change of a leaf, so more spines
  // only slow its set-up; the scan reads each device once whatever the topology.
  spines: 2,
  leaves: 998,
  drifted: 10,
  /**
   * Devices per batch child, devices read at once per batch, batches at once: 4 x 5 = 20 in flight.
   * (BENCH_BATCH_SIZE, BENCH_CONCURRENCY, BENCH_PARALLEL_BATCHES try other shapes.)
   */
  batchSize: Number(process.env.BENCH_BATCH_SIZE ?? 100),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 5),
  parallelBatches: Number(process.env.BENCH_PARALLEL_BATCHES ?? 4),
  /** Measured runs per side, alternating, after one warm-up run of each (channels open, code compiled). */
  repetitions: 3,
};
const IN_FLIGHT = JOB.concurrency * JOB.parallelBatches;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const fabric = generateFabric({ spines: JOB.spines, leaves: JOB.leaves });
  const names = fabric.devices.map((d) => d.name).sort();
  const leaves = names.filter((n) => n.startsWith('leaf'));
  const spines = names.filter((n) => n.startsWith('spine'));
  const outOfBand = leaves.slice(0, JOB.drifted);
  const drifted = [...spines, ...outOfBand];
  console.log(
    `drift scan benchmark: ${names.length} devices (${JOB.spines} spines never configured, ${JOB.leaves} leaves running their intent, ${outOfBand.length} of them drifted out of band), ${IN_FLIGHT} devices in flight on both sides`,
  );

  // Sessions establish at once: the scan reads config, not BGP, and session timers would only load the simulator.
  const lab = await startLab(writeLabFiles(fabric, 0));
  const pool = new GnmiClientPool(() => ({ ...LAB_CREDENTIALS }));
  const target = (name: string) => ({ name, address: lab.devices.get(name)!, transport: LAB_PLAINTEXT_TRANSPORT });
  const infrahub = new InfrahubClient({ address: lab.infrahubAddress, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-bench-'));
  // The plain script reads ownership records from a store of its own, as the device worker does from its own.
  const plainStore = new GitBackupStore({ dir: path.join(workDir, 'plain-backups'), onWarning: () => undefined });
  const server = await startDevServer({ dbFile: path.join(workDir, 'temporal.sqlite'), headless: true });
  const suffix = randomUUID().slice(0, 8);
  const queues = { workflow: `${TASK_QUEUES.workflows}-bench-${suffix}`, device: `${TASK_QUEUES.device}-bench-${suffix}`, infrahub: `${TASK_QUEUES.infrahub}-bench-${suffix}` };
  const deviceWorker = await startDeviceWorkerProcess(server.address, queues.device, lab.devices, workDir);
  // What the process holds before any scan (the runtime, the SDK's core, the code): the peak below is against it.
  const readyRssMiB = deviceWorker.rssMiB();
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace: server.namespace });
  const workers = await Promise.all([
    createWorkflowWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: queues.workflow, workflowBundle: await bundleWorkflows({ quiet: true }), allowedActivityQueues: [queues.device, queues.infrahub] }),
    // The rendered configs go to the document store the device worker process reads (history holds their digests).
    createInfrahubWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: queues.infrahub, infrahub, documents: new DocumentStore({ dir: path.join(workDir, 'documents') }) }),
  ]);
  const running = workers.map((w) => w.run());

  try {
    console.log(`set-up: simulators ready, configuring ${names.length} devices with their intent (not timed)`);
    const setupStarted = performance.now();
    // Not timed: every device runs its intent, then a few drift out of band.
    // The spines stay unconfigured: the simulator validates a 998-port spine config for minutes, and a
    // spine that never got its intent is drift too (every managed path missing), so both sides must find them.
    const configure = async (name: string) => {
      const config = renderConfig(deviceIntent(fabric, name));
      await pool.get({ ...target(name), timeoutMs: 60_000 }).set(deployOperations({ config }));
    };
    await mapWithConcurrency(leaves, IN_FLIGHT, configure);
    const configuredAt = performance.now();
    console.log(`set-up: configured in ${fmtMs(configuredAt - setupStarted)}`);
    await mapWithConcurrency(outOfBand, IN_FLIGHT, (name) => pool.get(target(name)).set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] }).then(() => undefined));

    const temporalRuns: Array<{ ms: number; report: DriftReport; workflowId: string }> = [];
    const plainRuns: Array<{ ms: number; drifted: string[] }> = [];
    await plainScan();
    await temporalScan(0);
    for (let i = 1; i <= JOB.repetitions; i++) {
      plainRuns.push(await plainScan());
      temporalRuns.push(await temporalScan(i));
    }

    for (const run of temporalRuns) requireSameFindings('workflow', run.report.devices.filter((d) => d.status === 'drifted').map((d) => d.device));
    for (const run of plainRuns) requireSameFindings('plain script', run.drifted);
    const history = await historySizes(client, temporalRuns[temporalRuns.length - 1].workflowId);
    const plainMs = median(plainRuns.map((r) => r.ms));
    const temporalMs = median(temporalRuns.map((r) => r.ms));
    const counts = temporalRuns[0].report.counts;

    console.log('');
    console.log(`wall time, median of ${JOB.repetitions} after a warm-up (each run: ${plainRuns.map((r) => fmtMs(r.ms)).join(', ')} plain; ${temporalRuns.map((r) => fmtMs(r.ms)).join(', ')} workflow)`);
    console.log(`  plain concurrent script   ${fmtMs(plainMs)}`);
    console.log(`  DriftRemediationWorkflow  ${fmtMs(temporalMs)}   ratio ${(temporalMs / plainMs).toFixed(2)}x (target < 1.2x)`);
    console.log(`  report: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')}`);
    console.log(`device-worker process peak memory (VmHWM): ${deviceWorker.peakMiB().toFixed(1)} MiB (target < 200 MiB; RSS when ready ${readyRssMiB.toFixed(1)} MiB, now ${deviceWorker.rssMiB().toFixed(1)} MiB)`);
    console.log('workflow histories of the last run:');
    console.log(`  DriftRemediationWorkflow  ${history.run.events} events, ${fmtKiB(history.run.bytes)}`);
    console.log(`  ${history.batches.count} DriftBatchWorkflow         ${history.batches.events} events, ${fmtKiB(history.batches.bytes)} in all; largest ${fmtKiB(history.batches.largest)}`);
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
    await deviceWorker.stop();
    await clientConnection.close();
    await workerConnection.close();
    await server.stop();
    pool.close();
    infrahub.close();
    await lab.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  async function temporalScan(run: number) {
    const driftId = `bench-${suffix}-${run}`;
    const request: DriftRequestInput = {
      driftId,
      scope: { kind: 'all' },
      mode: 'report',
      batchSize: JOB.batchSize,
      concurrency: JOB.concurrency,
      parallelBatches: JOB.parallelBatches,
      requester: 'bench',
      reason: 'drift scan benchmark',
    };
    const started = performance.now();
    const report = await client.workflow.execute<(r: DriftRequestInput, routing: unknown) => Promise<DriftReport>>(WORKFLOW_TYPES.driftRemediation, {
      taskQueue: queues.workflow,
      workflowId: workflowIds.drift(driftId),
      args: [request, { taskQueues: { device: queues.device, infrahub: queues.infrahub } }],
    });
    return { ms: performance.now() - started, report, workflowId: workflowIds.drift(driftId) };
  }

  async function plainScan() {
    const started = performance.now();
    const devices = await infrahub.listDevices({});
    const found = await mapWithConcurrency(devices, IN_FLIGHT, async ({ name }) => {
      const { intent } = await infrahub.getDeviceIntent(name);
      const config = renderConfig(intent);
      const running = (await pool.get(target(name)).getConfig('/', { keepModulePrefixes: true })) ?? {};
      // The comparison checkDrift makes: the plan on what Synapse owns, with the device's ownership record.
      const previous = (await plainStore.readOwnership(name))?.config;
      const plan = planChange({ running, config, scope: ownershipScope(intent), previous, unmanagedLimit: 0 });
      return plan.inSync ? undefined : name;
    });
    const driftedNow = found.filter((n): n is string => n !== undefined);
    await mapWithConcurrency(driftedNow, IN_FLIGHT, (device) => infrahub.recordDeployment({ device, state: 'drifted', changeId: `plain-${suffix}` }).then(() => undefined));
    return { ms: performance.now() - started, drifted: driftedNow };
  }

  function requireSameFindings(side: string, found: string[]): void {
    const expected = [...drifted].sort().join(',');
    if ([...found].sort().join(',') !== expected) throw new Error(`${side} found ${found.length} drifted devices (${found.slice(0, 5).join(', ')}…), expected exactly ${drifted.join(', ')}`);
  }
}

/** The device worker as production runs it: its own process, its real main, the simulator's inventory. */
async function startDeviceWorkerProcess(temporalAddress: string, taskQueue: string, devices: Map<string, string>, dir: string) {
  const inventory = path.join(dir, 'inventory.json');
  fs.writeFileSync(inventory, JSON.stringify(Object.fromEntries([...devices].map(([name, address]) => [name, { address }]))));
  const child = spawn(process.execPath, [require.resolve('@synapse/device-worker/dist/main.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      SYNAPSE_DEVICE_TASK_QUEUE: taskQueue,
      SYNAPSE_DEVICE_INVENTORY: inventory,
      // The simulator speaks plaintext: the lab's credentials are allowed over it explicitly.
      SYNAPSE_GNMI_TRANSPORT: 'plaintext',
      SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS: 'true',
      SYNAPSE_BACKUP_DIR: path.join(dir, 'backups'),
      SYNAPSE_DOCUMENT_DIR: path.join(dir, 'documents'),
      SYNAPSE_DEVICE_USERNAME: LAB_CREDENTIALS.username,
      SYNAPSE_DEVICE_PASSWORD: LAB_CREDENTIALS.password,
      SYNAPSE_LOG_LEVEL: 'warn',
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const onExit = (code: number | null) => reject(new Error(`device-worker exited (${code}) before polling: ${stderr.trim()}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n').slice(0, -1)) {
        if (line.includes('"service":"device-worker"')) {
          child.off('exit', onExit);
          resolve();
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  const status = (field: string) => Number(/(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN) / 1024;
  return {
    peakMiB: () => status('VmHWM:'),
    rssMiB: () => status('VmRSS:'),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function historySizes(client: Client, runWorkflowId: string) {
  const one = async (workflowId: string) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const bytes = description.historySize ?? temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish().length;
    return { events: description.historyLength, bytes };
  };
  const run = await one(runWorkflowId);
  const batches: Array<{ events: number; bytes: number }> = [];
  for (let n = 1; ; n++) {
    const found = await one(workflowIds.driftBatch(runWorkflowId, n)).catch(() => undefined);
    if (!found) break;
    batches.push(found);
  }
  return {
    run,
    batches: { count: batches.length, events: sum(batches.map((b) => b.events)), bytes: sum(batches.map((b) => b.bytes)), largest: Math.max(0, ...batches.map((b) => b.bytes)) },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtMs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtKiB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
