import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  defineQuery,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  executeChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DeviceDriftState,
  DriftRequest,
  ListDevicesInScopeResult,
  QUERIES,
  workflowIds,
  type CheckDriftResult,
  type DeviceChangeInput,
  type DeviceChangeResult,
  type DeviceDriftStatus,
  type DriftReport,
  type DriftRequestInput,
  mapWithConcurrency,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DriftBatchWorkflow } from './drift-batch';
import { isAlreadyStarted, startDeviceChange } from './device-child';
import { busyReason, LockHolders } from './device-lock';
import { failureType, operatorReason, parseWorkflowInput } from './failures';
import { deviceProgressSignal } from './progress';
import { SEARCH_ATTRIBUTE_KEYS } from './search-attributes';

/** The report so far: devices not yet checked are absent. */
export const driftProgressQuery = defineQuery<DriftReport>(QUERIES.progress);

/**
 * A drift run over a scope (devices, a role, or all):
 *
 *   1 list the devices in scope from Infrahub; those in maintenance are
 *     suppressed: reported, never read or touched
 *   2 per batch of `batchSize` devices, `parallelBatches` at a time: a
 *     DriftBatchWorkflow child renders their intents (one activity) and
 *     checks them on the device worker (one more): running vs intended,
 *     managed paths
 *   3 report: record `drifted` in Infrahub for each drifted device, nothing else;
 *     remediate: each drifted device goes through DeviceChangeWorkflow (kind
 *     drift-remediation, id `device/<name>`: backup, deploy, validate, rollback),
 *     exactly as a standard change would change it
 *
 * The configs stay in the batches' histories; this one holds the devices'
 * statuses only, so a 1,000-device scan keeps a small history. An
 * unreachable device, or one whose intent does not render, is reported and
 * the run goes on. A scope naming a device Infrahub does not know fails at
 * once, touching nothing.
 */
