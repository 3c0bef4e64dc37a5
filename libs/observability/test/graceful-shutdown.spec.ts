import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { SHUTDOWN_FORCE_MARGIN_MS, WORKFLOW_INTERCEPTORS_MODULE } from '../src';
import type { LongChangeWorkflow, StubbornChangeWorkflow } from './fixtures/workflows';
import { bundleFixtureWorkflows, fixtureActivities, startWorkerChild, temporalAddress, temporalNamespace, type WorkerChild } from './worker-child';

/** temporal.api.enums.v1.PendingActivityState */
const PENDING_ACTIVITY = { SCHEDULED: 1, STARTED: 2 } as const;

/**
 * SIGTERM to an activity worker process (the fixture, wired as the device
 * worker's main will be) while a long activity runs on it. The workflows run
 * on a worker in this process, as they do on the workflow-worker.
 */
describe('graceful shutdown of a worker process on SIGTERM', () => {
  let bundle: WorkflowBundle;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  const children: WorkerChild[] = [];

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed already by another file in this Jest worker.
    }
    bundle = await bundleFixtureWorkflows(WORKFLOW_INTERCEPTORS_MODULE);
    nativeConnection = await NativeConnection.connect({ address: temporalAddress() });
    connection = await Connection.connect({ address: temporalAddress() });
    client = new Client({ connection, namespace: temporalNamespace() });
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  afterAll(async () => {
    await nativeConnection?.close();
    await connection?.close();
  });

  async function activityWorker(graceSeconds: string): Promise<{ child: WorkerChild; activityQueue: string }> {
    const activityQueue = `shutdown-activities-${randomUUID()}`;
    const child = await startWorkerChild({
      FIXTURE_TASK_QUEUE: activityQueue,
      SYNAPSE_SHUTDOWN_GRACE_SECONDS: graceSeconds,
      SYNAPSE_HEALTH_ADDRESS: '127.0.0.1:0',
    });
    children.push(child);
    return { child, activityQueue };
  }

  async function workflowWorker(): Promise<{ worker: Worker; taskQueue: string }> {
    const taskQueue = `shutdown-workflows-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, namespace: temporalNamespace(), taskQueue, workflowBundle: bundle });
    return { worker, taskQueue };
  }

  async function pendingActivity(workflowId: string) {
    return (await client.workflow.getHandle(workflowId).describe()).raw.pendingActivities?.[0];
  }

  it('stops polling, lets the running activity finish within the grace time, and exits 0; a second signal changes nothing', async () => {
    const { child, activityQueue } = await activityWorker('10');
    const { worker, taskQueue } = await workflowWorker();
    await worker.runUntil(async () => {
      const first = await client.workflow.start<typeof LongChangeWorkflow>('LongChangeWorkflow', {
        taskQueue,
        workflowId: `device/leaf01-${randomUUID()}`,
        args: [{ changeId: 's1', device: 'leaf01', ms: 3000, activityQueue }],
      });
      await child.waitFor((r) => r.message === 'long activity started' && r.workflowId === first.workflowId, 'the first activity to start');

      const signalledAt = Date.now();
      child.child.kill('SIGTERM');
      await child.waitFor((r) => String(r.message).includes('SIGTERM received, shutting down'), 'the shutdown log line');
      const health = String(child.ready.health);
      const readiness = await fetch(`http://${health}/readyz`);
      expect(readiness.status).toBe(503);
      expect(((await readiness.json()) as { state: string }).state).toMatch(/^(STOPPING|DRAINING|DRAINED)$/);
      expect((await fetch(`http://${health}/healthz`)).status).toBe(200);

      // Polling has stopped: work scheduled now is left for another worker.
      const second = await client.workflow.start<typeof LongChangeWorkflow>('LongChangeWorkflow', {
        taskQueue,
        workflowId: `device/leaf02-${randomUUID()}`,
        args: [{ changeId: 's2', device: 'leaf02', ms: 100, activityQueue }],
      });
      child.child.kill('SIGINT');
      await child.waitFor((r) => String(r.message).includes('SIGINT received while shutting down'), 'the second signal logged');

      await expect(child.exited).resolves.toBe(0);
      const stoppedAfterMs = Date.now() - signalledAt;
      expect(stoppedAfterMs).toBeGreaterThan(1500); // it waited for the activity (about 3 s from its start)...
      expect(stoppedAfterMs).toBeLessThan(10_000); // ...and not for the whole grace time

      // The activity ran to its end on the stopping worker; the workflow got its result.
      await expect(first.result()).resolves.toEqual({ attempt: 1, pid: child.ready.pid });
      const messages = child.records().map((r) => [r.message, r.workflowId]);
      expect(messages).toContainEqual(['long activity completed', first.workflowId]);
      expect(messages).not.toContainEqual(['long activity started', second.workflowId]);
      expect((await pendingActivity(second.workflowId))?.state).toBe(PENDING_ACTIVITY.SCHEDULED);
      expect(child.records()).toContainEqual(expect.objectContaining({ message: 'fixture-worker: stopped', signal: 'SIGTERM' }));
      await second.terminate('test over');
    });
    await expect(fetch(`http://${String(child.ready.health)}/healthz`)).rejects.toThrow();
  });

  it('cancels an activity that outlasts the grace time, exits 0, and the server retries the activity on another worker', async () => {
    const { child, activityQueue } = await activityWorker('1');
    const { worker, taskQueue } = await workflowWorker();
    const handle = await client.workflow.start<typeof LongChangeWorkflow>('LongChangeWorkflow', {
      taskQueue,
      workflowId: `device/spine01-${randomUUID()}`,
      args: [{ changeId: 's3', device: 'spine01', ms: 6000, activityQueue }],
    });
    await worker.runUntil(async () => {
      await child.waitFor((r) => r.message === 'long activity started' && r.workflowId === handle.workflowId, 'the activity to start');
      const signalledAt = Date.now();
      child.child.kill('SIGTERM');
      await expect(child.exited).resolves.toBe(0);
      const stoppedAfterMs = Date.now() - signalledAt;
      expect(stoppedAfterMs).toBeGreaterThanOrEqual(900); // the grace time, 1 s...
      expect(stoppedAfterMs).toBeLessThan(5000); // ...not the activity's 6 s

      // After the grace time the SDK cancels the activity with reason WORKER_SHUTDOWN.
      expect(child.records()).toContainEqual(
        expect.objectContaining({ message: 'long activity cancelled', workflowId: handle.workflowId, reason: 'WORKER_SHUTDOWN', changeId: 's3', device: 'spine01' }),
      );
      expect(child.records().map((r) => r.message)).not.toContain('long activity completed');
      // The core reports the cut attempt as failed (not timed out), so the server schedules the
      // next attempt after the retry policy's interval instead of waiting for a timeout.
      await waitUntil(async () => (await pendingActivity(handle.workflowId))?.attempt === 2, 'the activity to be scheduled again');
      const pending = await pendingActivity(handle.workflowId);
      expect(pending?.lastFailure?.message).toBe('Worker is shutting down and this activity did not complete in time');
    });

    // Another worker on the same queue picks the retry up and finishes the change.
    const replacement = await Worker.create({
      connection: nativeConnection,
      namespace: temporalNamespace(),
      taskQueue: activityQueue,
      activities: { longActivity: (input: unknown) => fixtureActivities.longActivity({ ...(input as object), ms: 100 }) },
    });
    const workflows = await Worker.create({ connection: nativeConnection, namespace: temporalNamespace(), taskQueue, workflowBundle: bundle });
    const result = await replacement.runUntil(workflows.runUntil(handle.result()));
    expect(result).toEqual({ attempt: 2, pid: process.pid });
  });

  it('gives up on an activity that ignores its cancellation after the grace time plus the force margin, and exits 1 saying so', async () => {
    const { child, activityQueue } = await activityWorker('0.5');
    const { worker, taskQueue } = await workflowWorker();
    const handle = await client.workflow.start<typeof StubbornChangeWorkflow>('StubbornChangeWorkflow', {
      taskQueue,
      workflowId: `device/leaf03-${randomUUID()}`,
      args: [{ changeId: 's4', device: 'leaf03', ms: 60_000, activityQueue }],
    });
    await worker.runUntil(async () => {
      await child.waitFor((r) => r.message === 'stubborn activity started' && r.workflowId === handle.workflowId, 'the activity to start');
      const signalledAt = Date.now();
      child.child.kill('SIGTERM');
      await expect(child.exited).resolves.toBe(1);
      const stoppedAfterMs = Date.now() - signalledAt;
      expect(stoppedAfterMs).toBeGreaterThanOrEqual(500 + SHUTDOWN_FORCE_MARGIN_MS - 200);
      expect(stoppedAfterMs).toBeLessThan(500 + SHUTDOWN_FORCE_MARGIN_MS + 10_000);
    });
    const explanation = 'fixture-worker: in-flight activities were still running 10.5 s after SIGTERM (0.5 s of grace, then cancelled, and they ignored it); exiting without them';
    expect(child.records()).toContainEqual(expect.objectContaining({ level: 'error', message: explanation, signal: 'SIGTERM' }));
    expect(child.stderr()).toContain(explanation);
    await handle.terminate('test over');
  }, 60_000);
});

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
