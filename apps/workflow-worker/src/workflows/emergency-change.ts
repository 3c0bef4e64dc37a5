import {
  defineUpdate,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  setWorkflowOptions,
} from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import {
  EmergencyChangeRequest,
  EMERGENCY_UPDATES,
  RevertNowRequest,
  workflowIds,
  type RevertNowAnswer,
  type RevertNowRequestInput,
  type ChangeResult,
  type DeviceChangeInput,
  type DeviceChangeResult,
  type EmergencyChangeRequestInput,
  DEFAULT_DELETION_BUDGET,
  changeListSummary,
  listedOutcome,
  mapWithConcurrency,
} from '@synapse/contracts';
import { ActivityRouting, type ActivityRoutingInput } from './activities';
import { DeviceChildOutcomes, failedWithoutTouching, isAlreadyStarted, startDeviceChange, summarizeChange } from './device-child';
import { LockHolders, preemptSignal, revertNowSignal, type LockHolder, type PreemptNotice } from './device-lock';
import { parseWorkflowInput } from './failures';
import { ChangeProgressBoard, changeProgressQuery, deviceProgressSignal } from './progress';
import { changeSearchAttributes, memoForList, memoSummaryForList, outcomeSearchAttribute } from './search-attributes';

export const revertNowUpdate = defineUpdate<RevertNowAnswer, [RevertNowRequestInput]>(EMERGENCY_UPDATES.revertNow);

/** How often a pre-empting emergency tries the device's lock again while the standard change rolls back. */
const LOCK_RETRY_INTERVAL = '1 second';

/**
 * An emergency change, as the incident runbook has it:
 *
 *   1 refuse it without a reason, a ticket and an operator
 *   2 per device, take the device: a standard (or drift) change running on
 *     it is pre-empted: it stops, rolls back what it deployed, records that
 *     it was pre-empted, and lets go of `device/<name>`
 *   3 the device's change under that lock (DeviceChangeWorkflow, kind
 *     emergency): back up, deploy the patch or the intent, validate
 *     interfaces and BGP with a short settle time, roll back on failure,
 *     record `needs-reconciliation` and a change record of kind emergency
 *   4 with a time to live, put the backup back once it has run out, or
 *     at once when an operator says so (the revertNow Update)
 *
 * One emergency never pre-empts another: the second is refused for that
 * device, naming the first. The result has one DeviceChangeResult per
 * device; `preempted` names the change it took the device from.
 */
