import {
  CancellationScope,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowIds, type ChangeKind } from '@synapse/contracts';

/**
 * One change per device at a time. The lock is the device workflow's id,
 * `device/<name>`: Temporal refuses to start a second workflow with the id of
 * a running one, atomically, with no lock table to keep in sync.
 *
 * Temporal's refusal does not say which change holds the device, and a
 * workflow cannot query or describe another one. So the refused change asks
 * the holder by signal and the holder answers by signal; the answer names
 * the change an operator should wait for. A holder that does not answer in
 * time (it just finished, or it is another kind of workflow) still gets
 * named by its workflow id.
 */

export interface LockHolder {
  device: string;
  changeId: string;
  /** An emergency is never pre-empted; anything else gives way to one. */
  kind: ChangeKind;
  workflowId: string;
  /** The NetworkChangeWorkflow that started the holder, when there is one. */
  parentWorkflowId?: string;
}

/** "Who holds this device?" sent to `device/<name>`; the answer goes to `replyTo`. */
export const identifyLockHolderSignal = defineSignal<[{ replyTo: string }]>('identifyLockHolder');
export const lockHolderSignal = defineSignal<[LockHolder]>('lockHolder');

/**
 * An emergency change taking the device: the holder rolls back what it
 * deployed, records that it was pre-empted (by whom, for which ticket) and
 * lets go of the lock. Only standard and drift-remediation changes listen.
 */
export interface PreemptNotice {
  changeId: string;
  workflowId: string;
  ticket: string;
  requester: string;
}
export const preemptSignal = defineSignal<[PreemptNotice]>('preempt');

/**
 * From an emergency to its device workflows: put the backup back now, not
 * when the time to live runs out. Carries the emergency's change id, so a
 * later holder of `device/<name>` ignores a late one.
 */
export const revertNowSignal = defineSignal<[{ changeId: string; by: string; reason: string }]>('revertNow');

/** How long a refused change waits for the holder to say who it is. */
const HOLDER_REPLY_TIMEOUT = '10 seconds';

/** In the device workflow: answer whoever asks who holds the device. */
export function answerLockHolderQuestions(holder: LockHolder): void {
  setHandler(identifyLockHolderSignal, async ({ replyTo }) => {
    try {
      await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(replyTo).signal(lockHolderSignal, holder));
    } catch {
      // The asker is gone; nobody is waiting for the answer.
    }
  });
}

/** In the change workflow: collects the holders' answers. */
export class LockHolders {
  readonly #answers = new Map<string, LockHolder>();

  constructor() {
    setHandler(lockHolderSignal, (holder) => {
      this.#answers.set(holder.device, holder);
    });
  }

  async whoHolds(device: string): Promise<LockHolder | undefined> {
    // Asked again later, the device may have a new holder: never answer with the last one.
    this.#answers.delete(device);
    try {
      await getExternalWorkflowHandle(workflowIds.device(device)).signal(identifyLockHolderSignal, { replyTo: workflowInfo().workflowId });
    } catch {
      // Not running any more: it finished between the refusal and the question.
      return undefined;
    }
    try {
      const answered = await condition(() => this.#answers.has(device), HOLDER_REPLY_TIMEOUT);
      return answered ? this.#answers.get(device) : undefined;
    } catch {
      // This change was cancelled while waiting; the reason will do without a name.
      return undefined;
    }
  }
}

/** The reason a device was skipped because another change holds it. */
export function busyReason(device: string, holder: LockHolder | undefined): string {
  const lock = workflowIds.device(device);
  if (!holder) {
    return `${device} is busy: workflow ${lock} is running another change (it did not say which); nothing was done to ${device}, run the change again once that one has finished`;
  }
  const startedBy = holder.parentWorkflowId ? `, started by ${holder.parentWorkflowId}` : '';
  return `${device} is busy with change ${holder.changeId} (workflow ${holder.workflowId}${startedBy}); nothing was done to ${device}, run this change again once ${holder.changeId} has finished`;
}

/** Who holds a device, in a few words for a rollout's progress ("change chg-1 (workflow change/chg-1)"). */
export function describeHolder(device: string, holder: LockHolder | undefined): string {
  if (!holder) return `workflow ${workflowIds.device(device)}`;
  return `change ${holder.changeId} (${holder.kind}, workflow ${holder.parentWorkflowId ?? holder.workflowId})`;
}
