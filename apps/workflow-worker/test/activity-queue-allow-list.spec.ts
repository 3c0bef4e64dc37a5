/**
 * The activity queues a change reaches come from the workflow worker's
 * configuration (an allow-list), never from whoever starts the workflow: a
 * routing argument that names a queue outside the list makes no activity go
 * there. An "attacker" worker polls the foreign queue the whole time and
 * must receive nothing; the histories must hold no activity scheduled on it.
 */
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { TASK_QUEUES, workflowIds, type ActivityRoutingInput } from '@synapse/contracts';
import { ACTIVITY_QUEUES_VARIABLE, allowedActivityQueuesFromEnv } from '../src/activity-queues';
import { ChangeHarness, changeRequest } from './change-harness';

const foreignQueue = `attacker-${randomUUID().slice(0, 8)}`;
let harness: ChangeHarness;
let attacker: { connection: NativeConnection; worker: Worker; running: Promise<void> };
const received: string[] = [];

beforeAll(async () => {
  harness = await ChangeHarness.start();
  // Every activity a device or Infrahub worker offers, recorded and never run.
  const names = ['backupRunningConfig', 'storeBackup', 'diffConfig', 'deployConfig', 'confirmCommit', 'rollbackConfig', 'readDeviceStates', 'checkDrift', 'fetchDeviceConfig', 'renderIntents', 'updateDeviceStatus', 'readRunningConfig', 'planDevices'];
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: foreignQueue,
    activities: Object.fromEntries(names.map((name) => [name, async () => { received.push(name); throw new Error('the attacker worker must never be called'); }])),
  });
  attacker = { connection, worker, running: worker.run() };
});
afterAll(async () => {
  attacker?.worker.shutdown();
  await attacker?.running;
  await attacker?.connection.close();
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
});
afterEach(async () => {
  await harness.stopLab();
});

/** A failure with all its causes (a change fails with its plan batch's failure inside). */
function failureChain(failure: unknown): string {
  const messages: string[] = [];
  for (let current = failure; current instanceof Error; current = current.cause) messages.push(`${current.message}${(current as { type?: string }).type ? ` [${(current as { type?: string }).type}]` : ''}`);
  return messages.join(' <- ');
}

/** A result's reason as it reads (JSON escapes its quotes). */
const unescaped = (text: string) => text.replace(/\\"/g, '"');

/** The queues of every activity any workflow of this file scheduled (changes, plan batches, device workflows). */
async function scheduledQueues(): Promise<string[]> {
  const handles: WorkflowHandle[] = [];
  for await (const run of harness.client.workflow.list({ query: `TaskQueue = "${harness.taskQueue}"` })) handles.push(harness.client.workflow.getHandle(run.workflowId, run.runId));
  const queues: string[] = [];
  for (const handle of handles) {
    const history = await handle.fetchHistory();
    for (const event of history.events ?? []) {
      if (event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) queues.push(event.activityTaskScheduledEventAttributes!.taskQueue!.name!);
    }
  }
  return queues;
}

it('a change routed to a foreign device queue fails with InvalidInput naming it; no device write is scheduled there', async () => {
  const request = changeRequest({ devices: ['leaf01'] });
  const routing: ActivityRoutingInput = { taskQueues: { ...harness.routing.taskQueues, device: foreignQueue } };
  const before = harness.runningConfig('leaf01');

  const handle = await harness.client.workflow.start('NetworkChangeWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: workflowIds.change(request.changeId),
    workflowExecutionTimeout: '2 minutes',
    args: [request, routing],
  });
  // Failed, or ended `failed`: either way the reason names the queue and the setting that would allow it.
  const text = await handle.result().then(
    (result: unknown) => JSON.stringify(result),
    (failure: unknown) => failureChain(failure),
  );
  expect(unescaped(text)).toContain(`activity task queue "${foreignQueue}" in the workflow's routing is not one this workflow worker allows`);
  expect(text).toContain(ACTIVITY_QUEUES_VARIABLE);
  expect(text).toContain('InvalidInput');
  expect(await scheduledQueues()).not.toContain(foreignQueue);
  expect(received).toEqual([]);
  expect(harness.runningConfig('leaf01')).toEqual(before);
});

it('a device workflow started directly with a foreign urgent queue cannot send its rollback or confirm there', async () => {
  const changeId = `chg-${randomUUID().slice(0, 8)}`;
  const handle = await harness.client.workflow.start('DeviceChangeWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: `${workflowIds.device('leaf02')}-direct-${changeId}`,
    workflowExecutionTimeout: '2 minutes',
    args: [
      { changeId, device: 'leaf02', reason: 'direct start', requester: 'jest', validation: { settleTimeoutSeconds: 5, commitConfirmed: true } },
      { taskQueues: { ...harness.routing.taskQueues, deviceUrgent: foreignQueue } },
    ],
  });
  const outcome = await handle.result().then(
    (result: unknown) => JSON.stringify(result),
    (failure: unknown) => failureChain(failure),
  );

  expect(unescaped(outcome)).toContain(`activity task queue "${foreignQueue}" in the workflow's routing is not one this workflow worker allows`);
  expect(outcome).toContain(ACTIVITY_QUEUES_VARIABLE);
  // The check comes before the first activity: not even the read-only steps were scheduled, anywhere.
  const history = await handle.fetchHistory();
  expect(history.events?.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toEqual([]);
  expect(await scheduledQueues()).not.toContain(foreignQueue);
  expect(received).toEqual([]);
});

it('the same queue, once listed in the worker configuration, is a queue a change may use (per-site device workers)', () => {
  expect(allowedActivityQueuesFromEnv({ [ACTIVITY_QUEUES_VARIABLE]: ` site-a-device , site-a-urgent,site-a-device ` })).toEqual(['site-a-device', 'site-a-urgent']);
  expect(allowedActivityQueuesFromEnv({})).toEqual([]);
  expect(() => allowedActivityQueuesFromEnv({ [ACTIVITY_QUEUES_VARIABLE]: 'site-a,,site-b' })).toThrow(/SYNAPSE_ACTIVITY_TASK_QUEUES=.*an empty name/);
  expect(() => allowedActivityQueuesFromEnv({ [ACTIVITY_QUEUES_VARIABLE]: 'site a' })).toThrow(/"site a" contains whitespace/);
  // Every other test file runs its changes on queues of its own, allowed this way: contracts' names need no listing.
  expect(Object.values(harness.routing.taskQueues)).not.toContain(TASK_QUEUES.device);
});
