import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowNotFoundError,
  type Payload,
} from '@temporalio/common';
import {
  ChangeId,
  ChangeListMemo,
  ChangeProgress,
  ChangeRequest,
  ChangeResult,
  DeviceChangeResult,
  DevicePlan,
  DeviceProgress,
  EmergencyChangeRequest,
  QUERIES,
  RolloutProgress,
  SEARCH_ATTRIBUTES,
  UPDATES,
  WORKFLOW_TYPES,
  workflowIds,
  mapWithConcurrency,
} from '@synapse/contracts';
import { z } from 'zod';
import { badInput, errorMessage, unavailable } from './cli-error';
import { decodePayload, describeExecution, listExecutions } from './executions';
import type { TemporalSession } from './temporal';

/**
 * What the CLI knows about one change, read from Temporal: the workflow's
 * execution info plus, depending on where it is, its progress, its result
 * or its failure. Commands render this; they do not talk to Temporal about
 * a change in any other way.
 */
export interface ChangeSummary {
  changeId: string;
  workflowId: string;
  runId: string;
  /** NetworkChangeWorkflow (a rollout) or EmergencyChangeWorkflow. */
  workflowType: string;
  /** standard, drift-remediation or emergency (SynapseChangeKind). */
  kind?: string;
  /** Temporal's execution status, lower case: running, completed, failed, terminated, … */
  status: string;
  /** How the change ended (SynapseOutcome): succeeded, stopped, rejected, rollback-failed, cancelled, … */
  outcome?: string;
  startTime: string;
  closeTime?: string;
  taskQueue: string;
  requester?: string;
  /** From the change's list memo (contracts' ChangeListMemo): the first devices and how many, the ticket, the one-line summary once ended. */
  devices?: string;
  deviceCount?: number;
  ticket?: string;
  summary?: string;
}

export interface FailureSummary {
  /** The most specific type: the innermost application failure (e.g. IntentNotFound), else Terminated, Cancelled, Timeout… */
  type: string;
  message: string;
  /** The whole chain, outermost first, for when the specific one is not enough. */
  chain: { type: string; message: string }[];
  /**
   * A change can fail and still have per-device results (a failed rollback
   * fails the whole change, with the result in the failure's details): the
   * operator needs those too, most of all then.
   */
  result?: ChangeResult;
}

export type ChangeOutcome =
  | { kind: 'completed'; result: ChangeResult }
  /** Completed with something that is not a ChangeResult: another version of the workflow, or not ours. */
  | { kind: 'unexpected-result'; value: unknown; problem: string }
  | { kind: 'failed'; failure: FailureSummary };

/** One device's runbook position, from its own workflow (`device/<name>`), or why it could not be read. */
export interface DeviceStepState {
  device: string;
  progress?: DeviceProgress;
  problem?: string;
}

/**
 * Where a running change is. A rollout (NetworkChangeWorkflow) answers with
 * its phase, approval and waves, and the devices of its running wave with
 * their steps; an emergency with its devices, each with its step.
 */
export type LiveState =
  | { kind: 'rollout'; progress: RolloutProgress; steps: DeviceStepState[] }
  | { kind: 'devices'; progress: ChangeProgress };

export const SEARCH_KEYS = {
  devices: defineSearchAttributeKey(SEARCH_ATTRIBUTES.devices.name, SearchAttributeType.KEYWORD_LIST),
  changeId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SearchAttributeType.KEYWORD),
  changeKind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey(SEARCH_ATTRIBUTES.outcome.name, SearchAttributeType.KEYWORD),
} as const;

/** The rollout's `plan` query (NetworkChangeWorkflow): what the approver approves. */
export const PLAN_QUERY = QUERIES.plan;

/** How long one query may take: a change with no workflow worker polling would otherwise stall the watcher. */
const QUERY_TIMEOUT_MS = 5_000;
/** How long an Update may wait for a workflow worker to take it. */
const UPDATE_TIMEOUT_MS = 15_000;
/** Device workflows asked for their step per look: the running wave's, never the fleet. */
export const MAX_DEVICE_QUERIES = 50;
const DEVICE_QUERY_CONCURRENCY = 10;

