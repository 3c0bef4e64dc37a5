/**
 * Benchmark (not a test): what Temporal orchestration costs a 1,000-device
 * rollout.
 *
 *   npm run bench:rollout                       (builds first; 1,000 devices)
 *   npm run bench:rollout -- --devices 200      (smaller; rounded up to pods of 20)
 *   other options: --concurrency N (20), --wave-size N (100), --settle S (10),
 *                  --one-at-a-time spine,core|none (the request's default),
 *                  --timeout-minutes M (30), --inline-workflow-worker
 *
 * In one run it times the same rollout two ways and prints the ratio:
 *   - through Temporal: NetworkChangeWorkflow with its plan batches, device
 *     groups, waves and device workflows on a throwaway dev server (SQLite
 *     on disk), the device and infrahub workers in this process, the
 *     workflow worker in its own (its dist/main.js; rollout-stack.ts says why);
 *   - plain: rollout-plain.ts, the same activity functions called by a
 *     script with the same parallelism: the plan in batches of 50, two at
 *     once; the same waves (each spine alone, then waves of 100), the same
 *     `concurrency` devices at once within a wave, each device's runbook
 *     with its baseline-relative validation; the fabric check of every
 *     group after each wave.
 * Both sides run over the same gNMI client pool, git backup store and
 * Infrahub client, against a fresh lab each (rollout-lab.ts: pods of 2
 * spines and 18 leaves on their pre-change config, so every device is a
 * first deploy). The clock runs from the change's start to its result.
 * It also prints the machine's load (os.loadavg) before and after, and the
 * CPU seconds this process, the Temporal server and the simulators used on
 * each side: other runs may share the machine. Temporal runs first, with no
 * warm-up on either side (minutes of run amortize a JIT warm-up). Figures
 * only: nothing is asserted about time.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { QUERIES, type RolloutProgress } from '@synapse/contracts';
import { processCpuSeconds } from './lab-processes';
import { parseRolloutOptions, podFabric, POD, ROLLOUT_DEFAULTS, type RolloutOptions } from './rollout-lab';
import { runPlainRollout } from './rollout-plain';
import { loadLine, memoryOf, rolloutRequest, runRollout, startRolloutStack } from './rollout-stack';

const DEFAULTS: RolloutOptions = { ...ROLLOUT_DEFAULTS, timeoutMinutes: 30 };

interface SideCpu {
  bench: number;
  /** The Temporal server and, when it runs as its own process, the workflow worker. */
  server?: number;
  sims?: number;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const options = parseRolloutOptions(process.argv.slice(2), DEFAULTS);
  const fabric = podFabric(options.devices);
  const devices = fabric.devices;
  const loadBefore = loadLine();
  console.log('Rollout orchestration overhead: NetworkChangeWorkflow through Temporal vs the same activity calls in a plain script');
  console.log(`  devices    ${devices.length}: ${fabric.pods} pods x (${POD.spines} spines + ${POD.leaves} leaves); BGP convergence ${options.convergenceMs} ms${devices.length !== options.devices ? ` (${options.devices} rounded up to whole pods)` : ''}`);
  console.log(
    `  rollout    waves of ${options.waveSize}, concurrency ${options.concurrency} per wave, settle ${options.settleTimeoutSeconds} s, commit-confirmed, one-at-a-time roles ${options.oneAtATimeRoles ? options.oneAtATimeRoles.join(',') || 'none' : 'default (spine, core, edge)'} (both sides)`,
  );
  console.log(`  host       ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), node ${process.version}; ${loadBefore} at start`);

  const stack = await startRolloutStack(fabric.lab, options.convergenceMs, { inlineWorkflowWorker: options.inlineWorkflowWorker ?? false });
  const temporalPids = [stack.server.pid, ...(stack.workflowWorkerPid ? [stack.workflowWorkerPid] : [])];
  try {
    console.log(
      `  temporal   CLI ${stack.cliVersion} dev server, SQLite on disk; device and infrahub workers and the plain script in this process, the workflow worker ${stack.workflowWorkerPid ? 'in its own (dist/main.js)' : 'in this process too'}\n`,
    );

    // Temporal.
    let lab = await stack.startLab();
    let before = cpuNow(temporalPids, lab.pids);
    const request = rolloutRequest(`bench-${randomUUID().slice(0, 8)}`, devices, options);
    const run = await runRollout(stack, request, { timeoutMinutes: options.timeoutMinutes });
    const temporalCpu = cpuSince(before, temporalPids, lab.pids);
    const notDeployed = run.result.devices.filter((d) => d.outcome !== 'deployed');
    if (notDeployed.length > 0) {
      throw new Error(`temporal side did not deploy every device (${run.result.outcome}): ${notDeployed.slice(0, 10).map((d) => `${d.device} ${d.outcome}: ${d.reason ?? ''}`).join('; ')}`);
    }
    const progress = await stack.client.workflow.getHandle(run.changeWorkflowId).query<RolloutProgress>(QUERIES.progress);
    const loadBetween = loadLine();
    const workerMemory = stack.workflowWorkerPid ? memoryOf(stack.workflowWorkerPid) : undefined;
    console.log(
      `  temporal   ${(run.ms / 1000).toFixed(1)} s, ${run.result.waves.length} waves, ${run.result.counts.deployed ?? 0} deployed; ${loadBetween}${workerMemory ? `; workflow worker peak ${workerMemory.peakMiB.toFixed(0)} MiB` : ''}`,
    );

    // Plain, on a fresh lab.
    lab = await stack.startLab();
    before = cpuNow(temporalPids, lab.pids);
    const plainStart = performance.now();
    const plain = await runPlainRollout(
      { device: stack.deviceActivities, infrahub: stack.infrahubActivities },
      {
        changeId: `bench-${randomUUID().slice(0, 8)}`,
        devices,
        reason: request.reason,
        requester: request.requester,
        concurrency: options.concurrency,
        settleTimeoutSeconds: options.settleTimeoutSeconds,
        waveSize: options.waveSize,
        ...(options.oneAtATimeRoles ? { oneAtATimeRoles: options.oneAtATimeRoles } : {}),
      },
    );
    const plainMs = performance.now() - plainStart;
    const plainCpu = cpuSince(before, temporalPids, lab.pids);
    const loadAfter = loadLine();
    console.log(`  plain      ${(plainMs / 1000).toFixed(1)} s, ${plain.waves.length} waves, ${plain.deployed} deployed; ${loadAfter}`);

    const sameWaves = JSON.stringify(plain.waves) === JSON.stringify(progress.waves.map((w) => w.devices));
    const temporalFabric = run.result.waves.reduce((n, w) => n + w.fabricProblems, 0);
    console.log(`\n${devices.length} devices, ${plain.waves.length} waves (${sameWaves ? "identical on both sides: the plain script's wave plan is the workflow's" : 'WAVES DIFFER between the sides'}), concurrency ${options.concurrency}`);
    console.log(`  wall time   plain ${(plainMs / 1000).toFixed(1)} s   temporal ${(run.ms / 1000).toFixed(1)} s   overhead ${((run.ms - plainMs) / 1000).toFixed(1)} s   ratio ${(run.ms / plainMs).toFixed(2)}x   (${((run.ms - plainMs) / devices.length).toFixed(0)} ms per device)`);
    console.log(`  CPU seconds while each side ran:   bench process   temporal server${stack.workflowWorkerPid ? ' + workflow worker' : ''}   simulators`);
    for (const [label, cpu] of [
      ['plain', plainCpu],
      ['temporal', temporalCpu],
    ] as const) {
      console.log(`    ${label.padEnd(30)} ${cpu.bench.toFixed(0).padStart(13)} ${fmt(cpu.server).padStart(17)} ${fmt(cpu.sims).padStart(12)}`);
    }
    console.log(`  fabric problems after waves: plain ${plain.fabricProblems}, temporal ${temporalFabric}`);
    console.log(`  load        start: ${loadBefore}\n              after temporal: ${loadBetween}\n              after plain: ${loadAfter}`);
  } finally {
    await stack.stop();
  }
}

