import {
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ChangeRequest,
  workflowIds,
  type DeviceChangeResult,
  type ChangeRequestInput,
  type ChangeResult,
  type DeviceChangeInput,
  type DeviceDriftStatus,
  mapWithConcurrency,
} from '@synapse/contracts';
import { DriftBatchWorkflow } from './drift-batch';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { busyReason, LockHolders } from './device-lock';
import { failureType, operatorReason, parseWorkflowInput } from './failures';
import { ChangeProgressBoard, changeProgressQuery, deviceProgressSignal } from './progress';
import { changeSearchAttributes } from './search-attributes';
import { DeviceChildOutcomes, failedWithoutTouching, isAlreadyStarted, startDeviceChange } from './device-child';

/**
 * A standard change: one DeviceChangeWorkflow per device, at most
 * `concurrency` at a time, each under the device's lock id `device/<name>`.
 *
 * The request is parsed first (a bad one fails the change at once with
 * InvalidInput naming the field), then the whole change is planned before
 * any device is touched: every device's intent rendered and compared with
 * its running config, in batch workflows (planEveryDevice). An unknown
 * device, an unrenderable intent, a policy the intent relies on that is
 * neither in Infrahub nor on the device, or more deletions than the
 * change's budget refuse the whole change. A device another change holds
 * is skipped with a reason naming that change. Cancelling the change cancels the device
 * workflows, which roll back what they deployed before they end.
 *
 * The result has one DeviceChangeResult per device. A device whose rollback
 * failed makes the whole change fail with RollbackFailed (the result is in
 * the failure's details): nobody should read that change as merely
 * "partially failed".
 */
export async function NetworkChangeWorkflow(rawRequest: ChangeRequestInput, rawRouting: ActivityRoutingInput = {}): Promise<ChangeResult> {
  const request = parseWorkflowInput(ChangeRequest, rawRequest, 'NetworkChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'NetworkChangeWorkflow routing');
  const { changeId, devices } = request;

  upsertSearchAttributes(changeSearchAttributes({ devices, changeId, kind: 'standard', requester: request.requester }));
  const progress = new ChangeProgressBoard(changeId, devices);
  setHandler(changeProgressQuery, () => progress.snapshot());
  setHandler(deviceProgressSignal, (report) => progress.report(report));
  const lockHolders = new LockHolders();

  await planEveryDevice(request, routing);

  const children = new DeviceChildOutcomes(progress, 'change');
  const results = await mapWithConcurrency(devices, request.concurrency, async (device) => {
    const result = await changeDevice(device);
    progress.settle(result);
    return result;
  });

  return children.finish({ changeId, outcome: changeOutcome(request.dryRun, results), devices: results });

  async function changeDevice(device: string): Promise<DeviceChangeResult> {
    const input: DeviceChangeInput = {
      changeId,
      kind: 'standard',
      device,
      reason: request.reason,
      requester: request.requester,
      ...(request.ticket ? { ticket: request.ticket } : {}),
      ...(request.branch ? { branch: request.branch } : {}),
      dryRun: request.dryRun,
      validation: request.validation,
      deletionBudget: request.deletionBudget,
    };
    try {
      const child = await startDeviceChange(input, routing);
      return await child.result();
    } catch (err) {
      if (isAlreadyStarted(err)) {
        return failedWithoutTouching(device, busyReason(device, await lockHolders.whoHolds(device)));
      }
      return children.failed(device, err);
    }
  }
}

/** Devices per plan batch: one child workflow, one Infrahub render and one device read each. */
const PLAN_BATCH_SIZE = 50;
/** Plan batches at once. */
const PLAN_PARALLEL_BATCHES = 2;

/**
 * The whole change is checked before any device is touched: an operator who
 * typed a wrong name, or whose intent relies on a policy a device lacks,
 * wants the change refused, not the other devices changed. Each batch is a
 * DriftBatchWorkflow (render the intents, read the devices, compare on what
 * Synapse owns), so this history holds only each device's status, never its
 * config. The device workflows plan again against their own backups, so
 * what they deploy is current; a device unreachable now is left to them.
 */
async function planEveryDevice(request: ChangeRequest, routing: ActivityRouting): Promise<void> {
  const batches: string[][] = [];
  for (let start = 0; start < request.devices.length; start += PLAN_BATCH_SIZE) batches.push(request.devices.slice(start, start + PLAN_BATCH_SIZE));
  const planned = new Map<string, DeviceDriftStatus>();
  try {
    await mapWithConcurrency(batches, PLAN_PARALLEL_BATCHES, async (devices, index) => {
      const result = await executeChild(DriftBatchWorkflow, {
        workflowId: workflowIds.planBatch(workflowInfo().workflowId, index + 1),
        args: [{ driftId: request.changeId, devices, concurrency: request.concurrency, ...(request.branch ? { branch: request.branch } : {}) }, routing],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      });
      for (const status of result.devices) planned.set(status.device, status);
    });
  } catch (err) {
    // Anything else (Infrahub down past its retries, refused credentials) fails the
    // change with its own type. Either way no device has been touched.
    if (failureType(err) !== 'BranchNotFound') throw err;
    refuse([{ field: 'branch', message: operatorReason(err) }]);
  }

  const problems: Array<{ field: string; message: string }> = [];
  request.devices.forEach((device, index) => {
    const status = planned.get(device);
    if (status?.status === 'unchecked') {
      problems.push({ field: `devices.${index}`, message: `${device}: ${(status.detail ?? 'its intent could not be read').replace(/^not checked: /, '')}` });
    }
    for (const missing of status?.missingPolicies ?? []) {
      problems.push({
        field: `devices.${index}`,
        message: `${device}: peer group "${missing.group}" ${missing.direction}-policy "${missing.policy}" is neither defined in Infrahub nor present on the device`,
      });
    }
  });
  const deleting = request.devices.map((device) => ({ device, count: planned.get(device)?.deletions ?? 0 })).filter((d) => d.count > 0);
  const deletions = deleting.reduce((sum, d) => sum + d.count, 0);
  if (deletions > request.deletionBudget) {
    problems.push({
      field: 'deletionBudget',
      message: `the change deletes ${deletions} entries or leaves Synapse owned (${deleting.map((d) => `${d.device}: ${d.count}`).join(', ')}), more than its budget of ${request.deletionBudget}; raise deletionBudget if this is intended`,
    });
  }
  if (problems.length > 0) refuse(problems);
}

function refuse(problems: Array<{ field: string; message: string }>): never {
  throw ApplicationFailure.create({
    type: 'InvalidInput',
    nonRetryable: true,
    message: `NetworkChangeWorkflow input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}; no device was touched`,
    details: [{ fields: [...new Set(problems.map((p) => p.field))], issues: problems }],
  });
}

function changeOutcome(dryRun: boolean, devices: DeviceChangeResult[]): ChangeResult['outcome'] {
  const succeeded = devices.filter((d) => d.outcome === 'deployed' || d.outcome === 'in-sync' || d.outcome === 'dry-run').length;
  if (dryRun && succeeded === devices.length) return 'dry-run';
  if (succeeded === devices.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially-failed';
}
