import { deployOperations } from '@synapse/device-config';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { rendered, startTestLab, type TestLab } from './lab';
import type { backupAndDeployWorkflow } from './fixtures/backup-and-deploy-workflow';

// The run's shared server: `npm test` (with-dev-server) or this project's Jest global setup.
const address = process.env.TEMPORAL_ADDRESS;
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const WRONG_PASSWORD = 'Wr0ng-Passw0rd!';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the device activities on a real worker, driven by a workflow', () => {
  let connection: Connection;
  let client: Client;
  let workflowBundle: WorkflowBundleWithSourceMap;
  let lab: TestLab;

  beforeAll(async () => {
    try {
      // Worker state changes (INFO) and the expected failures (WARN) would bury the test output.
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Already installed by another file in this Jest worker.
    }
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'fixtures', 'backup-and-deploy-workflow.ts'), logger: quiet });
    // The worker holds the lab's credentials for every device but leaf02, whose password it has wrong.
    lab = await startTestLab({ credentials: (device) => ({ username: LAB_CREDENTIALS.username, password: device === 'leaf02' ? WRONG_PASSWORD : LAB_CREDENTIALS.password }) });
  });

  afterAll(async () => {
    await lab?.stop();
    await connection?.close();
  });

  it('backs up, archives and deploys through Temporal; no password ever reaches workflow history', async () => {
    const taskQueue = `device-worker-test-${randomUUID()}`;
    const workerConnection = await NativeConnection.connect({ address: address! });
    try {
      const worker = await Worker.create({ connection: workerConnection, namespace, taskQueue, workflowBundle, activities: lab.activities });
      const changeId = `chg-${randomUUID()}`;
      const { ok, failed } = await worker.runUntil(async () => {
        const ok = await client.workflow.start<typeof backupAndDeployWorkflow>('backupAndDeployWorkflow', {
          taskQueue,
          workflowId: `device/leaf01/${changeId}`,
          // A broken workflow would retry its task for ever: fail the test instead.
          workflowExecutionTimeout: '60 seconds',
          args: [{ device: 'leaf01', changeId, config: rendered('leaf01'), taskQueue }],
        });
        const failed = await client.workflow.start<typeof backupAndDeployWorkflow>('backupAndDeployWorkflow', {
          taskQueue,
          workflowId: `device/leaf02/${changeId}`,
          workflowExecutionTimeout: '60 seconds',
          args: [{ device: 'leaf02', changeId, config: rendered('leaf02'), taskQueue }],
        });

        const result = await ok.result();
        expect(result.backup).toMatchObject({ device: 'leaf01', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(result.deploy).toMatchObject({ device: 'leaf01', updatedPaths: deployOperations({ config: rendered('leaf01') }).update.map((u) => u.path) });
        const failure = await failed.result().catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const activityFailure = (failure as WorkflowFailedError).cause;
        expect(activityFailure).toBeInstanceOf(ActivityFailure);
        expect((activityFailure as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
        expect((activityFailure as ActivityFailure).cause).toMatchObject({ type: 'AuthFailed', nonRetryable: true });
        return { ok, failed };
      });

      // The archive commit names the workflow that took the backup.
      const { backup } = await ok.result();
      const message = execFileSync('git', ['log', '--format=%B', '--fixed-strings', `--grep=Backup-Id: ${backup.id}`], { cwd: lab.backupDir, encoding: 'utf8' });
      expect(message).toContain(`Workflow-Id: device/leaf01/${changeId}`);
      expect(message).toContain(`Change-Id: ${changeId}`);

      for (const handle of [ok, failed]) {
        const history = await handle.fetchHistory();
        const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
        // The search would find them: the device name and change id are there in the same encoding.
        expect(bytes.includes(changeId)).toBe(true);
        expect(bytes.includes(handle === ok ? 'leaf01' : 'leaf02')).toBe(true);
        expect(bytes.includes(LAB_CREDENTIALS.password)).toBe(false);
        expect(bytes.includes(WRONG_PASSWORD)).toBe(false);
        expect(JSON.stringify(history)).not.toContain(LAB_CREDENTIALS.password);
      }

      // AuthFailed is non-retryable: one attempt, not the profile's three.
      const failedHistory = await failed.fetchHistory();
      const attempts = (failedHistory.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts).toEqual([1]);
    } finally {
      await workerConnection.close();
    }
  });
});