export async function DriftRemediationWorkflow(rawRequest: DriftRequestInput, rawRouting: ActivityRoutingInput = {}): Promise<DriftReport> {
  const request = parseWorkflowInput(DriftRequest, rawRequest, 'DriftRemediationWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DriftRemediationWorkflow routing');
  const { infrahub } = changeActivities(routing);
  const { workflowId } = workflowInfo();
  const { scope, mode, branch } = request;
  const driftId = request.driftId ?? driftIdFrom(workflowId);
  const onBranch = branch ? { branch } : {};

  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTE_KEYS.changeId, value: driftId },
    { key: SEARCH_ATTRIBUTE_KEYS.changeKind, value: 'drift-remediation' },
    { key: SEARCH_ATTRIBUTE_KEYS.requester, value: request.requester },
  ]);
  const statuses = new Map<string, DeviceDriftStatus>();
  // In scope order (Infrahub's, or the operator's list), whatever order the batches finish in.
  let order: string[] = [];
  const report = (): DriftReport => driftReport(driftId, request, order.flatMap((device) => statuses.get(device) ?? []));
  setHandler(driftProgressQuery, report);
  // Device workflows report their steps to their parent; the drift report is per device, so they are only acknowledged.
  setHandler(deviceProgressSignal, () => undefined);
  const lockHolders = new LockHolders();

  // 1. The devices in scope.
  const inScope = parseWorkflowInput(ListDevicesInScopeResult, await infrahub.listDevicesInScope({ scope, ...onBranch }), 'listDevicesInScope result');
  if (inScope.unknown.length > 0) {
    const fields = inScope.unknown.map((name) => `scope.devices.${scope.kind === 'devices' ? scope.devices.indexOf(name) : 0}`);
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      nonRetryable: true,
      message: `DriftRemediationWorkflow input: ${inScope.unknown.map((name, i) => `${fields[i]}: ${name} is not in Infrahub`).join('; ')}; no device was checked`,
      details: [{ fields }],
    });
  }
  order = inScope.devices.map((d) => d.device);
  const toCheck: string[] = [];
  for (const { device, status, suppressed } of inScope.devices) {
    if (suppressed) statuses.set(device, { device, status: 'suppressed', drifted: [], detail: `Infrahub status is ${status ?? 'unset'}: not checked, not touched` });
    else toCheck.push(device);
  }

  // 2 and 3, batch by batch.
  const batches: string[][] = [];
  for (let start = 0; start < toCheck.length; start += request.batchSize) batches.push(toCheck.slice(start, start + request.batchSize));
  await mapWithConcurrency(batches, request.parallelBatches, async (devices, index) => {
    const batchWorkflowId = workflowIds.driftBatch(workflowId, index + 1);
    let checked: CheckDriftResult;
    try {
      checked = await executeChild(DriftBatchWorkflow, {
        workflowId: batchWorkflowId,
        args: [{ driftId, devices, concurrency: request.concurrency, ...onBranch, listUnmanaged: request.listUnmanaged }, routing],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Infrahub or the device worker gone past the retries: this batch is unknown, the others still count.
      const detail = `not checked: batch ${batchWorkflowId} failed: ${operatorReason(err)}`;
      checked = { devices: devices.map((device) => ({ device, status: 'unchecked', drifted: [], detail })) };
    }
    for (const status of checked.devices) statuses.set(status.device, status);

    const drifted = checked.devices.filter((d) => d.status === 'drifted');
    await mapWithConcurrency(drifted, request.concurrency, async (found) => {
      if (mode === 'report') {
        await infrahub.updateDeviceStatus({ device: found.device, state: 'drifted', changeId: driftId });
      } else {
        statuses.set(found.device, await remediate(found));
      }
    });
  });

  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return report();

  /** The standard per-device change path, under the device's lock; the device workflow records its outcome in Infrahub. */
  async function remediate(found: DeviceDriftStatus): Promise<DeviceDriftStatus> {
    const { device } = found;
    const input: DeviceChangeInput = {
      changeId: driftId,
      kind: 'drift-remediation',
      device,
      reason: request.reason,
      requester: request.requester,
      ...onBranch,
      dryRun: false,
      validation: request.validation,
      deletionBudget: request.deletionBudget,
    };
    const remediationWorkflowId = workflowIds.device(device);
    let result: DeviceChangeResult;
    try {
      const child = await startDeviceChange(input, routing);
      result = await child.result();
    } catch (err) {
      if (isAlreadyStarted(err)) return { ...found, status: 'remediation-failed', detail: busyReason(device, await lockHolders.whoHolds(device)) };
      if (isCancellation(err)) throw err;
      // A failed rollback, a timeout, a termination: the device needs an operator, the rest of the run goes on.
      if (err instanceof ChildWorkflowFailure) {
        const rollbackFailed = failureType(err) === 'RollbackFailed' ? 'ROLLBACK FAILED: ' : '';
        return { ...found, status: 'remediation-failed', detail: `${rollbackFailed}${operatorReason(err)}`, remediationWorkflowId };
      }
      throw err;
    }
    if (result.outcome === 'deployed') {
      return { ...found, status: 'remediated', detail: `restored the intended config and validated it (${result.diffSummary ?? 'see ' + remediationWorkflowId})`, remediationWorkflowId };
    }
    if (result.outcome === 'in-sync') {
      // Someone put it back between the check and the remediation.
      return { ...found, status: 'in-sync', detail: 'back in sync by the time the remediation read it; nothing was deployed', remediationWorkflowId };
    }
    return { ...found, status: 'remediation-failed', detail: `${result.outcome}: ${result.reason ?? 'see ' + remediationWorkflowId}`, remediationWorkflowId };
  }
}

function driftReport(driftId: string, request: DriftRequest, devices: DeviceDriftStatus[]): DriftReport {
  const counts = Object.fromEntries(DeviceDriftState.options.map((state) => [state, 0])) as DriftReport['counts'];
  for (const d of devices) counts[d.status] += 1;
  return { driftId, mode: request.mode, scope: request.scope, devices, counts };
}

/** A change id from the workflow id (`drift/nightly-…` -> `drift-nightly-…`), for scheduled runs that name none. */
function driftIdFrom(workflowId: string): string {
  const id = workflowId.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return id.length > 0 ? id : 'drift';
}
