import {
  ApplicationFailure,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  ChangeRequest,
  type DeviceChangeResult,
  type ChangeRequestInput,
  type ChangeResult,
  type DeviceChangeInput,
  mapWithConcurrency,
} from '@synapse/contracts';
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
 * InvalidInput naming the field), then every device's intent is fetched once
 * so that an unknown device or an unrenderable intent stops the change
 * before any device is touched. A device another change holds is skipped
 * with a reason naming that change. Cancelling the change cancels the device
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

  await requireIntentForEveryDevice(request, routing);

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

/**
 * Every device must have an intent Infrahub can serve and the renderer can
 * turn into config before any device is touched: an operator who typed a
 * wrong name wants the whole change refused, not the other devices changed.
 * The device workflows fetch again, so what they deploy is current.
 */
/** Preflight failures that mean the request names something that cannot be changed. */
const REQUEST_FAULTS = new Set(['IntentNotFound', 'InvalidInput', 'Unsupported', 'BranchNotFound']);

async function requireIntentForEveryDevice(request: ChangeRequest, routing: ActivityRouting): Promise<void> {
  const { infrahub } = changeActivities(routing);
  const problems = await mapWithConcurrency(request.devices, request.concurrency, async (device, index) => {
    try {
      await infrahub.fetchDeviceConfig({ device, ...(request.branch ? { branch: request.branch } : {}) });
      return undefined;
    } catch (err) {
      const type = failureType(err);
      // Only what the request got wrong is the request's fault; anything else
      // (Infrahub down past its retries, refused credentials) fails the change
      // with its own type. Either way no device has been touched.
      if (!type || !REQUEST_FAULTS.has(type)) throw err;
      const field = type === 'BranchNotFound' ? 'branch' : `devices.${index}`;
      return { field, message: `${device}: ${operatorReason(err)}` };
    }
  });
  const found = problems.filter((p) => p !== undefined);
  if (found.length === 0) return;
  throw ApplicationFailure.create({
    type: 'InvalidInput',
    nonRetryable: true,
    message: `NetworkChangeWorkflow input: ${found.map((p) => `${p.field}: ${p.message}`).join('; ')}; no device was touched`,
    details: [{ fields: [...new Set(found.map((p) => p.field))], issues: found }],
  });
}

function changeOutcome(dryRun: boolean, devices: DeviceChangeResult[]): ChangeResult['outcome'] {
  const succeeded = devices.filter((d) => d.outcome === 'deployed' || d.outcome === 'in-sync' || d.outcome === 'dry-run').length;
  if (dryRun && succeeded === devices.length) return 'dry-run';
  if (succeeded === devices.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially-failed';
}
