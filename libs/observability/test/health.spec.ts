import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { startHealthServer, WORKFLOW_INTERCEPTORS_MODULE, type HealthServer } from '../src';
import type { LongChangeWorkflow } from './fixtures/workflows';
import { bundleFixtureWorkflows, fixtureActivities, temporalAddress, temporalNamespace } from './worker-child';

/** temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED */
const PENDING_ACTIVITY_STARTED = 2;

async function get(address: string, path: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://${address}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the health endpoint of a worker', () => {
  let bundle: WorkflowBundle;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;

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

  afterAll(async () => {
    await nativeConnection?.close();
    await connection?.close();
  });

  it('is not ready before the worker runs, ready while it polls, not ready while it drains, and gone after close', async () => {
    const taskQueue = `health-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: temporalNamespace(),
      taskQueue,
      workflowBundle: bundle,
      activities: fixtureActivities,
      shutdownGraceTime: '20 seconds',
    });
    const health: HealthServer = await startHealthServer({ address: '127.0.0.1:0', service: 'test-worker', worker });
    try {
      expect(health.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await get(health.address, '/readyz')).toEqual({ status: 503, body: { service: 'test-worker', state: 'INITIALIZED', taskQueue } });
      expect(await get(health.address, '/healthz')).toEqual({ status: 200, body: { service: 'test-worker', status: 'up' } });

      const running = worker.run();
      expect(await get(health.address, '/readyz')).toEqual({ status: 200, body: { service: 'test-worker', state: 'RUNNING', taskQueue } });

      // An activity in flight keeps the worker draining after shutdown starts.
      const handle = await client.workflow.start<typeof LongChangeWorkflow>('LongChangeWorkflow', {
        taskQueue,
        workflowId: `device/health-${randomUUID()}`,
        args: [{ changeId: 'h1', device: 'leaf01', ms: 1500 }],
      });
      await waitUntil(async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === PENDING_ACTIVITY_STARTED, 'the activity to start');
      worker.shutdown();
      const draining = await get(health.address, '/readyz');
      expect(draining.status).toBe(503);
      expect(['STOPPING', 'DRAINING', 'DRAINED']).toContain(draining.body.state);
      expect((await get(health.address, '/healthz')).status).toBe(200);

      await running;
      expect(await get(health.address, '/readyz')).toEqual({ status: 503, body: { service: 'test-worker', state: 'STOPPED', taskQueue } });
      await handle.terminate('test over');
    } finally {
      await health.close();
    }
    await expect(fetch(`http://${health.address}/healthz`)).rejects.toThrow();
  });

  it('answers 404 to other paths and 405 to other methods', async () => {
    const worker = { getState: () => 'RUNNING' as const, options: { taskQueue: 'q' } };
    const health = await startHealthServer({ address: '127.0.0.1:0', service: 'test-worker', worker });
    try {
      expect(await get(health.address, '/metrics')).toEqual({ status: 404, body: { error: 'no such endpoint /metrics; try /healthz or /readyz' } });
      expect((await get(health.address, '/')).status).toBe(404);
      expect(await get(health.address, '/readyz', 'POST')).toEqual({ status: 405, body: { error: 'POST is not allowed on /readyz' } });
      expect((await get(health.address, '/readyz?verbose=1')).status).toBe(200);
      const head = await fetch(`http://${health.address}/healthz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await health.close();
    }
  });

  it('fails to start on a bad or taken address, naming it', async () => {
    const worker = { getState: () => 'RUNNING' as const, options: { taskQueue: 'q' } };
    await expect(startHealthServer({ address: 'nonsense', service: 's', worker })).rejects.toThrow('the health address must be host:port (got "nonsense")');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
    try {
      await expect(startHealthServer({ address: taken, service: 's', worker })).rejects.toThrow(`health endpoint cannot listen on ${taken}: listen EADDRINUSE`);
    } finally {
      blocker.close();
    }
  });
});

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