export async function EmergencyChangeWorkflow(rawRequest: EmergencyChangeRequestInput, rawRouting: ActivityRoutingInput = {}): Promise<ChangeResult> {
  const request = parseWorkflowInput(EmergencyChangeRequest, rawRequest, 'EmergencyChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'EmergencyChangeWorkflow routing');
  const { changeId, devices, source } = request;
  const { workflowId } = workflowInfo();

  upsertSearchAttributes(changeSearchAttributes({ changeId, kind: 'emergency', requester: request.requester }));
  memoForList(request);
  const progress = new ChangeProgressBoard(changeId, devices);
  setHandler(changeProgressQuery, () => progress.snapshot());
  setHandler(deviceProgressSignal, (report) => progress.report(report));
  const lockHolders = new LockHolders();
  const notice: PreemptNotice = { changeId, workflowId, ticket: request.ticket, requester: request.requester };

  const children = new DeviceChildOutcomes(progress, 'emergency change');

  // 4. Revert now: every device child still running is told; one started later is told as it starts.
  let revertRequest: RevertNowRequest | undefined;
  /** Devices whose child runs now; and those not yet settled (some may still wait for their lock). */
  const running = new Set<string>();
  const unsettled = new Set(devices);
  const tellToRevert = async (device: string) => {
    if (!revertRequest) return;
    try {
      await getExternalWorkflowHandle(workflowIds.device(device)).signal(revertNowSignal, { changeId, ...revertRequest });
    } catch {
      // It ended meanwhile: its own outcome stands.
    }
  };
  setHandler(
    revertNowUpdate,
    async (raw) => {
      revertRequest ??= RevertNowRequest.parse(raw);
      await Promise.all([...running].map(tellToRevert));
      return { changeId, devices: [...unsettled] };
    },
    {
      validator: (raw) => {
        const parsed = RevertNowRequest.safeParse(raw);
        if (!parsed.success) throw new Error(`revert refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
        if (request.revertAfterSeconds === undefined) {
          throw new Error(`emergency ${changeId} has no time to live (--revert-after): its change is meant to stay; to roll it back while it runs: synapse change cancel ${changeId}`);
        }
        if (unsettled.size === 0) throw new Error(`emergency ${changeId} has no device left to revert: each has ended (see synapse change show ${changeId})`);
      },
    },
  );
  const results = await mapWithConcurrency(devices, request.concurrency, async (device) => {
    const result = await changeDevice(device);
    unsettled.delete(device);
    progress.settle(result);
    return result;
  });

  const succeeded = results.filter((r) => r.outcome === 'deployed' || r.outcome === 'reverted' || r.outcome === 'in-sync').length;
  const outcome: ChangeResult['outcome'] = succeeded === results.length ? 'succeeded' : succeeded === 0 ? 'failed' : 'partially-failed';
  const result = summarizeChange(changeId, outcome, results);
  upsertSearchAttributes(outcomeSearchAttribute(listedOutcome(result)));
  memoSummaryForList(changeListSummary(result));
  return children.finish(result);

  async function changeDevice(device: string): Promise<DeviceChangeResult> {
    const input: DeviceChangeInput = {
      changeId,
      kind: 'emergency',
      device,
      reason: request.reason,
      requester: request.requester,
      ticket: request.ticket,
      ...(source.kind === 'intent' && source.branch ? { branch: source.branch } : {}),
      ...(source.kind === 'patch' ? { patch: source.patch } : {}),
      ...(request.revertAfterSeconds !== undefined ? { revertAfterSeconds: request.revertAfterSeconds } : {}),
      dryRun: false,
      member: false,
      validation: request.validation,
      // An emergency from the intent may put right what drifted, but not delete much: that waits for a planned change.
      deletionBudget: DEFAULT_DELETION_BUDGET,
    };
    // Workflow time: deterministic on replay.
    const giveUpAt = Date.now() + request.preemptTimeoutSeconds * 1000;
    let preempted: LockHolder | undefined;
    for (;;) {
      try {
        const child = await startDeviceChange(input, routing, { ticket: request.ticket });
        running.add(device);
        await tellToRevert(device);
        const result = await child.result().finally(() => running.delete(device));
        return preempted ? { ...result, preempted: { changeId: preempted.changeId, workflowId: preempted.parentWorkflowId ?? preempted.workflowId } } : result;
      } catch (err) {
        if (!isAlreadyStarted(err)) return children.failed(device, err);
      }

      // 2. The device is held. Ask by whom on every try, and pre-empt each
      //    new holder: a change that grabbed the device between the first
      //    holder letting go and this retry must not win.
      const holder = await lockHolders.whoHolds(device);
      if (holder?.kind === 'emergency') {
        return failedWithoutTouching(
          device,
          `${device} is held by emergency change ${holder.changeId} (workflow ${holder.workflowId}); one emergency does not pre-empt another: nothing was done to ${device}`,
        );
      }
      if (holder && holder.changeId !== preempted?.changeId) {
        preempted = holder;
        try {
          await getExternalWorkflowHandle(holder.workflowId).signal(preemptSignal, notice);
        } catch {
          // It ended between the answer and the signal: the lock is free.
        }
      }
      if (Date.now() >= giveUpAt) {
        const holder = preempted ? `change ${preempted.changeId} (workflow ${preempted.workflowId})` : `workflow ${workflowIds.device(device)}`;
        return failedWithoutTouching(
          device,
          `${device} is still held by ${holder} after ${request.preemptTimeoutSeconds} s of waiting for it to roll back and let go; nothing was done to ${device} by this emergency`,
        );
      }
      try {
        await sleep(LOCK_RETRY_INTERVAL);
      } catch (err) {
        children.cancelled(err);
        return failedWithoutTouching(device, 'emergency change cancelled while waiting for the device; nothing was done to it');
      }
    }
  }
}

// Its waits (approval, soaks, a time to live) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, EmergencyChangeWorkflow);
