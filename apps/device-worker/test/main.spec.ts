import { deployOperations } from '@synapse/device-config';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { findFreePort } from '@synapse/temporal-tools';
import { rendered, startTestLab, type TestLab } from './lab';
import type { backupAndDeployWorkflow } from './fixtures/backup-and-deploy-workflow';

const MAIN = path.join(__dirname, '..', 'dist', 'main.js');
const address = process.env.TEMPORAL_ADDRESS;
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Started {
  child: ChildProcessWithoutNullStreams;
  ready: Record<string, unknown>;
  stderr: () => string;
  /** Everything on stdout so far: the ready line and the JSON log lines. */
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts the built worker as `npm run serve` would and waits for its ready line. */
function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<Started> {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${stderr}`)), 30_000);
    void exited.then((code) => reject(new Error(`device-worker exited with ${code} before it was ready; stderr: ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Log lines are JSON too; the ready line is the one naming the service.
      const line = stdout.split('\n').find((l) => l.startsWith('{"service":"device-worker"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(line) as Record<string, unknown>, stderr: () => stderr, stdout: () => output, exited });
    });
  });
}

describe('node dist/main.js: the deployable worker process', () => {
  let lab: TestLab;
  let dir: string;

  beforeAll(() => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Already installed by another file in this Jest worker.
    }
  });

  beforeEach(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p apps/device-worker/tsconfig.json)`);
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    // TLS with the simulator's own CA: the worker's default transport, verified.
    lab = await startTestLab({ tls: true });
    dir = mkdtempSync(path.join(tmpdir(), 'device-worker-main-'));
  });

  afterEach(async () => {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the simulator's output as its inventory, runs activities for a workflow, and stops cleanly on SIGTERM", async () => {
    const inventory = path.join(dir, 'inventory.jsonl');
    writeFileSync(inventory, `${lab.sim.devices.map((d) => JSON.stringify({ device: d.name, address: d.address })).join('\n')}\n`);
    const taskQueue = `device-operations-test-${randomUUID()}`;
    const backupDir = path.join(dir, 'backups');
    const metricsAddress = `127.0.0.1:${await findFreePort()}`;
    const worker = await startWorkerProcess({
      SYNAPSE_METRICS_ADDRESS: metricsAddress,
      SYNAPSE_HEALTH_ADDRESS: '127.0.0.1:0',
      SYNAPSE_LOG_LEVEL: 'debug',
      PATH: process.env.PATH,
      HOME: dir,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      SYNAPSE_DEVICE_TASK_QUEUE: taskQueue,
      SYNAPSE_DEVICE_URGENT_TASK_QUEUE: `${taskQueue}-urgent`,
      SYNAPSE_DEVICE_INVENTORY: inventory,
      SYNAPSE_GNMI_CA_FILE: lab.caFile,
      SYNAPSE_BACKUP_DIR: backupDir,
      SYNAPSE_DOCUMENT_DIR: path.join(dir, 'documents'),
      SYNAPSE_DEVICE_USERNAME: LAB_CREDENTIALS.username,
      SYNAPSE_DEVICE_PASSWORD: LAB_CREDENTIALS.password,
    });
    try {
      expect(worker.ready).toEqual({
        service: 'device-worker',
        taskQueue,
        // Confirms and rollbacks: a second queue the same process polls.
        urgentTaskQueue: `${taskQueue}-urgent`,
        temporal: address,
        namespace,
        devices: ['spine01', 'leaf01', 'leaf02'],
        backups: backupDir,
        // No payload keys here: backups are kept as they are (owner-only).
        backupsEncrypted: false,
        documents: path.join(dir, 'documents'),
        // Nothing said but the CA: TLS, verified against it; no credentials over plaintext.
        gnmi: { transport: { mode: 'tls', caFile: lab.caFile }, allowPlaintextCredentials: false, timeoutMs: 10_000 },
        credentials: 'SYNAPSE_DEVICE_USERNAME/SYNAPSE_DEVICE_PASSWORD',
        // How it reached Temporal, without secrets: plaintext, no API key, no payload encryption here.
        connection: expect.objectContaining({ address, namespace }),
        metrics: metricsAddress,
        health: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      });
      // The container probe: ready while it polls.
      const readyz = await fetch(`http://${String(worker.ready.health)}/readyz`);
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toMatchObject({ service: 'device-worker', state: 'RUNNING', taskQueue: `${taskQueue}, ${taskQueue}-urgent` });

      // Workflows run here; the activities run in the worker process.
      const connection = await Connection.connect({ address: address! });
      const workflowConnection = await NativeConnection.connect({ address: address! });
      try {
        const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'fixtures', 'backup-and-deploy-workflow.ts'), logger: quiet });
        const workflowQueue = `workflows-${randomUUID()}`;
        const workflows = await Worker.create({ connection: workflowConnection, namespace, taskQueue: workflowQueue, workflowBundle });
        const client = new Client({ connection, namespace });
        const result = await workflows.runUntil(
          client.workflow.execute<typeof backupAndDeployWorkflow>('backupAndDeployWorkflow', {
            taskQueue: workflowQueue,
            workflowId: `device/leaf01/${randomUUID()}`,
            workflowExecutionTimeout: '60 seconds',
            args: [{ device: 'leaf01', changeId: 'chg-main', config: rendered('leaf01'), taskQueue }],
          }),
        );
        expect(result.deploy.updatedPaths).toEqual(deployOperations({ config: rendered('leaf01') }).update.map((u) => u.path));
        expect(existsSync(path.join(backupDir, 'leaf01.json'))).toBe(true);
        // Prometheus: the SDK's worker metrics and the activities it ran.
        const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
        expect(metrics).toMatch(/^temporal_activity_execution_latency\w*\{.*activity_type="deployConfig"/m);
      } finally {
        await workflowConnection.close();
        await connection.close();
      }
    } finally {
      worker.child.kill('SIGTERM');
    }
    await expect(worker.exited).resolves.toBe(0);
    // Every log line is JSON, and an activity's says which change and device it is about.
    const activityLines = worker
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"activityType":"deployConfig"') && l.includes('Activity completed'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(activityLines).toHaveLength(1);
    expect(activityLines[0]).toMatchObject({ level: 'debug', app: 'device-worker', changeId: 'chg-main', device: 'leaf01', workflowId: expect.stringMatching(/^device\/leaf01\//) });
    expect(worker.stdout()).toContain('device-worker: SIGTERM received, shutting down');
  });

  it('refuses to start with a configuration that cannot work, saying which variable is wrong', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, HOME: dir, SYNAPSE_GNMI_TRANSPORT: 'telnet' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('SYNAPSE_GNMI_TRANSPORT must be plaintext, skip-verify or tls');
  });
});
