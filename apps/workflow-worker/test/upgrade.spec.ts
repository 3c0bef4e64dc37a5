/**
 * A rolling upgrade of the workflow worker: a change started on build N (the
 * previous release's workflow bundle, test/fixtures/build-n) is taken over
 * mid-flight by build N+1 (the code here) when N's worker is replaced, and
 * finishes correctly. N+1 replays N's history to get there: any command it
 * orders differently without patched() fails the takeover with a
 * determinism error, and the change stays stuck instead of finishing.
 *
 * Two moments an upgrade meets in real life: a standard change waiting in
 * BGP validation, and an emergency waiting out its time to live.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { EMERGENCY_UPDATES, workflowIds, WORKFLOW_TYPES, type ChangeResult, type EmergencyChangeRequestInput } from '@synapse/contracts';
import { promoteBuild, type WorkerVersioning } from '../src/versioning';
import { createWorkflowWorker } from '../src/worker';
import { ChangeHarness, changeRequest, sharedBundle } from './change-harness';
import { recordCorpusIfAsked } from './history-corpus';

const BUILD_N_BUNDLE = path.join(__dirname, 'fixtures', 'build-n', 'workflow-bundle.js.gz');
const NEIGHBOR_10_0_0_0 = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]';

let harness: ChangeHarness;
let connection: NativeConnection;
const queue = `network-changes-upgrade-${randomUUID().slice(0, 8)}`;
const started: WorkflowHandle[] = [];
/** Workers still running when a test ends (it failed half-way): stopped before the next. */
const runningBuilds = new Set<{ stop(): Promise<void> }>();

beforeAll(async () => {
  harness = await ChangeHarness.start();
  connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});
afterAll(async () => {
  // npm run record:histories: histories begun on build N and finished on N+1, and the config view, join the corpus.
  for (const taskQueue of [queue, `${queue}-versioned`]) await recordCorpusIfAsked(harness.client, taskQueue, Object.values(WORKFLOW_TYPES), 'upgrade.spec.ts');
  await harness?.shutdown();
  await connection?.close();
});
beforeEach(async () => {
  await harness.newLab();
  await harness.arrangeDeployed('spine01', 'leaf02');
});
afterEach(async () => {
  for (const handle of started.splice(0)) await handle.terminate('test cleanup').catch(() => undefined);
  for (const build of [...runningBuilds]) await build.stop();
  await harness.stopLab();
});

/** A workflow worker of one build on this file's queue; its identity names the build, so histories show who ran what. */
async function startBuild(build: string, options: { versioning?: WorkerVersioning; taskQueue?: string } = {}): Promise<{ stop(): Promise<void> }> {
  const worker = await createWorkflowWorker({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: options.taskQueue ?? queue,
    ...(options.versioning ? { versioning: options.versioning } : {}),
    workflowBundle: build === 'build-n' ? { code: gunzipSync(readFileSync(BUILD_N_BUNDLE)).toString('utf8') } : await sharedBundle(),
    approvalPolicy: { approvalRequired: false, allowSelfApproval: false },
    allowedActivityQueues: Object.values(harness.routing.taskQueues),
    identity: build,
  });
  const running = worker.run();
  const handle = {
    async stop() {
      if (!runningBuilds.delete(handle)) return;
      worker.shutdown();
      await running;
    },
  };
  runningBuilds.add(handle);
  return handle;
}

/** Starts a change or emergency on a queue of this file, with the harness's activity workers. */
async function startOn(taskQueue: string, workflowType: 'NetworkChangeWorkflow' | 'EmergencyChangeWorkflow', workflowId: string, request: unknown): Promise<WorkflowHandle> {
  const handle = await harness.client.workflow.start(workflowType, { taskQueue, workflowId, workflowExecutionTimeout: '3 minutes', args: [request, harness.routing] });
  started.push(handle);
  return handle;
}

/** Which build completed each of the workflow's tasks, in order, duplicates collapsed. */
async function buildsThatRan(workflowId: string, runId?: string): Promise<string[]> {
  const history = await harness.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const identities = (history.events ?? [])
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((e) => e.workflowTaskCompletedEventAttributes?.identity ?? '?');
  return identities.filter((identity, i) => identity !== identities[i - 1]);
}

/** The same, for leaf01's device workflow in one change. */
async function buildsThatRanDevice(changeId: string): Promise<string[]> {
  return buildsThatRan(workflowIds.device('leaf01'), await harness.deviceRunId('leaf01', changeId));
}

function leaf01Of(result: ChangeResult) {
  const found = result.devices.find((d) => d.device === 'leaf01');
  if (!found) throw new Error(`no leaf01 in ${JSON.stringify(result)}`);
  return found;
}

it('a standard change started on build N, waiting in BGP validation, is finished by build N+1 after N is replaced', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
  const buildN = await startBuild('build-n');
  const request = changeRequest({ devices: ['leaf01'], validation: { settleTimeoutSeconds: 60, commitConfirmed: true } });
  const handle = await startOn(queue, 'NetworkChangeWorkflow', workflowIds.change(request.changeId), request);
  await harness.waitForStep('leaf01', 'validate-bgp', 60_000);

  // The upgrade: N stops (its in-flight tasks finish), N+1 starts on the same queue.
  await buildN.stop();
  const buildNext = await startBuild('build-n+1');
  try {
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: false });
    const result = (await handle.result()) as ChangeResult;

    expect(result.outcome).toBe('succeeded');
    expect(leaf01Of(result).outcome).toBe('deployed');
    expect(harness.runningConfig('leaf01')).not.toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed', lastChangeId: request.changeId });
    // Both builds really ran it: N up to the validation, N+1 from there to the end.
    expect(await buildsThatRanDevice(request.changeId)).toEqual(['build-n', 'build-n+1']);
    expect(await buildsThatRan(handle.workflowId)).toEqual(['build-n', 'build-n+1']);
  } finally {
    await buildNext.stop();
  }
});

