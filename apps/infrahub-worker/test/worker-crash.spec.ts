/**
 * An infrahub-worker process (dist/main.js, configured by its environment
 * only) is SIGKILLed while an activity waits on a slow Infrahub (the
 * simulator's latency fault). A SIGKILLed worker says nothing to the
 * server: only the activity's heartbeats stopping do. With the production
 * profile (contracts' ACTIVITY_PROFILES.infrahub: 10 s heartbeat timeout)
 * the attempt is retried on another worker seconds later, not after the
 * five-minute start-to-close timeout. This file's run time is mostly that
 * heartbeat timeout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalSettingsFromEnv } from '@synapse/contracts';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';
import { createInfrahubWorker } from '../src';
import type { fetchAndRecord } from './workflows';

const { PendingActivityState, TimeoutType } = proto.api.enums.v1;
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
/** Preloaded into the child: if Jest dies, the IPC channel closes and the worker goes with it. */
const EXIT_WITH_PARENT = `if (process.channel) { process.channel.unref(); process.on('disconnect', () => process.kill(process.pid, 'SIGKILL')); }`;
const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

describe('an infrahub-worker killed mid-activity', () => {
  const temporal = temporalSettingsFromEnv();
  const activityQueue = `infrahub-crash-${randomUUID().slice(0, 8)}`;
  const workflowQueue = `${activityQueue}-workflows`;
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  let bundle: WorkflowBundleWithSourceMap;
  let workerConnection: NativeConnection;
  let clientConnection: Connection;
  let client: Client;
  let scratch: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build infrahub-worker first (npx nx build infrahub-worker)`);
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quiet });
    workerConnection = await NativeConnection.connect({ address: temporal.address });
    clientConnection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection: clientConnection, namespace: temporal.namespace });
    scratch = mkdtempSync(path.join(tmpdir(), 'infrahub-worker-crash-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await clientConnection?.close();
    await workerConnection?.close();
    infrahub?.close();
    await sim?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The worker as production runs it; resolves with its process once it polls (its JSON ready line). */
  async function startWorkerProcess(): Promise<ChildProcess> {
    const preload = path.join(scratch, 'exit-with-parent.js');
    writeFileSync(preload, EXIT_WITH_PARENT);
    const proc = fork(MAIN, [], {
      execArgv: ['--require', preload],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        INFRAHUB_ADDRESS: sim.address,
        INFRAHUB_API_TOKEN: DEFAULT_LAB_API_TOKEN,
        SYNAPSE_INFRAHUB_TASK_QUEUE: activityQueue,
        SYNAPSE_HEARTBEAT_INTERVAL_MS: '500',
        SYNAPSE_LOG_LEVEL: 'warn',
      },
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`infrahub-worker printed no ready line within 30 s:\n${output}`)), 30_000);
      proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"service":"infrahub-worker"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`infrahub-worker exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    return proc;
  }

  it('is noticed through its heartbeats stopping, and the activity is retried on another worker within seconds', async () => {
    // Slow enough that the activity is still waiting when the process dies; short enough to be over before the retry.
    sim.faults.latency(5_000);
    child = await startWorkerProcess();
    const childIdentity = `${child.pid}@${hostname()}`;
    const workflows = await Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue: workflowQueue, workflowBundle: bundle });
    const workflowId = `infrahub-crash-${randomUUID()}`;

    const outcome = await workflows.runUntil(async () => {
      const handle = await client.workflow.start<typeof fetchAndRecord>('fetchAndRecord', {
        taskQueue: workflowQueue,
        workflowId,
        args: [{ taskQueue: activityQueue, device: 'leaf01', changeId: 'chg-crash' }],
      });

      // Running on the child, per the server, and heard from: its beats reach the server.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const fetch = pending.find((a) => a.activityType?.name === 'fetchDeviceConfig');
        const onChild = fetch?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && fetch.lastWorkerIdentity === childIdentity;
        if (onChild && (fetch.heartbeatDetails?.payloads?.length ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error(`fetchDeviceConfig never heartbeated on ${childIdentity}: ${JSON.stringify(pending.map((a) => ({ state: a.state, identity: a.lastWorkerIdentity })))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child!.kill('SIGKILL');
      const killedAt = Date.now();
      sim.faults.clear();

      const replacement = await createInfrahubWorker({ connection: workerConnection, namespace: temporal.namespace, taskQueue: activityQueue, infrahub, settings: { heartbeatIntervalMs: 500 } });
      const result = await replacement.runUntil(handle.result());
      return { result, recoveredInMs: Date.now() - killedAt, replacementIdentity: replacement.options.identity };
    });

    expect(outcome.result.fetched.device).toBe('leaf01');
    expect(outcome.result.recorded).toMatchObject({ device: 'leaf01', state: 'deploying' });
    // The heartbeat timeout (10 s) and the first retry's backoff (1 s), with room for a busy machine: nowhere near 5 minutes.
    expect(outcome.recoveredInMs).toBeLessThan(30_000);

    // The finished attempt is the retry, on the replacement, after the killed one's heartbeats stopped.
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchDeviceConfig')!;
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId))!.activityTaskStartedEventAttributes!;
    expect(started.attempt).toBe(2);
    expect(started.identity).toBe(outcome.replacementIdentity);
    expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
  });
});
