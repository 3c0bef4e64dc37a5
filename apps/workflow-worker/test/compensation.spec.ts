/**
 * The saga helper by itself, on a real worker: undos run newest first, each
 * once, a failing one does not stop the older ones, and they run even when
 * the workflow is being cancelled.
 */
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporalSettingsFromEnv } from '@synapse/contracts';
import { quietTemporalRuntime } from './quiet-runtime';
import type { undoAfterCancel, undoAfterFailure } from './fixtures/compensation-workflows';

const settings = temporalSettingsFromEnv();
const taskQueue = `compensation-test-${randomUUID().slice(0, 8)}`;
let connection: Connection;
let workerConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  quietTemporalRuntime();
  const silent = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'fixtures', 'compensation-workflows.ts'),
    logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent },
  });
  connection = await Connection.connect({ address: settings.address });
  workerConnection = await NativeConnection.connect({ address: settings.address });
  client = new Client({ connection, namespace: settings.namespace });
  worker = await Worker.create({ connection: workerConnection, namespace: settings.namespace, taskQueue, workflowBundle });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await workerConnection?.close();
});

it('undoes newest first, each once, and carries on past an undo that fails', async () => {
  const result = await client.workflow.execute<typeof undoAfterFailure>('undoAfterFailure', { taskQueue, workflowId: `undo-${randomUUID()}`, workflowExecutionTimeout: '1 minute' });
  expect(result.outcomes).toEqual([
    { name: 'undo announce', ok: true },
    { name: 'undo deploy', ok: false },
    { name: 'undo backup', ok: true },
  ]);
  expect(result.undone).toEqual(['announce', 'backup']);
});

it('runs the undos of a cancelled workflow to completion, which then ends cancelled', async () => {
  const handle = await client.workflow.start<typeof undoAfterCancel>('undoAfterCancel', { taskQueue, workflowId: `undo-${randomUUID()}`, workflowExecutionTimeout: '1 minute' });
  await waitFor(async () => ((await handle.fetchHistory()).events ?? []).length >= 3);
  await handle.cancel();
  const failure = await handle.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  // The undo's timer fired although the workflow had been asked to cancel.
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED)).toHaveLength(1);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
