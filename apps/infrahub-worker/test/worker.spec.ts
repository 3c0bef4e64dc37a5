/**
 * The infrahub-worker on a real Temporal dev server (the suite's shared one,
 * TEMPORAL_ADDRESS) against the Infrahub simulator: activities run through a
 * real worker, failures keep their types across Temporal, and the API token
 * never reaches workflow history.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalSettingsFromEnv } from '@synapse/contracts';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';
import { Worker } from '@temporalio/worker';
import { historyText } from '@synapse/temporal-tools';
import { DocumentStore } from '@synapse/device-config';
import { createInfrahubActivities, createInfrahubWorker } from '../src';
import type { fetchAndRecord, fetchUnknown, renderByReference } from './workflows';

describe('infrahub-worker on the Temporal dev server', () => {
  const temporal = temporalSettingsFromEnv();
  const taskQueue = `infrahub-worker-test-${randomUUID()}`;
  let sim: InfrahubSim;
  let infrahub: InfrahubClient;
  let bundle: WorkflowBundleWithSourceMap;
  let workerConnection: NativeConnection;
  let clientConnection: Connection;
  let client: Client;

  beforeAll(async () => {
    sim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });
    workerConnection = await NativeConnection.connect({ address: temporal.address });
    clientConnection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  });
  afterAll(async () => {
    await clientConnection?.close();
    await workerConnection?.close();
    infrahub?.close();
    await sim?.stop();
  });

  async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: createInfrahubActivities({ infrahub }),
    });
    return worker.runUntil(fn());
  }

  it('fetches and records through a real worker, with no token in the history', async () => {
    const workflowId = `infrahub-worker-test-${randomUUID()}`;
    const result = await withWorker(() =>
      client.workflow.execute<typeof fetchAndRecord>('fetchAndRecord', {
        taskQueue,
        workflowId,
        args: [{ taskQueue, device: 'leaf02', changeId: 'chg-worker-1' }],
      }),
    );
    expect(result.fetched.device).toBe('leaf02');
    expect(result.fetched.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(result.recorded).toMatchObject({ device: 'leaf02', state: 'deploying' });
    expect((await infrahub.getDevice('leaf02')).deployment.state).toBe('deploying');

    const history = historyText(await client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain('srl_nokia-bgp:bgp'); // the decoded payloads are really searched
    expect(history).not.toContain(DEFAULT_LAB_API_TOKEN);
  });

  it('fails the workflow at once on an unknown device: IntentNotFound is not retried', async () => {
    const started = Date.now();
    const failure = await withWorker(() =>
      client.workflow
        .execute<typeof fetchUnknown>('fetchUnknown', { taskQueue, workflowId: `infrahub-worker-test-${randomUUID()}`, args: [{ taskQueue }] })
        .then(() => undefined, (err: unknown) => err),
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (failure as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const cause = activityFailure.cause as ApplicationFailure;
    expect(cause.type).toBe('IntentNotFound');
    expect(cause.message).toContain('no-such-device');
    // The profile retries transient errors from 1 s up; a non-retryable one ends on the first attempt.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('renders by reference through createInfrahubWorker: the configs land in the store, never in the history', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'infrahub-worker-history-'));
    const documents = new DocumentStore({ dir });
    const activityQueue = `${taskQueue}-activities`;
    const workflowId = `infrahub-worker-test-${randomUUID()}`;
    try {
      const activities = await createInfrahubWorker({ connection: workerConnection, namespace: temporal.namespace, taskQueue: activityQueue, infrahub, documents });
      const workflows = await Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue, workflowBundle: bundle });
      const result = await activities.runUntil(
        workflows.runUntil(
          client.workflow.execute<typeof renderByReference>('renderByReference', { taskQueue, workflowId, args: [{ taskQueue: activityQueue, device: 'leaf02' }] }),
        ),
      );
      const config = await documents.getConfig(result.rendered.config);
      expect(Object.keys(config)).toContain('/interface[name=system0]');
      const [entry] = result.batch.devices;
      expect(entry && 'configRef' in entry ? entry.configRef : undefined).toEqual(result.rendered.config);

      const history = historyText(await client.workflow.getHandle(workflowId).fetchHistory());
      expect(history).toContain(result.rendered.config.sha256); // the decoded payloads are really searched
      // Keys only a rendered config holds.
      for (const fragment of ['/interface[', '/network-instance[', 'autonomous-system', 'router-id']) {
        expect(JSON.stringify(config)).toContain(fragment);
        expect(history).not.toContain(fragment);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
