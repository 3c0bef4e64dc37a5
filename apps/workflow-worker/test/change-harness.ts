/**
 * The whole change path in one process, as production runs it in three:
 * the workflow worker (this project), the device worker's activities against
 * the device simulator, and the infrahub worker's activities against the
 * Infrahub simulator, all on the suite's Temporal dev server.
 *
 * Workers live for a test file, each on its own task queues (a random
 * suffix) so files can share the server. Every test gets a fresh lab: new
 * simulators (running configs, faults, BGP sessions and Infrahub data back
 * at the start) and a new backup repository; the activities reach the
 * current lab through the small indirections below.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { temporalSettingsFromEnv, workflowIds, WORKFLOW_TYPES, type DeviceChangeResult, type RolloutProgress, type ChangeRequestInput, type EmergencyChangeRequestInput, type DriftReport, type DriftRequestInput, type ChangeResult, type DeviceTarget, type ManagedConfig } from '@synapse/contracts';
import { deployOperations, renderConfig } from '@synapse/device-config';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT, labTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { createDeviceActivities, GitBackupStore, StaticDeviceDirectory, type BackupStore, type DeviceDirectory } from '@synapse/device-worker';
import { GnmiClient } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { createInfrahubActivities } from '@synapse/infrahub-worker';
import { testDocumentStore } from './document-dir';
import { deviceIntent, referenceLab, type Lab } from '@synapse/lab';
import { historyText } from '@synapse/temporal-tools';
import { recordCorpusIfAsked } from './history-corpus';
import { bundleWorkflows, createWorkflowWorker } from '../src/worker';
import type { ActivityRoutingInput } from '../src/workflows/activities';
import type { DriftRemediationWorkflow, EmergencyChangeWorkflow, NetworkChangeWorkflow } from '../src/workflows';
import { quietTemporalRuntime } from './quiet-runtime';

export const LAB_DEVICES = ['spine01', 'leaf01', 'leaf02'] as const;
export type LabDevice = (typeof LAB_DEVICES)[number];

/** BGP establishes this long after both ends agree: fast on 2 shared cores. */
const CONVERGENCE_MS = 100;

/** One test's lab: both simulators, Infrahub's client, a backup repository, and admin gNMI clients for arranging and inspecting devices. */
export interface ScenarioLab {
  /** The lab both simulators serve (the reference lab, or its brownfield twin). */
  definition: Lab;
  devices: DeviceSim;
  infrahubSim: InfrahubSim;
  infrahub: InfrahubClient;
  backups: GitBackupStore;
  backupDir: string;
  /** Every device of the lab (the reference lab's three, or a generated fabric's). */
  admin: Record<LabDevice, GnmiClient> & Record<string, GnmiClient>;
}

export class ChangeHarness {
  #lab: ScenarioLab | undefined;
  readonly #workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  readonly #startedChanges: string[] = [];

  private constructor(
    readonly client: Client,
    private readonly clientConnection: Connection,
    private readonly workerConnection: NativeConnection,
    readonly taskQueue: string,
    readonly routing: Required<ActivityRoutingInput>,
  ) {}

