/**
 * What the rollout benchmarks run on: the bench stack (bench-stack.ts: a
 * throwaway dev server, the three workers each on its own task queue, the
 * two simulators in their own processes behind the activities' indirections)
 * with one lab per run, and the rollout itself, watched while it runs.
 *
 * The device and infrahub workers run in this process (the plain script
 * calls the very same activity objects). The workflow worker runs as its
 * own process by default, its real dist/main.js, as it is deployed: a
 * rollout keeps every device workflow open until it ends, so the workflow
 * worker's cache holds ~1,000 workflows and several GB; in the same process
 * that memory makes every git spawn of the backup store (a fork of a
 * multi-GB process) slow, and the serialized backup writes then bound the
 * whole rollout (measured: storeBackup and recordOwnership 9-13 s each at
 * concurrency 20, ~140 s per wave of 100). `--inline-workflow-worker` keeps
 * it in this process (createWorkflowWorker with the bundle) to see that.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { QUERIES, WORKFLOW_TYPES, workflowIds, type ChangeRequestInput, type ChangeResult, type RolloutProgress } from '@synapse/contracts';
import type { Lab } from '@synapse/lab';
import { resolveTemporalCli, type DevServer } from '@synapse/temporal-tools';
import { bundleWorkflows, type ActivityRoutingInput } from '@synapse/workflow-worker';
import { createBenchLab, startTemporalStack, type BenchLab } from './bench-stack';
import type { RunningLab } from './lab-processes';
import type { RolloutOptions } from './rollout-lab';

export interface RolloutStack {
  server: DevServer;
  /** The workflow worker's process, when it runs as one (its pid, for memory and CPU). */
  workflowWorkerPid?: number;
  client: Client;
  cliVersion: string;
  taskQueue: string;
  routing: Required<ActivityRoutingInput>;
  /** The very activity objects the device and infrahub workers serve (the plain script calls them). */
  deviceActivities: BenchLab['deviceActivities'];
  infrahubActivities: BenchLab['infrahubActivities'];
  /** Fresh simulators (pre-change config), a new backup repository and Infrahub client. */
  startLab(): Promise<RunningLab>;
  stopLab(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRolloutStack(lab: Lab, convergenceMs: number, options: { inlineWorkflowWorker?: boolean } = {}): Promise<RolloutStack> {
  const benchLab = createBenchLab(lab, convergenceMs, 'rollout-bench-backups-');
  const cli = await resolveTemporalCli({ obtainIfMissing: true });
  const bundle = options.inlineWorkflowWorker ? await bundleWorkflows({ quiet: true }) : undefined;
  // As the tests run it: a throwaway SQLite file under .data/temporal, on this checkout's disk.
  const stack = await startTemporalStack({ cliPath: cli.path, headless: true, logLevel: 'error' }, benchLab, bundle ? { bundle } : {});
  return {
    server: stack.server,
    ...(stack.workflowWorkerPid !== undefined ? { workflowWorkerPid: stack.workflowWorkerPid } : {}),
    client: stack.client,
    cliVersion: cli.version,
    taskQueue: stack.taskQueue,
    routing: stack.routing,
    deviceActivities: benchLab.deviceActivities,
    infrahubActivities: benchLab.infrahubActivities,
    startLab: () => benchLab.start(),
    stopLab: () => benchLab.stop(),
    async stop() {
      await benchLab.stop();
      await stack.stop();
      await benchLab.close();
    },
  };
}

/** Peak and current resident memory of a process, from /proc (Linux). */
export function memoryOf(pid: number): { peakMiB: number; nowMiB: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMiB: kib('VmHWM') / 1024, nowMiB: kib('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** The change both scripts start: every device, waves of `waveSize`, a short settle, approval waived. */
export function rolloutRequest(changeId: string, devices: string[], options: RolloutOptions): ChangeRequestInput {
  return {
    changeId,
    devices,
    reason: `benchmark: first deploy of a ${devices.length}-device fabric underlay as a rollout`,
    requester: 'bench',
    concurrency: options.concurrency,
    validation: { settleTimeoutSeconds: options.settleTimeoutSeconds, commitConfirmed: true },
    approval: { required: false },
    strategy: { waveSize: options.waveSize, ...(options.oneAtATimeRoles ? { oneAtATimeRoles: options.oneAtATimeRoles } : {}) },
  };
}

export interface RolloutRun {
  changeWorkflowId: string;
  result: ChangeResult;
  ms: number;
}

/**
 * Starts the change and waits for its result, printing its progress (the
 * `progress` query) every `everySeconds`. Past `timeoutMinutes` it prints
 * what is still running and terminates the change: a stuck rollout is
 * reported, not waited for.
 */
export async function runRollout(stack: RolloutStack, request: ChangeRequestInput, options: { timeoutMinutes: number; everySeconds?: number; log?: (line: string) => void }): Promise<RolloutRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const changeWorkflowId = workflowIds.change(request.changeId);
  const start = performance.now();
  const handle = await stack.client.workflow.start<(r: ChangeRequestInput, routing: ActivityRoutingInput) => Promise<ChangeResult>>(WORKFLOW_TYPES.networkChange, {
    taskQueue: stack.taskQueue,
    workflowId: changeWorkflowId,
    args: [request, stack.routing],
  });
  const elapsed = () => `${((performance.now() - start) / 1000).toFixed(0).padStart(5)} s`;
  let lastLine = '';
  const watch = setInterval(() => {
    handle
      .query<RolloutProgress>(QUERIES.progress)
      .then((p) => {
        const line = describeProgress(p);
        if (line !== lastLine) log(`  ${elapsed()}  ${line}`);
        lastLine = line;
      })
      .catch((err: unknown) => log(`  ${elapsed()}  progress query failed: ${(err as Error).message}`));
  }, (options.everySeconds ?? 30) * 1000);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMinutes * 60_000);
  });
  try {
    const outcome = await Promise.race([handle.result(), timedOut]);
    if (outcome === 'timeout') {
      const progress = await handle.query<RolloutProgress>(QUERIES.progress).catch(() => undefined);
      log(`\nthe rollout did not end within ${options.timeoutMinutes} min; where it is:`);
      if (progress) {
        log(`  ${describeProgress(progress)}`);
        const running = progress.waves.filter((w) => w.state === 'running');
        for (const wave of running) log(`  running wave ${wave.index}: ${wave.devices.length} devices, e.g. ${wave.devices.slice(0, 5).join(', ')}`);
        for (const note of progress.notes.slice(-5)) log(`  note: ${note}`);
      }
      await handle.terminate('benchmark timeout').catch(() => undefined);
      throw new Error(`rollout ${changeWorkflowId} timed out after ${options.timeoutMinutes} min (terminated)`);
    }
    return { changeWorkflowId, result: outcome, ms: performance.now() - start };
  } catch (err) {
    if (err instanceof WorkflowFailedError) throw new Error(`rollout ${changeWorkflowId} failed: ${err.cause?.message ?? err.message}`);
    throw err;
  } finally {
    clearInterval(watch);
    clearTimeout(timer);
  }
}

function describeProgress(p: RolloutProgress): string {
  const done = p.waves.filter((w) => w.state === 'done').length;
  const counts = Object.entries(p.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${p.phase.padEnd(12)} waves ${done}/${p.waves.length}${p.currentWave !== undefined ? ` (wave ${p.currentWave} running)` : ''}; ${counts || 'no device settled yet'}`;
}

/** Load averages now, for the report (other runs may share the machine). */
export function loadLine(): string {
  const [one, five, fifteen] = os.loadavg();
  return `load average ${one!.toFixed(2)} / ${five!.toFixed(2)} / ${fifteen!.toFixed(2)} (1/5/15 min) on ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
}
