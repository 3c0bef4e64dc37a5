import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '@synapse/contracts';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import { PROJECT_SEARCH_ATTRIBUTES } from '../src/search-attributes';
import { createChangeRecordActivities } from './fixtures/change-record-activities';
import type { changeRecordWorkflow } from './fixtures/change-record-workflow';

// The server is the one the whole run shares: started by with-dev-server
// (`npm test`) or by this project's Jest global setup (`nx test temporal`).
const address = process.env.TEMPORAL_ADDRESS;
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

const KeywordList = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST;
const Keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

describe('the shared Temporal dev server', () => {
  let connection: Connection;
  let client: Client;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // Worker state changes at INFO would bury the test output.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures', 'change-record-workflow.ts'),
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });

  afterAll(async () => {
    await connection?.close();
  });

  it('has every search attribute from contracts registered with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(customAttributes).toMatchObject({
      [SEARCH_ATTRIBUTES.devices.name]: KeywordList,
      [SEARCH_ATTRIBUTES.changeId.name]: Keyword,
      [SEARCH_ATTRIBUTES.changeKind.name]: Keyword,
      [SEARCH_ATTRIBUTES.requester.name]: Keyword,
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(PROJECT_SEARCH_ATTRIBUTES.map(({ name }) => name)));
  });

  it('runs a workflow on a real worker and finds it by device through visibility', async () => {
    const taskQueue = `temporal-tools-${randomUUID()}`;
    const changeId = `chg-${randomUUID()}`;
    const workerConnection = await NativeConnection.connect({ address: address! });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue,
        workflowBundle,
        activities: createChangeRecordActivities(),
      });
      const handle = await worker.runUntil(async () => {
        const started = await client.workflow.start<typeof changeRecordWorkflow>('changeRecordWorkflow', {
          taskQueue,
          workflowId: `change/${changeId}`,
          // A broken workflow retries its task forever; fail the test instead.
          workflowExecutionTimeout: '30 seconds',
          args: [{ changeId, changeKind: 'standard', requester: 'noc-engineer', devices: ['leaf01', 'spine01'] }],
        });
        await expect(started.result()).resolves.toBe(`${changeId} touches leaf01, spine01`);
        return started;
      });

      const description = await handle.describe();
      expect(description.searchAttributes).toMatchObject({
        SynapseDevices: ['leaf01', 'spine01'],
        SynapseChangeId: [changeId],
        SynapseChangeKind: ['standard'],
        SynapseRequester: ['noc-engineer'],
      });

      // What an operator types in the UI: every change that touched leaf01.
      const query = `${SEARCH_ATTRIBUTES.devices.name} = 'leaf01' AND ${SEARCH_ATTRIBUTES.changeId.name} = '${changeId}'`;
      const found = await eventually(async () => {
        const ids: string[] = [];
        for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
        return ids.length > 0 ? ids : undefined;
      }, 15_000);
      expect(found).toEqual([`change/${changeId}`]);
    } finally {
      await workerConnection.close();
    }
  });
});

/** Visibility is eventually consistent: poll until the answer appears. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}
