/**
 * An emergency never waits on the bookkeeping of the change it pre-empts.
 * The infrahub-worker runs as production runs it (its own process, its
 * environment), and is SIGKILLed while the pre-empted change's outcome
 * record is on its way to Infrahub: the device is already let go, the
 * emergency deploys, and the record is written once a worker is back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { workflowIds, type ActivityRoutingInput, type ChangeRequestInput, type EmergencyChangeRequestInput } from '@synapse/contracts';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { ChangeHarness, changeRequest } from './change-harness';
import { WorkerProcess } from './worker-process';

const { PendingActivityState } = temporal.api.enums.v1;
const NEIGHBOR_ADMIN_STATE = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]/admin-state';

let harness: ChangeHarness;
let scratch: string;
let workers: WorkerProcess[] = [];
/** Only the infrahub-worker processes below poll this queue. */
const infrahubQueue = `infrahub-operations-crash-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  harness = await ChangeHarness.start({ activityQueues: [infrahubQueue] });
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
  scratch = mkdtempSync(path.join(tmpdir(), 'infrahub-worker-crash-'));
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await harness.stopLab();
  rmSync(scratch, { recursive: true, force: true });
});

async function startInfrahubWorker(): Promise<WorkerProcess> {
  const worker = await WorkerProcess.startInfrahubWorker({
    taskQueue: infrahubQueue,
    address: harness.lab.infrahubSim.address,
    apiToken: DEFAULT_LAB_API_TOKEN,
    dir: mkdtempSync(path.join(scratch, 'worker-')),
  });
  workers.push(worker);
  return worker;
}

function routing(): ActivityRoutingInput {
  return { taskQueues: { ...harness.routing.taskQueues, infrahub: infrahubQueue } };
}

/** Waits until `workflowId`'s `activityType` runs on `worker` (the server says it started there). */
async function waitForActivityOn(workflowId: string, activityType: string, worker: WorkerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const description = await harness.client.workflow.getHandle(workflowId).describe().catch(() => undefined);
    const found = (description?.raw.pendingActivities ?? []).find((a) => a.activityType?.name === activityType);
    if (found?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && found.lastWorkerIdentity === worker.identity) return;
    if (Date.now() > deadline) throw new Error(`${activityType} of ${workflowId} never ran on ${worker.identity}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('the emergency deploys within 30 s of the kill, and the pre-empted change’s record is written once the worker is back', async () => {
  // The fabric runs its intent; then an engineer changes leaf01's uplink MTU in Infrahub.
  await harness.arrangeDeployed('spine01', 'leaf01', 'leaf02');
  await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9000);
  const first = await startInfrahubWorker();
  // The standard change deploys leaf01, then waits in BGP validation: the sessions are held down.
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
  const standard: ChangeRequestInput = changeRequest({ validation: { settleTimeoutSeconds: 60, commitConfirmed: true } });
  const standardHandle = await harness.client.workflow.start('NetworkChangeWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.change(standard.changeId),
    workflowExecutionTimeout: '4 minutes',
    args: [standard, routing()],
  });
  await harness.waitForStep('leaf01', 'validate-bgp', 60_000);

  // Every Infrahub answer now takes 1 s: the pre-empted change's record is in flight when the worker dies.
  harness.lab.infrahubSim.faults.set({ latencyMs: 1000 });
  const emergency: EmergencyChangeRequestInput = {
    changeId: `em-${randomUUID().slice(0, 8)}`,
    devices: ['leaf01'],
    reason: 'shut the flapping uplink',
    ticket: 'INC-9001',
    requester: 'oncall-alice',
    source: { kind: 'patch', patch: { update: [{ path: NEIGHBOR_ADMIN_STATE, value: 'disable' }], delete: [] } },
    validation: { settleTimeoutSeconds: 10, commitConfirmed: true },
  };
  const emergencyHandle = await harness.client.workflow.start('EmergencyChangeWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.emergency(emergency.changeId),
    workflowExecutionTimeout: '4 minutes',
    args: [emergency, routing()],
  });
  const record = workflowIds.outcomeRecord(standard.changeId, 'leaf01');
  await waitForActivityOn(record, 'updateDeviceStatus', first);
  harness.lab.devices.faults('leaf01').clear();

  const killedAt = Date.now();
  await first.kill();
  await startInfrahubWorker();

  const result = await emergencyHandle.result();
  expect(result).toMatchObject({ outcome: 'succeeded', devices: [expect.objectContaining({ device: 'leaf01', outcome: 'deployed', preempted: { changeId: standard.changeId, workflowId: workflowIds.change(standard.changeId) } })] });
  const applied = await harness.deviceRun('leaf01', emergency.changeId);
  const deployStarted = Date.parse(applied.timings.find((t) => t.step === 'deploy')!.startedAt);
  // The device was let go before the record: the emergency never waited on Infrahub for the pre-empted change.
  expect(deployStarted - killedAt).toBeLessThan(30_000);
  console.log(`[infrahub-worker-crash] kill -> emergency deploy started: ${deployStarted - killedAt} ms`);

  expect((await standardHandle.result()) as { outcome: string }).toMatchObject({ outcome: 'failed', devices: [expect.objectContaining({ outcome: 'pre-empted' })] });
  // The record survived the crash: retried on the new worker once the heartbeat timeout noticed the dead one.
  await harness.client.workflow.getHandle(record).result();
  expect(await harness.waitForChangeRecord(standard.changeId, 'leaf01')).toMatchObject({ kind: 'standard', outcome: 'pre-empted' });
  // Written late, it did not overwrite the emergency's deployment state.
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'needs-reconciliation', lastChangeId: emergency.changeId });
}, 180_000);