function cpuNow(serverPids: number[], simPids: number[]): { bench: NodeJS.CpuUsage; server?: number; sims?: number } {
  return { bench: process.cpuUsage(), ...cpuOf(serverPids, simPids) };
}

function cpuSince(before: ReturnType<typeof cpuNow>, serverPids: number[], simPids: number[]): SideCpu {
  const used = process.cpuUsage(before.bench);
  const now = cpuOf(serverPids, simPids);
  return {
    bench: (used.user + used.system) / 1e6,
    ...(now.server !== undefined && before.server !== undefined ? { server: now.server - before.server } : {}),
    ...(now.sims !== undefined && before.sims !== undefined ? { sims: now.sims - before.sims } : {}),
  };
}

function cpuOf(serverPids: number[], simPids: number[]): { server?: number; sims?: number } {
  const total = (pids: number[]) => {
    const readings = pids.map(processCpuSeconds);
    return readings.every((r) => r !== undefined) ? (readings as number[]).reduce((a, b) => a + b, 0) : undefined;
  };
  const server = total(serverPids);
  const sims = simPids.map(processCpuSeconds);
  return {
    ...(server !== undefined ? { server } : {}),
    ...(sims.every((s) => s !== undefined) ? { sims: (sims as number[]).reduce((a, b) => a + b, 0) } : {}),
  };
}

const fmt = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(0));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
