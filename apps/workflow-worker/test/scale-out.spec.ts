/**
 * Scaled out as a deployment runs it: two device-worker processes and two
 * workflow-worker processes (their real dist/main.js) on one Temporal dev
 * server, each pair polling the same task queues. A change over the whole
 * reference lab runs; both device workers take its activities; one device
 * worker and one workflow worker are SIGKILLed mid-change; the change still
 * completes, every device deployed and validated, running its intent.
 * (Infrahub activities run in this process, on the harness's worker.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { workflowIds, type ChangeResult } from '@synapse/contracts';
import { ownedDiff } from '@synapse/device-config';
import { ChangeHarness, changeRequest, LAB_DEVICES, rendered } from './change-harness';
import { findFreePort } from '@synapse/temporal-tools';
import { urgentQueueOf, WorkerProcess } from './worker-process';

const { PendingActivityState } = temporal.api.enums.v1;

let harness: ChangeHarness;
let scratch: string;
const processes: WorkerProcess[] = [];
const suffix = randomUUID().slice(0, 8);
const queues = { workflow: `network-changes-scale-${suffix}`, device: `device-operations-scale-${suffix}` };

beforeAll(async () => {
  harness = await ChangeHarness.start({ activityQueues: [queues.device, urgentQueueOf(queues.device)] });
  await harness.newLab();
  scratch = mkdtempSync(path.join(tmpdir(), 'scale-out-'));
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await harness?.shutdown();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function dir(): string {
  return mkdtempSync(path.join(scratch, 'worker-'));
}

it('two device workers and two workflow workers share a change; killing one of each mid-change does not stop it', async () => {
  // Each with its Prometheus endpoint, as a deployment scrapes them.
  const metrics = await Promise.all([0, 1, 2, 3].map(async () => `127.0.0.1:${await findFreePort()}`));
  // Each is remembered as soon as it is up, so afterAll stops it even when another one fails to start.
  const started = async (worker: Promise<WorkerProcess>) => {
    const process = await worker;
    processes.push(process);
    return process;
  };
  const workflowWorkers = await Promise.all(
    [0, 1].map((i) => started(WorkerProcess.startWorkflowWorker({ taskQueue: queues.workflow, dir: dir(), env: { SYNAPSE_METRICS_ADDRESS: metrics[i], SYNAPSE_ACTIVITY_TASK_QUEUES: [queues.device, urgentQueueOf(queues.device), harness.routing.taskQueues.infrahub].join(',') } }))),
  );
  const deviceWorkers = await Promise.all(
    [0, 1].map((i) =>
      started(
        WorkerProcess.startDeviceWorker({ taskQueue: queues.device, devices: harness.lab.devices.devices, backupDir: harness.lab.backupDir, dir: dir(), env: { SYNAPSE_METRICS_ADDRESS: metrics[2 + i] } }),
      ),
    ),
  );

  // Slow devices (300 ms a gNMI call), so the kill lands while an activity is in flight rather than between two.
  for (const device of LAB_DEVICES) harness.lab.devices.faults(device).set({ latencyMs: 300 });
  const request = changeRequest({ devices: [...LAB_DEVICES], concurrency: 3, validation: { settleTimeoutSeconds: 120, commitConfirmed: true } });
  const handle = await harness.client.workflow.start('NetworkChangeWorkflow', {
    taskQueue: queues.workflow,
    workflowId: workflowIds.change(request.changeId),
    workflowExecutionTimeout: '4 minutes',
    args: [request, { taskQueues: { device: queues.device, deviceUrgent: urgentQueueOf(queues.device), infrahub: harness.routing.taskQueues.infrahub } }],
  });

  // Mid-change: as soon as the first device worker is running one of this change's activities, it dies, and so does a workflow worker.
  const victim = deviceWorkers[0];
  const runningOnVictim = await waitForActivityOnWorker(victim);
  await Promise.all([victim.kill(), workflowWorkers[0].kill()]);

  const result = (await handle.result()) as ChangeResult;

  expect({ outcome: result.outcome, reasons: result.devices.map((d) => d.reason) }).toEqual({ outcome: 'succeeded', reasons: [undefined, undefined, undefined] });
  for (const device of result.devices) {
    expect(device.outcome).toBe('deployed');
    expect(await harness.deviceRun(device.device, request.changeId)).toMatchObject({ outcome: 'deployed', validation: { bgp: { passed: true }, interfaces: { passed: true } } });
    const intended = rendered(device.device as (typeof LAB_DEVICES)[number]);
    const diff = ownedDiff(intended, harness.runningConfig(device.device as (typeof LAB_DEVICES)[number]));
    expect({ device: device.device, ...diff }).toEqual({ device: device.device, added: [], removed: [], changed: [] });
  }

  // Both device workers took activities of this change: the victim had one in flight when it died, and that
  // activity finished as a retry on the survivor (its started event names the attempt that completed).
  const events = (await harness.client.workflow.getHandle(workflowIds.device(runningOnVictim.device)).fetchHistory()).events ?? [];
  const finished = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!);
  const scheduled = events.find((e) => String(e.eventId) === String(finished.find((f) => f.attempt! > 1)?.scheduledEventId));
  expect(scheduled?.activityTaskScheduledEventAttributes?.activityType?.name).toBe(runningOnVictim.activityType);
  expect(finished.find((f) => f.attempt! > 1)?.identity).toBe(deviceWorkers[1].identity);
  // The surviving workflow worker carried the change to its end.
  const changeEvents = (await handle.fetchHistory()).events ?? [];
  const deciders = new Set(changeEvents.flatMap((e) => e.workflowTaskCompletedEventAttributes?.identity ?? []));
  expect(deciders).toContain(workflowWorkers[1].identity);

  // The survivors' product metrics saw it: the change and its devices finished there, the validations ran there.
  const workflowMetrics = await scrape(metrics[1]);
  expect(sample(workflowMetrics, 'synapse_changes_finished_total', { kind: 'standard', outcome: 'succeeded' })).toBe(1);
  expect(sample(workflowMetrics, 'synapse_device_changes_total', { kind: 'standard', outcome: 'deployed' })).toBeGreaterThanOrEqual(1);
  const deviceMetrics = await scrape(metrics[3]);
  expect(sample(deviceMetrics, 'synapse_validation_duration_seconds_count', { check: 'bgp' })).toBeGreaterThanOrEqual(1);
  // Bundling in two fresh workflow workers, then the killed activity's heartbeat timeout (30 s) before its retry.
}, 240_000);

async function scrape(address: string): Promise<string> {
  const response = await fetch(`http://${address}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The sum of a metric's samples whose labels include `labels` (other labels, such as the task queue, vary). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[3]);
  }
  return total;
}

/** The first activity of the change's device workflows that the server says this worker has started. */
async function waitForActivityOnWorker(worker: WorkerProcess, timeoutMs = 60_000): Promise<{ device: (typeof LAB_DEVICES)[number]; activityType: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const device of LAB_DEVICES) {
      const description = await harness.client.workflow.getHandle(workflowIds.device(device)).describe().catch(() => undefined);
      const running = (description?.raw.pendingActivities ?? []).find(
        (a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && a.lastWorkerIdentity === worker.identity,
      );
      if (running) return { device, activityType: running.activityType?.name ?? '?' };
    }
    if (Date.now() > deadline) throw new Error(`no activity of the change ever ran on ${worker.identity}:\n${worker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