  /**
   * For a file's beforeAll: bundles the workflows once and starts the three
   * workers. `activityQueues`: more queues (a file's own device or Infrahub
   * worker processes) the workflow worker lets a change be routed to.
   */
  static async start(options: { activityQueues?: readonly string[] } = {}): Promise<ChangeHarness> {
    quietTemporalRuntime();
    const temporal = temporalSettingsFromEnv();
    const workflowBundle = await sharedBundle();
    const clientConnection = await Connection.connect({ address: temporal.address });
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    const suffix = randomUUID().slice(0, 8);
    const harness = new ChangeHarness(
      new Client({ connection: clientConnection, namespace: temporal.namespace }),
      clientConnection,
      workerConnection,
      `network-changes-test-${suffix}`,
      {
        taskQueues: {
          device: `device-operations-test-${suffix}`,
          deviceUrgent: `device-operations-urgent-test-${suffix}`,
          infrahub: `infrahub-operations-test-${suffix}`,
        },
      },
    );
    const lab = () => harness.lab;
    const documents = testDocumentStore();
    const deviceActivities = createDeviceActivities({
      documents,
      gnmi: (target: DeviceTarget) => new GnmiClient(target, { ...LAB_CREDENTIALS }),
      directory: currentDirectory(lab),
      backups: currentBackups(lab),
      settings: { heartbeatIntervalMs: 200, resubscribeIntervalMs: 100 },
    });
    // As the device worker runs them: the same activities on the device queue and the urgent one.
    const deviceWorker = (taskQueue: string) =>
      Worker.create({
        connection: workerConnection,
        namespace: temporal.namespace,
        taskQueue,
        // Cancellation reaches an activity with a heartbeat's answer; the SDK
        // throttles heartbeats to 80% of the 20 s heartbeat timeout by default.
        maxHeartbeatThrottleInterval: '500 ms',
        defaultHeartbeatThrottleInterval: '500 ms',
        activities: deviceActivities,
      });
    const workers = await Promise.all([
      // A lab's server: a request may waive approval (approval tests ask for it), nobody approves their own change.
      createWorkflowWorker({
        connection: workerConnection,
        namespace: temporal.namespace,
        taskQueue: harness.taskQueue,
        workflowBundle,
        approvalPolicy: { approvalRequired: false, allowSelfApproval: false },
        allowedActivityQueues: [...Object.values(harness.routing.taskQueues), ...(options.activityQueues ?? [])],
      }),
      deviceWorker(harness.routing.taskQueues.device!),
      deviceWorker(harness.routing.taskQueues.deviceUrgent!),
      Worker.create({
        connection: workerConnection,
        namespace: temporal.namespace,
        taskQueue: harness.routing.taskQueues.infrahub!,
        activities: createInfrahubActivities({
          documents,
          infrahub: {
            getDeviceIntent: (...args) => lab().infrahub.getDeviceIntent(...args),
            recordDeployment: (...args) => lab().infrahub.recordDeployment(...args),
            listDevices: (...args) => lab().infrahub.listDevices(...args),
          },
        }),
      }),
    ]);
    for (const worker of workers) harness.#workers.push({ worker, running: worker.run() });
    return harness;
  }

