import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  condition,
  isCancellation,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { DeviceChangeResult, summarizeDeviceResult, workflowIds, type ActivityRouting, type ChangeResult, type DeviceChangeInput } from '@synapse/contracts';
import { DeviceChangeWorkflow } from './device-change';
import { failureType, operatorReason } from './failures';
import type { ChangeProgressBoard } from './progress';
import { changeSearchAttributes } from './search-attributes';

/**
 * What the workflows that start DeviceChangeWorkflow children (a standard
 * change, a drift run, an emergency) share about those children.
 */

/**
 * Starts the device's part of a change under its lock id `device/<name>`.
 * Cancelling or terminating the parent reaches the device workflow, and the
 * parent waits until it has rolled back. Throws
 * WorkflowExecutionAlreadyStartedError when another change holds the device.
 */
export function startDeviceChange(input: DeviceChangeInput, routing: ActivityRouting, memo: Record<string, unknown> = {}) {
  return startChild(DeviceChangeWorkflow, {
    workflowId: workflowIds.device(input.device),
    args: [input, routing],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    typedSearchAttributes: changeSearchAttributes({ devices: [input.device], changeId: input.changeId, kind: input.kind, requester: input.requester }),
    memo: { changeId: input.changeId, parentWorkflowId: workflowInfo().workflowId, ...memo },
  });
}

/** The device's lock is held: Temporal refused to start a second `device/<name>`. */
export function isAlreadyStarted(err: unknown): boolean {
  return err instanceof WorkflowExecutionAlreadyStartedError || (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError');
}

export function failedWithoutTouching(device: string, reason: string): DeviceChangeResult {
  return { device, outcome: 'failed', reason, validation: {}, timings: [] };
}

/**
 * How a change over many devices ends when some of its device workflows did
 * not simply return: a cancelled change ends cancelled (after every device
 * has rolled back and said so), and a device whose rollback failed makes the
 * whole change fail with RollbackFailed, its result in the failure's details,
 * because nobody should read that as merely "partially failed".
 */
export class DeviceChildOutcomes {
  #cancellation: unknown;
  readonly #rollbackFailedOn = new Set<string>();

  constructor(
    private readonly progress: ChangeProgressBoard,
    /** "change" or "emergency change", for the reasons. */
    private readonly what: string,
  ) {}

  cancelled(err: unknown): void {
    this.#cancellation ??= err;
  }

  /** The device's result when its workflow failed instead of returning one. */
  failed(device: string, err: unknown): DeviceChangeResult {
    if (isCancellation(err)) {
      this.cancelled(err);
      // A device workflow that was cancelled rolled back (or had not
      // deployed yet) and recorded that in Infrahub; its last progress
      // report, which reaches the parent before its end does, says which.
      const last = this.progress.device(device);
      if (err instanceof ChildWorkflowFailure && last?.step === 'done') {
        // Only an emergency's revert ends "succeeded" on a cancel: the backup is back.
        const outcome = last.state === 'rolled-back' ? 'rolled-back' : last.state === 'succeeded' ? 'reverted' : 'failed';
        return { device, outcome, reason: `${this.what} cancelled: ${last.detail ?? 'see ' + workflowIds.device(device)}`, validation: {}, timings: last.steps };
      }
      return failedWithoutTouching(device, `${this.what} cancelled before this device started; nothing was done to it`);
    }
    this.#rollbackFailedOn.add(device);
    if (err instanceof ChildWorkflowFailure && failureType(err) === 'RollbackFailed') return resultFromRollbackFailure(device, err);
    // Anything else is a device workflow that ended without deciding its own
    // outcome (terminated, timed out, a bug): it may have deployed and not
    // rolled back, so it is escalated like a failed rollback, never "nothing was done".
    return {
      device,
      outcome: 'failed',
      reason: `the device workflow ${workflowIds.device(device)} ended without an outcome (${operatorReason(err)}): ${device} may run a partial config; compare it with its last backup and restore by hand if needed`,
      validation: {},
      timings: [],
    };
  }

  /** Returns the result, or ends the change cancelled or failed as above, once every signal handler is done. */
  async finish(result: ChangeResult): Promise<ChangeResult> {
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (this.#cancellation !== undefined) throw this.#cancellation;
    if (this.#rollbackFailedOn.size > 0) {
      const failed = result.devices.map((d) => d.device).filter((d) => this.#rollbackFailedOn.has(d));
      throw rollbackFailedFailure(this.what, result, failed);
    }
    return result;
  }
}

/** A change over several devices ends failed, loudly, when any device is left in an unknown state; its result rides in the details. */
export function rollbackFailedFailure(what: string, result: ChangeResult, devices: readonly string[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'RollbackFailed',
    nonRetryable: true,
    message: `${what} ${result.changeId}: the rollback failed or the device workflow ended without an outcome on ${devices.join(', ')}; those devices need an operator (see each device's reason)`,
    details: [result],
  });
}

/** A change's bounded result from its devices' results: counts and one short summary per device. */
export function summarizeChange(changeId: string, outcome: ChangeResult['outcome'], devices: readonly DeviceChangeResult[], extra: Partial<ChangeResult> = {}): ChangeResult {
  const counts: Record<string, number> = {};
  for (const d of devices) counts[d.outcome] = (counts[d.outcome] ?? 0) + 1;
  return { changeId, outcome, counts, devices: devices.map((d) => summarizeDeviceResult(d)), waves: [], notes: [], ...extra };
}

/** A device workflow whose rollback failed put its result in the failure's details; the parent reports that. */
function resultFromRollbackFailure(device: string, err: ChildWorkflowFailure): DeviceChangeResult {
  const cause = err.cause;
  const reported = cause instanceof ApplicationFailure ? DeviceChangeResult.safeParse(cause.details?.[0]) : undefined;
  if (reported?.success) return reported.data;
  return failedWithoutTouching(device, `ROLLBACK FAILED: ${operatorReason(err)}`);
}
