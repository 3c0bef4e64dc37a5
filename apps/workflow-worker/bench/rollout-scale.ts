/**
 * Scale check (not a test): one standard change of 1,000 simulated devices
 * as a rollout, and what it leaves in Temporal.
 *
 *   npm run scale:rollout                       (builds first; 1,000 devices)
 *   npm run scale:rollout -- --devices 2000     (or ROLLOUT_DEVICES=2000)
 *   other options: --concurrency N (20), --wave-size N (100), --settle S (10),
 *                  --one-at-a-time spine,core|none (the request's default),
 *                  --timeout-minutes M (45), --inline-workflow-worker
 *
 * The fleet is pods of 2 spines and 18 leaves (rollout-lab.ts), all in one
 * lab, every device on its pre-change config, so every device is deployed
 * for the first time. One NetworkChangeWorkflow takes them all: plan
 * batches, device groups (the locks), waves of 100 (each spine in a wave of
 * its own first: the request's default one-at-a-time roles), a 10 s settle,
 * commit-confirmed, approval waived. It runs on a throwaway dev server with
 * the device and infrahub workers in this process and the workflow worker
 * in its own (its dist/main.js; rollout-stack.ts says why).
 *
 * When the change has ended it walks every workflow of it (the change, its
 * plan batches, groups, waves and device workflows) and prints the number of
 * workflows, the largest history (events and bytes) and the largest payload,
 * each with its workflow, against Temporal's limits (OK / OVER), the
 * outcome counts and the wall time. It exits non-zero unless every device
 * ended `deployed` (validated) and the fabric checks found nothing down.
 * Figures only: nothing is asserted about time.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { QUERIES, type DevicePlan } from '@synapse/contracts';
import { printHistories, size, walkChange } from './rollout-histories';
import { parseRolloutOptions, podFabric, POD, ROLLOUT_DEFAULTS, type RolloutOptions } from './rollout-lab';
import { loadLine, memoryOf, rolloutRequest, runRollout, startRolloutStack } from './rollout-stack';

const DEFAULTS: RolloutOptions = { ...ROLLOUT_DEFAULTS, timeoutMinutes: 45 };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const options = parseRolloutOptions(process.argv.slice(2), DEFAULTS);
  const fabric = podFabric(options.devices);
  const devices = fabric.devices;
  console.log(`Rollout at scale: one NetworkChangeWorkflow over ${devices.length} simulated devices`);
  console.log(`  fleet      ${fabric.pods} pods x (${POD.spines} spines + ${POD.leaves} leaves), one lab; BGP convergence ${options.convergenceMs} ms${devices.length !== options.devices ? ` (${options.devices} rounded up to whole pods)` : ''}`);
  console.log(
    `  change     waves of ${options.waveSize}, concurrency ${options.concurrency} per wave, settle ${options.settleTimeoutSeconds} s, commit-confirmed, approval waived, one-at-a-time roles ${options.oneAtATimeRoles ? options.oneAtATimeRoles.join(',') || 'none' : 'default (spine, core, edge)'}`,
  );
  console.log(`  host       ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), node ${process.version}; ${loadLine()} at start`);

  const setupStart = performance.now();
  const stack = await startRolloutStack(fabric.lab, options.convergenceMs, { inlineWorkflowWorker: options.inlineWorkflowWorker ?? false });
  let failed = false;
  try {
    await stack.startLab();
    console.log(`  temporal   CLI ${stack.cliVersion} dev server ${stack.server.address}, SQLite on disk (${stack.server.dbFile}); set-up took ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);
    console.log(`  workers    device and infrahub workers in this process; workflow worker ${stack.workflowWorkerPid ? `its own process (dist/main.js, pid ${stack.workflowWorkerPid})` : 'in this process too (--inline-workflow-worker)'}\n`);

    const changeId = `scale-${randomUUID().slice(0, 8)}`;
    const run = await runRollout(stack, rolloutRequest(changeId, devices, options), { timeoutMinutes: options.timeoutMinutes });
    const loadAfter = loadLine();
    const { result } = run;
    console.log(`\nchange ${run.changeWorkflowId}: ${result.outcome} in ${(run.ms / 1000).toFixed(1)} s wall time (${((run.ms / 1000 / devices.length) * 1000).toFixed(0)} ms per device)`);
    console.log(`  outcomes   ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const fabricProblems = result.waves.reduce((n, w) => n + w.fabricProblems, 0);
    console.log(`  waves      ${result.waves.length} (${result.waves.filter((w) => w.devices === 1).length} of one device, ${result.waves.filter((w) => w.devices > 1).length} larger); fabric problems after waves: ${fabricProblems}`);
    for (const note of result.notes.slice(0, 5)) console.log(`  note       ${note}`);
    console.log(`  ${loadAfter} at the end`);
    console.log(`  memory     ${memoryLine(stack.workflowWorkerPid)}`);

    const walkStart = performance.now();
    const histories = await walkChange(stack.client, run.changeWorkflowId, devices, result);
    printHistories(histories);
    const deviceRuns = histories.workflows.filter((w) => w.kind === 'device');
    const validated = deviceRuns.filter((w) => w.deviceResult?.outcome === 'deployed' && w.deviceResult.validation.bgp?.passed && w.deviceResult.validation.interfaces?.passed);
    const checks = deviceRuns.reduce((n, w) => n + (w.deviceResult?.validation.bgp?.checks.length ?? 0) + (w.deviceResult?.validation.interfaces?.checks.length ?? 0), 0);
    const deferred = deviceRuns.reduce((n, w) => n + (w.deviceResult?.notes?.length ?? 0), 0);
    console.log(`\ndevice workflows: ${validated.length} of ${devices.length} deployed with both validations passed (${checks} checks; ${deferred} sessions or links deferred to the fabric check after a later wave)`);
    console.log(
      `the change's result: ${size(Buffer.byteLength(JSON.stringify(result)))} of JSON for ${devices.length} devices (${result.devices.length} listed, ${result.devicesNotListed ?? 0} counted only); history walk took ${((performance.now() - walkStart) / 1000).toFixed(0)} s`,
    );
    const plan = await stack.client.workflow.getHandle(run.changeWorkflowId).query<DevicePlan[]>(QUERIES.plan);
    console.log(`the plan (the \`plan\` query, what an approver reads): ${size(Buffer.byteLength(JSON.stringify(plan)))} of JSON for ${plan.length} devices, ${plan.reduce((n, p) => n + p.paths.length, 0)} paths listed`);

    const notDeployed = result.devices.filter((d) => d.outcome !== 'deployed');
    const problems: string[] = [];
    const accounted = result.devices.length + (result.devicesNotListed ?? 0);
    if (accounted !== devices.length) problems.push(`the result accounts for ${accounted} devices, the change had ${devices.length}`);
    if (notDeployed.length > 0) problems.push(`${notDeployed.length} devices not deployed: ${notDeployed.slice(0, 10).map((d) => `${d.device} ${d.outcome}${d.reason ? ` (${d.reason})` : ''}`).join('; ')}`);
    if (validated.length !== devices.length) problems.push(`${devices.length - validated.length} device workflows did not end deployed with both validations passed`);
    if (fabricProblems > 0) problems.push(`the fabric checks found ${fabricProblems} device(s) with something down`);
    if (problems.length > 0) {
      failed = true;
      console.error(`\nFAILED: ${problems.join('; ')}`);
    } else {
      console.log(`\nevery device deployed and validated (${devices.length})`);
    }
  } finally {
    await stack.stop();
  }
  if (failed) process.exit(1);
}

/** Peak resident memory of the processes that grow with the fleet. */
function memoryLine(workflowWorkerPid: number | undefined): string {
  const own = memoryOf(process.pid);
  const worker = workflowWorkerPid ? memoryOf(workflowWorkerPid) : undefined;
  const mib = (m: { peakMiB: number; nowMiB: number } | undefined) => (m ? `peak ${m.peakMiB.toFixed(0)} MiB, now ${m.nowMiB.toFixed(0)} MiB` : '?');
  return `${workflowWorkerPid ? `workflow worker ${mib(worker)}; ` : ''}this process (${workflowWorkerPid ? 'device and infrahub workers' : 'all three workers'}) ${mib(own)}`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