function shutPeerEmergency(revertAfterSeconds: number): EmergencyChangeRequestInput {
  return {
    changeId: `em-${randomUUID().slice(0, 8)}`,
    devices: ['leaf01'],
    reason: 'peer 10.0.0.0 is flapping',
    ticket: 'INC-9001',
    requester: 'oncall-alice',
    source: { kind: 'patch', patch: { update: [{ path: `${NEIGHBOR_10_0_0_0}/admin-state`, value: 'disable' }] } },
    validation: { settleTimeoutSeconds: 10, commitConfirmed: true },
    revertAfterSeconds,
  };
}

it('an emergency started on build N, waiting out its time to live, is reverted by build N+1 after N is replaced', async () => {
  // An emergency patches a device that runs its intent (the shut peer is one it has).
  await harness.arrangeDeployed('leaf01');
  const before = structuredClone(harness.runningConfig('leaf01'));
  const buildN = await startBuild('build-n');
  const request = shutPeerEmergency(12);
  const handle = await startOn(queue, 'EmergencyChangeWorkflow', workflowIds.emergency(request.changeId), request);
  await harness.waitForStep('leaf01', 'await-revert', 60_000);
  expect(harness.runningConfig('leaf01')).not.toEqual(before);

  await buildN.stop();
  const buildNext = await startBuild('build-n+1');
  try {
    const result = (await handle.result()) as ChangeResult;

    expect(result.outcome).toBe('succeeded');
    expect(leaf01Of(result).outcome).toBe('reverted');
    expect(harness.runningConfig('leaf01')).toEqual(before);
    expect(await harness.changeRecord(request.changeId, 'leaf01')).toMatchObject({ kind: 'emergency', outcome: 'reverted' });
    // The revert itself (the timer firing, the restore) ran on N+1.
    expect(await buildsThatRanDevice(request.changeId)).toEqual(['build-n', 'build-n+1']);
  } finally {
    await buildNext.stop();
  }
});

it('with Worker Versioning, an emergency stays pinned to the build that began it while a new build becomes current', async () => {
  await harness.arrangeDeployed('leaf01');
  const before = structuredClone(harness.runningConfig('leaf01'));
  const versionedQueue = `${queue}-versioned`;
  const deploymentName = `synapse-test-${randomUUID().slice(0, 8)}`;
  const a = await startBuild('build-a', { taskQueue: versionedQueue, versioning: { deploymentName, buildId: 'build-a', promote: 'if-none' } });
  const b: Array<{ stop(): Promise<void> }> = [];
  try {
    // The first build of a deployment becomes its current version by itself.
    expect(await promoteBuild(connection, process.env.TEMPORAL_NAMESPACE ?? 'default', { deploymentName, buildId: 'build-a', promote: 'if-none' }, 'jest')).toMatch(/promoted|already-current/);
    const request = shutPeerEmergency(600);
    const handle = await startOn(versionedQueue, 'EmergencyChangeWorkflow', workflowIds.emergency(request.changeId), request);
    await harness.waitForStep('leaf01', 'await-revert', 60_000);

    // Build B is deployed and made current; A keeps running for what is pinned to it.
    b.push(await startBuild('build-b', { taskQueue: versionedQueue, versioning: { deploymentName, buildId: 'build-b', promote: 'always' } }));
    expect(await promoteBuild(connection, process.env.TEMPORAL_NAMESPACE ?? 'default', { deploymentName, buildId: 'build-b', promote: 'if-none' }, 'jest')).toBe('left-as-is');
    expect(await promoteBuild(connection, process.env.TEMPORAL_NAMESPACE ?? 'default', { deploymentName, buildId: 'build-b', promote: 'always' }, 'jest')).toBe('promoted');
    // A new, short workflow runs on B.
    const view = await harness.client.workflow.start('ConfigViewWorkflow', { taskQueue: versionedQueue, workflowId: `view-${randomUUID().slice(0, 8)}`, workflowExecutionTimeout: '1 minute', args: [{ device: 'leaf02', view: 'intended' }, harness.routing] });
    await view.result();
    expect(await buildsThatRan(view.workflowId)).toEqual(['build-b']);

    // The pinned emergency is reverted now, and still by A: its code never changed under it.
    await handle.executeUpdate(EMERGENCY_UPDATES.revertNow, { args: [{ by: 'oncall-bob' }] });
    const result = (await handle.result()) as ChangeResult;
    expect(leaf01Of(result).outcome).toBe('reverted');
    expect(harness.runningConfig('leaf01')).toEqual(before);
    expect(await buildsThatRan(handle.workflowId)).toEqual(['build-a']);
    expect(await buildsThatRanDevice(request.changeId)).toEqual(['build-a']);
  } finally {
    for (const worker of b) await worker.stop();
    await a.stop();
  }
});
