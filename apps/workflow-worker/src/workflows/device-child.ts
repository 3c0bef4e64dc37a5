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
import { DeviceChangeResult, workflowIds, type ActivityRouting, type ChangeResult, type DeviceChangeInput } from '@synapse/contracts';
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
    if (err instanceof ChildWorkflowFailure && failureType(err) === 'RollbackFailed') {
      this.#rollbackFailedOn.add(device);
      return resultFromRollbackFailure(device, err);
    }
    // Anything else is a device workflow that failed without deciding its
    // own outcome (a bug, a timeout, a termination): say so plainly.
    return failedWithoutTouching(device, `the device workflow failed: ${operatorReason(err)}`);
  }

  /** Returns the result, or ends the change cancelled or failed as above, once every signal handler is done. */
  async finish(result: ChangeResult): Promise<ChangeResult> {
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (this.#cancellation !== undefined) throw this.#cancellation;
    if (this.#rollbackFailedOn.size > 0) {
      const failed = result.devices.map((d) => d.device).filter((d) => this.#rollbackFailedOn.has(d));
      throw ApplicationFailure.create({
        type: 'RollbackFailed',
        nonRetryable: true,
        message: `${this.what} ${result.changeId}: the rollback failed on ${failed.join(', ')}; those devices need an operator (see each device's reason)`,
        details: [result],
      });
    }
    return result;
  }
}

/** A device workflow whose rollback failed put its result in the failure's details; the parent reports that. */
function resultFromRollbackFailure(device: string, err: ChildWorkflowFailure): DeviceChangeResult {
  const cause = err.cause;
  const reported = cause instanceof ApplicationFailure ? DeviceChangeResult.safeParse(cause.details?.[0]) : undefined;
  if (reported?.success) return reported.data;
  return failedWithoutTouching(device, `ROLLBACK FAILED: ${operatorReason(err)}`);
}