/** `chg-1`, `change/chg-1` or `emergency/em-1`: the change id and, when the workflow id says so, which workflow. */
export function parseChangeRef(ref: string): { changeId: string; only?: 'change' | 'emergency' } {
  const match = /^(change|emergency)\/(.+)$/.exec(ref.trim());
  if (match) return { changeId: match[2], only: match[1] as 'change' | 'emergency' };
  return { changeId: ref.trim() };
}

/**
 * The latest run of the change: a standard change (`change/<id>`) or an
 * emergency (`emergency/<id>`), which share ids and results. An unknown id
 * is the operator's input error, said in those words.
 */
export async function describeChange(session: TemporalSession, ref: string): Promise<{ handle: WorkflowHandle; summary: ChangeSummary }> {
  const { changeId, only } = parseChangeRef(ref);
  const ids = [...(only !== 'emergency' ? [workflowIds.change(changeId)] : []), ...(only !== 'change' ? [workflowIds.emergency(changeId)] : [])];
  for (const id of ids) {
    const handle = session.client.workflow.getHandle(id);
    try {
      return { handle, summary: summarizeExecution((await describeExecution(session, id)).info) };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw unavailable(`could not describe change ${changeId}: ${errorMessage(err)}`, err);
    }
  }
  throw badInput(`unknown change id "${changeId}": no workflow ${ids.join(' or ')} in namespace "${session.namespace}" at ${session.address}`);
}

