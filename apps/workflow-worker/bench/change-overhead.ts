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
 * same backup commits. The difference is orchestration alone. The lab behind
 * those activities and the dev servers with their workers are bench-stack.ts's,
 * the stack the rollout benchmarks run on too; here the workflow worker runs
 * in this process, on the bundle built once for both servers.
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
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { WORKFLOW_TYPES, workflowIds, type ChangeRequestInput, type ChangeResult, type DeviceChangeResult } from '@synapse/contracts';
import { deployOperations, renderConfig } from '@synapse/device-config';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT } from '@synapse/device-sim';
import { GnmiClient } from '@synapse/gnmi-client';
import { deviceIntent, generateFabric, type Lab } from '@synapse/lab';
import { resolveTemporalCli } from '@synapse/temporal-tools';
import { bundleWorkflows, type ActivityRoutingInput } from '@synapse/workflow-worker';
import { createBenchLab, startTemporalStack, type BenchLab, type TemporalStack } from './bench-stack';
import { processCpuSeconds, type RunningLab } from './lab-processes';
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

type SideKey = 'plain' | 'temporal' | 'temporal-tmpfs';

interface Side {
  key: SideKey;
  label: string;
  run(scenario: Scenario): Promise<Sample>;
  /** The Temporal server whose workflows ran, for the histories. */
  client?: Client;
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
  // The simulators restart for every run; the activities both sides call (and the workers serve) stay.
  const benchLab = createBenchLab(fabric, JOB.convergenceMs, 'change-bench-backups-');

  const cli = await resolveTemporalCli({ obtainIfMissing: true });
  // BENCH_WORKFLOW_WORKER=process: the workflow worker in a process of its own, as deployed, rather than
  // sharing this process's event loop with the activity workers and the client.
  const ownProcess = process.env.BENCH_WORKFLOW_WORKER === 'process';
  const bundle = ownProcess ? undefined : await bundleWorkflows({ quiet: true });
  console.log(`workflow worker: ${ownProcess ? 'its own process (BENCH_WORKFLOW_WORKER=process)' : 'in this process, beside the activity workers'}`);
  const stacks: TemporalStack[] = [];
  const sides: Side[] = [];
  let tmpfsNote = 'not run: no /dev/shm on this host';
  try {
    // As the tests run it (startServerForTests): a throwaway SQLite file under .data/temporal, on this checkout's disk.
    const onDisk = await startTemporalStack({ cliPath: cli.path, headless: true, logLevel: 'error' }, benchLab, bundle ? { bundle } : {});
    stacks.push(onDisk);
    sides.push({ key: 'plain', label: 'plain script', run: (s) => plainSide(s) });
    sides.push({ key: 'temporal', label: 'temporal, SQLite on disk', run: (s) => temporalSide(onDisk, s), client: onDisk.client });
    // The same server with its database in memory-backed tmpfs: what is left once storage latency is gone.
    if (fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').isDirectory()) {
      const dbFile = path.join('/dev/shm', `change-bench-${process.pid}-${randomUUID().slice(0, 8)}.sqlite`);
      const inMemory = await startTemporalStack({ cliPath: cli.path, headless: true, logLevel: 'error', dbFile }, benchLab, {
        ...(bundle ? { bundle } : {}),
        removeAfter: ['', '-wal', '-shm', '-journal'].map((x) => dbFile + x),
      });
      stacks.push(inMemory);
      sides.push({ key: 'temporal-tmpfs', label: 'temporal, SQLite on tmpfs', run: (s) => temporalSide(inMemory, s), client: inMemory.client });
      tmpfsNote = `second dev server, database ${dbFile}`;
    }

    // A workflow worker of its own counts with the servers: it is orchestration, not the bench process.
    const serverPids = stacks.flatMap((s) => [s.server.pid, ...(s.workflowWorkerPid ? [s.workflowWorkerPid] : [])]);
    /** One measured run: a fresh lab, the change, the lab gone. */
    const measure = async (scenario: Scenario, side: Side): Promise<Sample> => {
      const running = await newLab(benchLab, fabric, scenario.preconfigured);
      try {
        const before = cpuNow(serverPids, running.pids);
        const sample = await side.run(scenario);
        sample.cpu = cpuSince(before, serverPids, running.pids);
        if (sample.changeWorkflowId && side.client) sample.history = await historySize(side.client, sample.changeWorkflowId, scenario.devices);
        return sample;
      } finally {
        await benchLab.stop();
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
    await benchLab.stop();
    for (const stack of stacks) await stack.stop();
    await benchLab.close();
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
      { device: benchLab.deviceActivities, infrahub: benchLab.infrahubActivities },
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
  console.log('  (bench process: the workers and client, or the plain script; temporal servers: both dev servers, idle or not, and their workflow workers when those run as processes; busy: all of it / (wall time x CPUs))');

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

function cpuNow(serverPids: number[], simPids: number[]): CpuSnapshot {
  return { bench: process.cpuUsage(), server: cpuOf(serverPids), sims: cpuOf(simPids) };
}

function cpuSince(before: CpuSnapshot, serverPids: number[], simPids: number[]): Sample['cpu'] {
  const used = process.cpuUsage(before.bench);
  const server = cpuOf(serverPids);
  const sims = cpuOf(simPids);
  return {
    bench: (used.user + used.system) / 1e6,
    ...(server !== undefined && before.server !== undefined ? { server: server - before.server } : {}),
    ...(sims !== undefined && before.sims !== undefined ? { sims: sims - before.sims } : {}),
  };
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

/** A fresh lab (bench-stack.ts) with the `preconfigured` devices configured directly, behind the change's back. */
async function newLab(benchLab: BenchLab, fabric: Lab, preconfigured: string[]): Promise<RunningLab> {
  const running = await benchLab.start();
  await Promise.all(
    preconfigured.map(async (name) => {
      const admin = new GnmiClient({ name, address: running.devices.get(name)!, transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS });
      try {
        await admin.set(deployOperations({ config: renderConfig(deviceIntent(fabric, name)) }));
      } finally {
        admin.close();
      }
    }),
  );
  return running;
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