  get lab(): ScenarioLab {
    if (!this.#lab) throw new Error('no lab: call newLab() in beforeEach');
    return this.#lab;
  }

  /** For beforeEach: the reference lab (or another, e.g. its brownfield twin) at its pre-change state. */
  async newLab(definition: Lab = referenceLab()): Promise<ScenarioLab> {
    await this.stopLab();
    const devices = await startDeviceSim({ topology: labTopology(definition), convergenceDelayMs: CONVERGENCE_MS });
    const infrahubSim = await startInfrahubSim({ lab: definition, port: 0 });
    const infrahub = new InfrahubClient({ address: infrahubSim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
    const backupDir = mkdtempSync(path.join(tmpdir(), 'workflow-worker-backups-'));
    const backups = new GitBackupStore({ dir: backupDir, onWarning: () => undefined });
    const admin = Object.fromEntries(
      definition.devices.map(({ name }) => [name, new GnmiClient({ name, address: devices.address(name), transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS })]),
    ) as ScenarioLab['admin'];
    this.#lab = { definition, devices, infrahubSim, infrahub, backups, backupDir, admin };
    return this.#lab;
  }

  /** For afterEach: ends whatever a failed test left running, then the lab. */
  async stopLab(): Promise<void> {
    await this.terminateLeftovers();
    const lab = this.#lab;
    this.#lab = undefined;
    if (!lab) return;
    for (const client of Object.values(lab.admin)) client.close();
    lab.infrahub.close();
    await Promise.all([lab.devices.stop(), lab.infrahubSim.stop()]);
    rmSync(lab.backupDir, { recursive: true, force: true });
  }

  async shutdown(): Promise<void> {
    await this.stopLab();
    // npm run record:histories: this file's workflows join the replay corpus (history-corpus.ts).
    await recordCorpusIfAsked(this.client, this.taskQueue, Object.values(WORKFLOW_TYPES), path.basename(expect.getState().testPath ?? 'unknown'));
    for (const { worker } of this.#workers) worker.shutdown();
    await Promise.allSettled(this.#workers.map((w) => w.running));
    await this.clientConnection.close();
    await this.workerConnection.close();
  }

  /** Starts a change the way the CLI does, on this file's queues. */
  async startChange(request: ChangeRequestInput | unknown, workflowId = workflowIds.change(changeIdOf(request))): Promise<WorkflowHandle<typeof NetworkChangeWorkflow>> {
    this.#startedChanges.push(workflowId);
    return this.client.workflow.start<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
      taskQueue: this.taskQueue,
      workflowId,
      // A broken workflow would retry its task for ever: fail the test instead.
      workflowExecutionTimeout: '3 minutes',
      args: [request as ChangeRequestInput, this.routing],
    });
  }

  /** Runs a change to its end: its result, or the failure it ended with. */
  async runChange(request: ChangeRequestInput | unknown): Promise<{ handle: WorkflowHandle<typeof NetworkChangeWorkflow>; result?: ChangeResult; failure?: WorkflowFailedError }> {
    const handle = await this.startChange(request);
    return { handle, ...(await endOf(handle)) };
  }

  /** Starts an emergency change the way `synapse emergency` does, on this file's queues. */
  async startEmergency(request: EmergencyChangeRequestInput | unknown): Promise<WorkflowHandle<typeof EmergencyChangeWorkflow>> {
    const workflowId = workflowIds.emergency(changeIdOf(request));
    this.#startedChanges.push(workflowId);
    return this.client.workflow.start<typeof EmergencyChangeWorkflow>('EmergencyChangeWorkflow', {
      taskQueue: this.taskQueue,
      workflowId,
      workflowExecutionTimeout: '3 minutes',
      args: [request as EmergencyChangeRequestInput, this.routing],
    });
  }

  /** Runs an emergency change to its end: its result, or the failure it ended with. */
  async runEmergency(request: EmergencyChangeRequestInput | unknown): Promise<{ handle: WorkflowHandle<typeof EmergencyChangeWorkflow>; result?: ChangeResult; failure?: WorkflowFailedError }> {
    const handle = await this.startEmergency(request);
    return { handle, ...(await endOf(handle)) };
  }

  /** Runs a drift check the way a schedule would, on this file's queues: its report, or the failure it ended with. */
  async runDrift(request: DriftRequestInput): Promise<{ handle: WorkflowHandle<typeof DriftRemediationWorkflow>; report?: DriftReport; failure?: WorkflowFailedError }> {
    const workflowId = workflowIds.drift(request.driftId ?? `drift-${randomUUID().slice(0, 8)}`);
    this.#startedChanges.push(workflowId);
    const handle = await this.client.workflow.start<typeof DriftRemediationWorkflow>('DriftRemediationWorkflow', {
      taskQueue: this.taskQueue,
      workflowId,
      workflowExecutionTimeout: '3 minutes',
      args: [request, this.routing],
    });
    const { result: report, failure } = await endOf(handle);
    return { handle, report, failure };
  }

  /** A device's own result (its validations, timings, backup), from its latest device workflow `device/<name>`. */
  async deviceRun(device: string, changeId?: string): Promise<DeviceChangeResult> {
    const runId = changeId === undefined ? undefined : await this.deviceRunId(device, changeId);
    try {
      return (await this.client.workflow.getHandle(workflowIds.device(device), runId).result()) as DeviceChangeResult;
    } catch (err) {
      // A failed rollback fails the device workflow with its result in the failure's details.
      const details = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] } | undefined)?.details : undefined;
      if (details?.[0]) return details[0] as DeviceChangeResult;
      throw err;
    }
  }