export function summarizeExecution(info: Omit<WorkflowExecutionInfo, 'raw'>): ChangeSummary {
  const attributes = info.typedSearchAttributes;
  const kind = attributes.get(SEARCH_KEYS.changeKind);
  const requester = attributes.get(SEARCH_KEYS.requester);
  const outcome = attributes.get(SEARCH_KEYS.outcome);
  return {
    changeId: attributes.get(SEARCH_KEYS.changeId) ?? info.workflowId.replace(/^(change|emergency|drift)\//, ''),
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.type,
    ...(kind ? { kind } : {}),
    status: info.status.name.toLowerCase(),
    ...(outcome ? { outcome } : {}),
    startTime: info.startTime.toISOString(),
    ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
    taskQueue: info.taskQueue,
    ...(requester ? { requester } : {}),
    ...listMemo(info.memo),
  };
}

/** A change started before the list memo existed has none: its columns stay empty. */
function listMemo(memo: Record<string, unknown> | undefined): Pick<ChangeSummary, 'devices' | 'deviceCount' | 'ticket' | 'summary'> {
  const parsed = ChangeListMemo.partial().safeParse(memo ?? {});
  if (!parsed.success) return {};
  const { devices, deviceCount, ticket, summary } = parsed.data;
  return { ...(devices !== undefined ? { devices } : {}), ...(deviceCount !== undefined ? { deviceCount } : {}), ...(ticket ? { ticket } : {}), ...(summary ? { summary } : {}) };
}

export function isRollout(summary: Pick<ChangeSummary, 'workflowType'>): boolean {
  return summary.workflowType === WORKFLOW_TYPES.networkChange;
}

/** Waits for the change to close. Never rejects for the change's own failure: that is an outcome. */
export async function awaitOutcome(handle: WorkflowHandle): Promise<ChangeOutcome> {
  let value: unknown;
  try {
    value = await handle.result();
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { kind: 'failed', failure: summarizeFailure(err) };
    throw unavailable(`lost track of ${handle.workflowId}: ${errorMessage(err)}`, err);
  }
  const parsed = ChangeResult.safeParse(value);
  if (parsed.success) return { kind: 'completed', result: parsed.data };
  return { kind: 'unexpected-result', value, problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

/** A query checked against its contract. Throws with the reason when it cannot be had (yet). */
async function query<S extends z.ZodType>(session: TemporalSession, handle: WorkflowHandle, name: string, schema: S, timeoutMs: number): Promise<z.infer<S>> {
  const value = await session.connection.withDeadline(Date.now() + timeoutMs, () => handle.query<unknown>(name));
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${name} in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The rollout's `progress` query: phase, approval, waves, locks, notes. */
export function queryRolloutProgress(session: TemporalSession, handle: WorkflowHandle, timeoutMs = QUERY_TIMEOUT_MS): Promise<RolloutProgress> {
  return query(session, handle, QUERIES.progress, RolloutProgress, timeoutMs);
}

/** The rollout's `plan` query: per device what it will do, its wave, what is down already. */
export function queryPlan(session: TemporalSession, handle: WorkflowHandle, timeoutMs = QUERY_TIMEOUT_MS): Promise<DevicePlan[]> {
  return query(session, handle, PLAN_QUERY, z.array(DevicePlan), timeoutMs);
}

/**
 * Where the change is now. For a rollout, the steps of the running wave's
 * devices (at most MAX_DEVICE_QUERIES) from their own workflows; for an
 * emergency, whose progress only learns each device's end, the steps of
 * the devices still going.
 */
export async function readLiveState(session: TemporalSession, handle: WorkflowHandle, summary: Pick<ChangeSummary, 'workflowType'>, steps: DeviceStepReader, timeoutMs = QUERY_TIMEOUT_MS): Promise<LiveState> {
  if (isRollout(summary)) {
    const progress = await queryRolloutProgress(session, handle, timeoutMs);
    const wave = progress.waves.find((w) => w.index === progress.currentWave && w.state === 'running');
    return { kind: 'rollout', progress, steps: wave ? await steps.read(wave.devices) : [] };
  }
  const progress = await query(session, handle, QUERIES.progress, ChangeProgress, timeoutMs);
  const going = progress.devices.filter((d) => d.state === 'pending' || d.state === 'running').map((d) => d.device);
  const read = new Map((await steps.read(going)).flatMap((s) => (s.progress ? [[s.device, s.progress] as const] : [])));
  return { kind: 'devices', progress: { ...progress, devices: progress.devices.map((d) => read.get(d.device) ?? d) } };
}

/**
 * Reads device workflows' `progress` for one change. `device/<name>` is the
 * device's lock, so its latest run may be another change's: each device's
 * run is checked once (SynapseChangeId) and then queried by run id.
 */
export class DeviceStepReader {
  readonly #runs = new Map<string, string>();

  constructor(
    private readonly session: TemporalSession,
    private readonly changeId: string,
  ) {}

  async read(devices: readonly string[]): Promise<DeviceStepState[]> {
    return mapWithConcurrency(devices.slice(0, MAX_DEVICE_QUERIES), DEVICE_QUERY_CONCURRENCY, (device) => this.#readOne(device));
  }

  async #readOne(device: string): Promise<DeviceStepState> {
    const workflowId = workflowIds.device(device);
    try {
      let runId = this.#runs.get(device);
      if (!runId) {
        const { info } = await this.session.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => describeExecution(this.session, workflowId));
        const holder = info.typedSearchAttributes.get(SEARCH_KEYS.changeId);
        if (holder !== this.changeId) return { device, problem: holder ? `${workflowId} is change ${holder}'s` : `${workflowId} not started yet` };
        runId = info.runId;
        this.#runs.set(device, runId);
      }
      const handle = this.session.client.workflow.getHandle(workflowId, runId);
      const progress = await query(this.session, handle, QUERIES.progress, DeviceProgress, QUERY_TIMEOUT_MS);
      if (!progress.step.startsWith('validate-') || progress.state !== 'running') return { device, progress };
      // A validation says what it still waits for in its heartbeat: the sessions and interfaces not there yet.
      const waitingFor = await validationHeartbeat(this.session, workflowId, runId);
      return { device, progress: waitingFor ? { ...progress, detail: [waitingFor, progress.detail].filter(Boolean).join('; ') } : progress };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { device, problem: `${workflowId} not started yet` };
      return { device, problem: firstLine(errorMessage(err)) };
    }
  }
}

/** A finished device workflow of the change: its validations and step timings (the change's result keeps only outcomes). */
export interface DeviceDetails {
  device: string;
  workflowId: string;
  runId: string;
  validation: DeviceChangeResult['validation'];
  timings: DeviceChangeResult['timings'];
}

/**
 * The device workflows this change ran (its SynapseChangeId), at most
 * MAX_DEVICE_QUERIES, each run's own result: `device/<name>` may since have
 * run for another change, so the run is the one the list names. Those not
 * finished or not readable are left out; the change's result still lists them.
 */
export async function readDeviceDetails(session: TemporalSession, changeId: string): Promise<DeviceDetails[]> {
  // The id passed the ChangeId schema when the change started: no quote can be in it.
  if (!ChangeId.safeParse(changeId).success) return [];
  const query = `WorkflowType = '${WORKFLOW_TYPES.deviceChange}' AND ${SEARCH_ATTRIBUTES.changeId.name} = '${changeId}' AND ExecutionStatus != 'Running'`;
  const runs: { workflowId: string; runId: string }[] = [];
  try {
    for await (const info of listExecutions(session, query, MAX_DEVICE_QUERIES)) {
      runs.push({ workflowId: info.workflowId, runId: info.runId });
      if (runs.length >= MAX_DEVICE_QUERIES) break;
    }
  } catch {
    return [];
  }
  const read = await mapWithConcurrency(runs, DEVICE_QUERY_CONCURRENCY, async ({ workflowId, runId }) => {
    try {
      const value = await session.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => session.client.workflow.getHandle(workflowId, runId).result());
      const parsed = DeviceChangeResult.safeParse(value);
      return parsed.success ? [{ device: parsed.data.device, workflowId, runId, validation: parsed.data.validation, timings: parsed.data.timings }] : [];
    } catch {
      // A device workflow that failed has no result to read: the change's result says why.
      return [];
    }
  });
  return read.flat().sort((a, b) => a.device.localeCompare(b.device));
}

/** What the device worker's state watch heartbeats (apps/device-worker state-watch.ts). */
const ValidationHeartbeat = z.object({
  satisfied: z.number(),
  total: z.number(),
  pending: z.array(z.string()),
  elapsedMs: z.number().optional(),
});

/** "1/2 up; not yet: neighbor 10.0.0.1": from the running validation activity's last heartbeat, when there is one. */
async function validationHeartbeat(session: TemporalSession, workflowId: string, runId: string): Promise<string | undefined> {
  try {
    const { raw } = await session.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => describeExecution(session, workflowId, runId));
    const payload = raw.pendingActivities?.find((a) => /^validate/.test(a.activityType?.name ?? ''))?.heartbeatDetails?.payloads?.[0];
    if (!payload) return undefined;
    const beat = ValidationHeartbeat.safeParse(await decodePayload(session, payload as Payload));
    if (!beat.success) return undefined;
    const { satisfied, total, pending } = beat.data;
    return `${satisfied}/${total} as expected${pending.length > 0 ? `; not yet: ${pending.join(', ')}` : ''}`;
  } catch {
    // DETAIL is a hint for the person watching; the step itself is what counts.
    return undefined;
  }
}

export type OperatorUpdate = (typeof UPDATES)[keyof typeof UPDATES];

/**
 * Runs one of the rollout's Updates (approve, reject, pause, resume, abort).
 * The workflow's validator refusing it (self-approval, not awaiting approval,
 * not paused, …) is bad input, in the validator's own words; nothing was done.
 */
export async function runUpdate(session: TemporalSession, handle: WorkflowHandle, update: OperatorUpdate, arg: unknown): Promise<RolloutProgress> {
  const value = await executeUpdate(session, handle, update, arg);
  const parsed = RolloutProgress.safeParse(value);
  if (!parsed.success) throw unavailable(`${update} of ${handle.workflowId} answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Any operator Update (a rollout's, an emergency's revertNow): a refusal is bad input in the workflow's words. */
export async function executeUpdate(session: TemporalSession, handle: WorkflowHandle, update: string, arg: unknown): Promise<unknown> {
  let value: unknown;
  try {
    value = await session.connection.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () => handle.executeUpdate<unknown, [unknown]>(update, { args: [arg] }));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw badInput(`${update} refused: ${refusalMessage(err)}`);
    if (err instanceof WorkflowNotFoundError || /already completed|not found/i.test(errorMessage(err))) {
      throw badInput(`${update} refused: ${handle.workflowId} is not running any more`);
    }
    if (/deadline/i.test(errorMessage(err))) {
      throw unavailable(
        `no workflow worker took the ${update} of ${handle.workflowId} within ${UPDATE_TIMEOUT_MS / 1000} s (is a workflow worker polling its task queue?); it may still be applied once one does: check with synapse change show`,
        err,
      );
    }
    throw unavailable(`could not ${update} ${handle.workflowId}: ${errorMessage(err)}`, err);
  }
  return value;
}

function refusalMessage(err: WorkflowUpdateFailedError): string {
  // The validator's message is the innermost failure's; the outer ones only say "update failed".
  let message = err.message;
  for (let cause: unknown = err.cause, depth = 0; cause instanceof Error && depth < 10; cause = cause.cause, depth++) message = cause.message;
  return message;
}

/** The outcome as `--json` prints it. */
export function outcomeJson(outcome: ChangeOutcome) {
  switch (outcome.kind) {
    case 'completed':
      return { status: 'completed', result: outcome.result };
    case 'failed':
      return { status: 'failed', failure: outcome.failure };
    case 'unexpected-result':
      return { status: 'completed', result: outcome.value, resultProblem: outcome.problem };
  }
}

/** Exit code of a closed change: succeeded (or a dry run) is 0, anything else (stopped, rejected, expired, aborted, …) 1. */
export function outcomeSucceeded(outcome: ChangeOutcome): boolean {
  return outcome.kind === 'completed' && (outcome.result.outcome === 'succeeded' || outcome.result.outcome === 'dry-run');
}

export function summarizeFailure(err: WorkflowFailedError): FailureSummary {
  const chain: { type: string; message: string }[] = [];
  let specific: { type: string; message: string } | undefined;
  for (let cause: unknown = err.cause, depth = 0; cause instanceof Error && depth < 20; cause = cause.cause, depth++) {
    const entry = { type: failureType(cause), message: cause.message };
    chain.push(entry);
    if (cause instanceof ApplicationFailure || cause instanceof TerminatedFailure || cause instanceof CancelledFailure || cause instanceof TimeoutFailure) {
      specific = entry;
    }
  }
  const chosen = specific ?? chain[0] ?? { type: 'WorkflowFailed', message: err.message };
  const result = resultInDetails(err.cause);
  return { ...chosen, chain, ...(result ? { result } : {}) };
}

function resultInDetails(failure: unknown): ChangeResult | undefined {
  for (let cause = failure, depth = 0; cause instanceof Error && depth < 20; cause = cause.cause, depth++) {
    if (!(cause instanceof ApplicationFailure)) continue;
    for (const detail of cause.details ?? []) {
      const parsed = ChangeResult.safeParse(detail);
      if (parsed.success) return parsed.data;
    }
  }
  return undefined;
}

/** The request a change was started with, as `show` prints it: a rollout's or an emergency's. */
export type StartedRequest = { kind: 'change'; request: ChangeRequest } | { kind: 'emergency'; request: EmergencyChangeRequest };

/**
 * The request the change was started with: the first event's input. One
 * event is fetched, not the history, which for a fleet-wide change is long.
 * Undefined when it is not the request its workflow takes (another version).
 */
export async function readChangeRequest(session: TemporalSession, summary: ChangeSummary): Promise<StartedRequest | undefined> {
  const input = await readStartInput(session, summary.workflowId, summary.runId);
  if (summary.workflowType === WORKFLOW_TYPES.emergencyChange) {
    const parsed = EmergencyChangeRequest.safeParse(input);
    return parsed.success ? { kind: 'emergency', request: parsed.data } : undefined;
  }
  const parsed = ChangeRequest.safeParse(input);
  return parsed.success ? { kind: 'change', request: parsed.data } : undefined;
}

/** A workflow's first argument, decoded through the client's codecs (with payload encryption on, it is ciphertext until then). */
export async function readStartInput(session: TemporalSession, workflowId: string, runId: string): Promise<unknown> {
  try {
    const response = await session.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      session.connection.workflowService.getWorkflowExecutionHistory({ namespace: session.namespace, execution: { workflowId, runId }, maximumPageSize: 1 }),
    );
    const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return undefined;
    return await decodePayload(session, payload as Payload);
  } catch {
    // The request is context for a human; the change's state is what show is for.
    return undefined;
  }
}

function failureType(failure: Error): string {
  if (failure instanceof ApplicationFailure) return failure.type ?? 'ApplicationFailure';
  if (failure instanceof TerminatedFailure) return 'Terminated';
  if (failure instanceof CancelledFailure) return 'Cancelled';
  if (failure instanceof TimeoutFailure) return `Timeout(${failure.timeoutType ?? 'unknown'})`;
  if (failure instanceof ActivityFailure) return `ActivityFailure(${failure.activityType})`;
  if (failure instanceof ChildWorkflowFailure) return `ChildWorkflowFailure(${failure.execution.workflowId})`;
  return failure.name;
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}
