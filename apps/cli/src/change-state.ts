import { WorkflowFailedError, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
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
} from '@temporalio/common';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow';
import { ChangeProgress, ChangeRequest, ChangeResult, QUERIES, SEARCH_ATTRIBUTES, workflowIds } from '@synapse/contracts';
import { badInput, errorMessage, unavailable } from './cli-error';
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
  /** Temporal's execution status, lower case: running, completed, failed, terminated, … */
  status: string;
  startTime: string;
  closeTime?: string;
  taskQueue: string;
  requester?: string;
  devices: string[];
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

export const SEARCH_KEYS = {
  devices: defineSearchAttributeKey(SEARCH_ATTRIBUTES.devices.name, SearchAttributeType.KEYWORD_LIST),
  changeId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SearchAttributeType.KEYWORD),
  changeKind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SearchAttributeType.KEYWORD),
} as const;

/** How long one progress query may take: a change with no workflow worker polling would otherwise stall the watcher. */
const QUERY_TIMEOUT_MS = 5_000;

export function changeHandle(session: TemporalSession, changeId: string): WorkflowHandle {
  return session.client.workflow.getHandle(workflowIds.change(changeId));
}

/**
 * The latest run of the change: a standard change (`change/<id>`) or an
 * emergency (`emergency/<id>`), which share ids, progress and results. An
 * unknown id is the operator's input error, said in those words.
 */
export async function describeChange(session: TemporalSession, changeId: string): Promise<{ handle: WorkflowHandle; summary: ChangeSummary }> {
  const candidates = [changeHandle(session, changeId), session.client.workflow.getHandle(workflowIds.emergency(changeId))];
  for (const handle of candidates) {
    try {
      return { handle, summary: summarizeExecution(await handle.describe()) };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw unavailable(`could not describe change ${changeId}: ${errorMessage(err)}`, err);
    }
  }
  const tried = candidates.map((h) => h.workflowId).join(' or ');
  throw badInput(`unknown change id "${changeId}": no workflow ${tried} in namespace "${session.namespace}" at ${session.address}`);
}

export function summarizeExecution(info: Omit<WorkflowExecutionInfo, 'raw'>): ChangeSummary {
  const attributes = info.typedSearchAttributes;
  return {
    changeId: attributes.get(SEARCH_KEYS.changeId) ?? info.workflowId.replace(/^(change|emergency)\//, ''),
    workflowId: info.workflowId,
    runId: info.runId,
    status: info.status.name.toLowerCase(),
    startTime: info.startTime.toISOString(),
    ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
    taskQueue: info.taskQueue,
    ...(attributes.get(SEARCH_KEYS.requester) ? { requester: attributes.get(SEARCH_KEYS.requester) } : {}),
    devices: attributes.get(SEARCH_KEYS.devices) ?? [],
  };
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

/** The workflow's `progress` query, checked against the contract. Throws with the reason when it cannot be had (yet). */
export async function queryProgress(session: TemporalSession, handle: WorkflowHandle, timeoutMs = QUERY_TIMEOUT_MS): Promise<ChangeProgress> {
  const value = await session.connection.withDeadline(Date.now() + timeoutMs, () => handle.query<unknown>(QUERIES.progress));
  const parsed = ChangeProgress.safeParse(value);
  if (!parsed.success) throw new Error(`progress in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
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

/** Exit code of a closed change: succeeded (or a dry run) is 0, anything else 1. */
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

/**
 * The request the change was started with: the first event's input. One
 * event is fetched, not the history, which for a fleet-wide change is long.
 * Undefined when it is not a ChangeRequest (another version of the workflow).
 */
export async function readChangeRequest(session: TemporalSession, summary: ChangeSummary): Promise<ChangeRequest | undefined> {
  try {
    const response = await session.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      session.connection.workflowService.getWorkflowExecutionHistory({
        namespace: session.namespace,
        execution: { workflowId: summary.workflowId, runId: summary.runId },
        maximumPageSize: 1,
      }),
    );
    const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return undefined;
    // Through the codec: with payload encryption on, the request is ciphertext until decoded with the key.
    const parsed = ChangeRequest.safeParse(await decodeOptionalSinglePayload(session.client.options.loadedDataConverter, payload));
    return parsed.success ? parsed.data : undefined;
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