  /** The run of `device/<name>` that belonged to a change (the id is reused by every change of the device). */
  async deviceRunId(device: string, changeId: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      for await (const run of this.client.workflow.list({ query: `WorkflowId = "${workflowIds.device(device)}" AND SynapseChangeId = "${changeId}"` })) return run.runId;
      if (Date.now() > deadline) throw new Error(`no run of ${workflowIds.device(device)} for change ${changeId}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Waits until Infrahub has the change's record of the device (a pre-empted change writes it after letting go). */
  async waitForChangeRecord(changeId: string, device: string, timeoutMs = 30_000): Promise<ChangeRecordView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.changeRecord(changeId, device);
      if (record) return record;
      if (Date.now() > deadline) throw new Error(`no change record of ${changeId} on ${device} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Every workflow a change consists of: the change, its plan batches, device groups and waves, and its device workflows. */
  async histories(changeWorkflowId: string, devices: readonly string[]): Promise<Array<{ workflowId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }>> {
    const ids = [changeWorkflowId, ...(await this.rolloutChildren(changeWorkflowId)), ...devices.map((d) => workflowIds.device(d))];
    return Promise.all(ids.map(async (workflowId) => ({ workflowId, history: await this.client.workflow.getHandle(workflowId).fetchHistory() })));
  }

  /** The rollout's own child workflows that exist (their ids are numbered: plan-1…, devices-1…, wave-0…). */
  async rolloutChildren(changeWorkflowId: string): Promise<string[]> {
    const found: string[] = [];
    const exists = (id: string) => this.client.workflow.getHandle(id).describe().then(() => true, () => false);
    for (const kind of ['plan', 'devices', 'wave'] as const) {
      // Wave 0 is the canary: there only when the change has one.
      if (kind === 'wave' && (await exists(`${changeWorkflowId}/wave-0`))) found.push(`${changeWorkflowId}/wave-0`);
      for (let n = 1; await exists(`${changeWorkflowId}/${kind}-${n}`); n++) found.push(`${changeWorkflowId}/${kind}-${n}`);
    }
    return found;
  }

  async historyText(changeWorkflowId: string, devices: readonly string[]): Promise<string> {
    return (await this.histories(changeWorkflowId, devices)).map((h) => historyText(h.history)).join('\n');
  }

  async terminateLeftovers(): Promise<void> {
    const labDevices = this.#lab?.definition.devices.map((d) => d.name) ?? [...LAB_DEVICES];
    const ids = [...this.#startedChanges.splice(0), ...labDevices.map((d) => workflowIds.device(d))];
    // Whatever else still runs on this file's queue (device groups, waves, record workflows): the device locks are global.
    for await (const run of this.client.workflow.list({ query: `ExecutionStatus = "Running" AND TaskQueue = "${this.taskQueue}"` })) ids.push(run.workflowId);
    await Promise.all(
      ids.map(async (id) => {
        const handle = this.client.workflow.getHandle(id);
        const description = await handle.describe().catch(() => undefined);
        if (description?.status.name === 'RUNNING') await handle.terminate('test cleanup').catch(() => undefined);
      }),
    );
  }

  // ── Arranging and inspecting the lab, as an operator would with gnmic and the Infrahub UI. ──

  /** Puts a device's intended config in place behind the workflow's back (a neighbor that is already done). */
  async arrangeDeployed(...devices: string[]): Promise<void> {
    await Promise.all(
      devices.map((d) => this.lab.admin[d].set(deployOperations({ config: rendered(d, this.lab.definition) }))),
    );
  }

  runningConfig(device: string): unknown {
    return this.lab.devices.runningConfig(device);
  }

  async deploymentOf(device: string) {
    return (await this.lab.infrahub.getDevice(device)).deployment;
  }

  /** The change record of one device in one change, as Infrahub's GraphQL API serves it. */
  async changeRecord(changeId: string, device: string): Promise<ChangeRecordView | undefined> {
    const response = await fetch(`${this.lab.infrahubSim.address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-INFRAHUB-KEY': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({
        query: `query ($changeId: String!, $device: String!) {
          SynapseChangeRecord(change_id__value: $changeId, device__name__value: $device) {
            edges { node { change_kind { value } outcome { value } detail { value } diff_summary { value } backup_id { value } workflow_id { value } requester { value } ticket { value } } }
          }
        }`,
        variables: { changeId, device },
      }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: { SynapseChangeRecord: { edges: Array<{ node: Record<string, { value: string | null }> }> } } };
    if (body.errors || !body.data) throw new Error(`change record query failed: ${JSON.stringify(body.errors)}`);
    const edges = body.data.SynapseChangeRecord.edges;
    if (edges.length > 1) throw new Error(`${edges.length} change records for ${changeId} on ${device}; expected one`);
    const node = edges[0]?.node;
    if (!node) return undefined;
    return {
      kind: node.change_kind.value ?? undefined,
      ticket: node.ticket.value ?? undefined,
      outcome: node.outcome.value ?? undefined,
      detail: node.detail.value ?? undefined,
      diffSummary: node.diff_summary.value ?? undefined,
      backupId: node.backup_id.value ?? undefined,
      workflowId: node.workflow_id.value ?? undefined,
      requester: node.requester.value ?? undefined,
    };
  }

  /** Messages of the backup repository's commits that archived this device. */
  backupCommitMessages(device: LabDevice): string[] {
    const log = execFileSync('git', ['log', '--format=%B%x00', '--', `${device}.json`], { cwd: this.lab.backupDir, encoding: 'utf8' });
    return log.split('\0').map((m) => m.trim()).filter(Boolean);
  }

  /** An engineer changes an uplink's MTU in Infrahub: the next change has something to deploy. */
  async setIntendedMtu(device: string, itf: string, mtu: number): Promise<void> {
    const found = await this.graphql(`query { InterfacePhysical(name__value: "${itf}", device__name__value: "${device}") { edges { node { id } } } }`);
    const id = found.InterfacePhysical.edges[0].node.id as string;
    await this.graphql(`mutation { InterfacePhysicalUpdate(data: {id: "${id}", mtu: {value: ${mtu}}}) { ok } }`);
  }

  /** Infrahub's GraphQL API on its default branch, as its UI uses it; GraphQL errors throw. */
  async graphql(query: string): Promise<Record<string, any>> {
    const response = await fetch(`${this.lab.infrahubSim.address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-INFRAHUB-KEY': DEFAULT_LAB_API_TOKEN },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: Record<string, any> };
    if (body.errors || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** Waits until the device workflow's progress query shows it at `step` (or past the deadline). */
  async waitForStep(device: string, step: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      // Only a running device workflow is asked: the latest run may be an earlier test's, on a queue nobody polls any more.
      const handle = this.client.workflow.getHandle(workflowIds.device(device));
      const running = (await handle.describe().catch(() => undefined))?.status.name === 'RUNNING';
      const progress = running
        ? await handle.query<{ step: string }>('progress').catch((err: unknown) => ({ step: `(not queryable: ${String(err)})` }))
        : { step: '(no running device workflow yet)' };
      last = progress;
      if (progress.step === step) return;
      if (Date.now() > deadline) {
        const run = await this.client.workflow.getHandle(workflowIds.device(device)).describe().catch(() => undefined);
        const which = run ? `${run.status.name} on ${run.taskQueue}, change ${String(run.memo?.changeId)}, started ${run.startTime.toISOString()}` : 'no workflow';
        throw new Error(`${device} never reached ${step}: ${JSON.stringify(last)} (${workflowIds.device(device)}: ${which})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until the change's rollout progress satisfies `done` (e.g. its phase is awaiting-approval). */
  async waitForRollout(handle: WorkflowHandle, done: (progress: RolloutProgress) => boolean, timeoutMs = 30_000): Promise<RolloutProgress> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const progress = await handle.query<RolloutProgress>('progress');
      if (done(progress)) return progress;
      if (Date.now() > deadline) throw new Error(`the rollout never got there: ${JSON.stringify(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface ChangeRecordView {
  kind?: string;
  ticket?: string;
  outcome?: string;
  detail?: string;
  diffSummary?: string;
  backupId?: string;
  workflowId?: string;
  requester?: string;
}

/** A change request with test-sized settle times; each test overrides what it is about. */
export function changeRequest(overrides: Partial<ChangeRequestInput> = {}): ChangeRequestInput {
  return {
    changeId: `chg-${randomUUID().slice(0, 8)}`,
    devices: ['leaf01'],
    reason: 'underlay rollout',
    requester: 'jest',
    validation: { settleTimeoutSeconds: 5, commitConfirmed: true },
    // A lab: approval is waived unless a test is about it.
    approval: { required: false },
    ...overrides,
  };
}

export function rendered(device: string, lab: Lab = referenceLab()): ManagedConfig {
  return renderConfig(deviceIntent(lab, device));
}

/** A workflow's end: its result, or the failure it ended with. */
async function endOf<T>(handle: { result(): Promise<T> }): Promise<{ result?: T; failure?: WorkflowFailedError }> {
  try {
    return { result: await handle.result() };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { failure: err };
    throw err;
  }
}

function changeIdOf(request: unknown): string {
  const id = (request as { changeId?: unknown } | undefined)?.changeId;
  return typeof id === 'string' && id.length > 0 ? id : `malformed-${randomUUID().slice(0, 8)}`;
}

let bundle: Promise<WorkflowBundle> | undefined;
/** One bundle per Jest process: files run one after the other in it. */
export function sharedBundle(): Promise<WorkflowBundle> {
  return (bundle ??= bundleWorkflows({ quiet: true }));
}

/** The device directory of whichever lab the current test runs. */
function currentDirectory(lab: () => ScenarioLab): DeviceDirectory {
  const directory = () =>
    new StaticDeviceDirectory(Object.fromEntries(lab().devices.devices.map((d) => [d.name, { address: d.address }])), {
      transport: LAB_PLAINTEXT_TRANSPORT,
      timeoutMs: 3000,
    });
  return { resolve: (device) => directory().resolve(device), devices: () => directory().devices() };
}

function currentBackups(lab: () => ScenarioLab): BackupStore {
  return {
    writeBackup: (...args) => lab().backups.writeBackup(...args),
    archiveBackup: (...args) => lab().backups.archiveBackup(...args),
    readBackup: (...args) => lab().backups.readBackup(...args),
    writeOwnership: (...args) => lab().backups.writeOwnership(...args),
    readOwnership: (...args) => lab().backups.readOwnership(...args),
  };
}
