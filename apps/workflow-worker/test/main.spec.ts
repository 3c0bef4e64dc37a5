/**
 * `node dist/main.js`, the deployable process: it connects with the
 * environment's settings, runs the change workflows on `network-changes`,
 * and stops cleanly on SIGTERM. (Built by the `test` target's dependency on
 * `build`; run `npx tsc -p tsconfig.json` first when calling jest directly.)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { TASK_QUEUES, temporalSettingsFromEnv, workflowIds } from '@synapse/contracts';
import { changeRequest } from './change-harness';

const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startWorkerProcess(env: NodeJS.ProcessEnv): { process: WorkerProcess; ready: Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${stderr}`)), 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`workflow-worker exited with ${code} before it was ready; stderr: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Log lines are JSON too; the ready line is the one naming the service.
      const line = stdout.split('\n').find((l) => l.startsWith('{"service":"workflow-worker"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
  return { process: { child, exited, stderr: () => stderr }, ready };
}

describe('node dist/main.js', () => {
  const temporal = temporalSettingsFromEnv();
  let connection: Connection;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p apps/workflow-worker/tsconfig.json)`);
    connection = await Connection.connect({ address: temporal.address });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('runs the change workflows on network-changes and exits 0 on SIGTERM', async () => {
    const { SYNAPSE_WORKFLOW_TASK_QUEUE: _ignored, ...env } = process.env;
    const { process: worker, ready } = startWorkerProcess({ ...env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace });
    try {
      expect(await ready).toEqual({
        service: 'workflow-worker',
        taskQueue: TASK_QUEUES.workflows,
        // Unversioned unless SYNAPSE_WORKER_DEPLOYMENT says otherwise.
        deployment: null,
        temporal: temporal.address,
        namespace: temporal.namespace,
        connection: expect.objectContaining({ address: temporal.address, namespace: temporal.namespace }),
        metrics: null,
        health: null,
      });
      // A request the workflow refuses by itself proves the process runs it, without activities.
      const client = new Client({ connection, namespace: temporal.namespace });
      const request = changeRequest({ devices: [] });
      const failure = await client.workflow
        .execute('NetworkChangeWorkflow', { taskQueue: TASK_QUEUES.workflows, workflowId: workflowIds.change(request.changeId), args: [request], workflowExecutionTimeout: '1 minute' })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('devices: at least one device') });
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  it('polls the queue SYNAPSE_WORKFLOW_TASK_QUEUE names, for tests and tenants', async () => {
    const taskQueue = `network-changes-main-test-${Date.now()}`;
    const { process: worker, ready } = startWorkerProcess({ ...process.env, TEMPORAL_ADDRESS: temporal.address, SYNAPSE_WORKFLOW_TASK_QUEUE: taskQueue });
    try {
      expect(await ready).toMatchObject({ service: 'workflow-worker', taskQueue });
      const client = new Client({ connection, namespace: temporal.namespace });
      const request = changeRequest({ devices: [] });
      const failure = await client.workflow
        .execute('NetworkChangeWorkflow', { taskQueue, workflowId: workflowIds.change(request.changeId), args: [request], workflowExecutionTimeout: '1 minute' })
        .catch((err: unknown) => err);
      expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidInput' });
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  it('with SYNAPSE_WORKER_DEPLOYMENT, declares a build named after its workflow code and, as the first of its deployment, becomes current', async () => {
    const taskQueue = `network-changes-main-versioned-${Date.now()}`;
    const deploymentName = `synapse-main-test-${Date.now()}`;
    const { process: worker, ready } = startWorkerProcess({ ...process.env, TEMPORAL_ADDRESS: temporal.address, SYNAPSE_WORKFLOW_TASK_QUEUE: taskQueue, SYNAPSE_WORKER_DEPLOYMENT: deploymentName });
    try {
      const line = await ready;
      expect(line.deployment).toMatch(new RegExp(`^${deploymentName}/wf-[0-9a-f]{16}$`));
      const buildId = String(line.deployment).split('/')[1];
      const described = await connection.workflowService.describeWorkerDeployment({ namespace: temporal.namespace, deploymentName });
      expect(described.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId).toBe(buildId);
      expect(worker.stderr()).toContain(`build ${deploymentName}/${buildId}: promoted`);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  });

  it('refuses a build id without a deployment to belong to, naming both variables', async () => {
    const { process: worker, ready } = startWorkerProcess({ ...process.env, TEMPORAL_ADDRESS: temporal.address, SYNAPSE_BUILD_ID: 'b42' });
    await expect(ready).rejects.toThrow(/exited with 1/);
    expect(worker.stderr()).toContain('SYNAPSE_BUILD_ID is set but SYNAPSE_WORKER_DEPLOYMENT is not');
  });

  it('exits 1 with a message naming the variable when TEMPORAL_ADDRESS is malformed', async () => {
    const { process: worker, ready } = startWorkerProcess({ ...process.env, TEMPORAL_ADDRESS: 'not an address' });
    await expect(ready).rejects.toThrow(/exited with 1/);
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toContain('TEMPORAL_ADDRESS');
  });
});
