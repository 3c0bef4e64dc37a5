import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  executeChild,
  upsertSearchAttributes,
  workflowInfo,
  setWorkflowOptions,
} from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import {
  ChangeResult,
  DeviceDriftState,
  DriftRequest,
  ListDevicesInScopeResult,
  QUERIES,
  workflowIds,
  type ChangeRequestInput,
  type CheckDriftResult,
  type DeviceDriftStatus,
  type DriftReport,
  type DriftRequestInput,
  mapWithConcurrency,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DriftBatchWorkflow } from './drift-batch';
import { applicationFailureOf, operatorReason, parseWorkflowInput } from './failures';
import { NetworkChangeWorkflow } from './network-change';
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
 *   3 report: record `drifted` in Infrahub for each drifted device, nothing
 *     else (a device Infrahub does not take the note for is reported so,
 *     and the scan goes on); remediate: up to maxRemediations drifted
 *     devices go through one rollout (NetworkChangeWorkflow, kind
 *     drift-remediation, `change/<driftId>`): plan, approval unless this
 *     run may remediate without one, waves and failure budget, exactly as
 *     a standard change would change them
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

    if (mode === 'report') {
      const drifted = checked.devices.filter((d) => d.status === 'drifted');
      await mapWithConcurrency(drifted, request.concurrency, async (found) => {
        try {
          await infrahub.updateDeviceStatus({ device: found.device, state: 'drifted', changeId: driftId });
        } catch (err) {
          if (isCancellation(err)) throw err;
          // The drift is the finding; Infrahub not taking the note must not hide it or stop the scan.
          statuses.set(found.device, { ...found, detail: joinDetail(found.detail, `recording the drift in Infrahub failed: ${operatorReason(err)}`) });
        }
      });
    }
  });

  // 3. Remediate: the drifted devices go through the same rollout as a standard change.
  if (mode === 'remediate') await remediate();

  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return report();

  /**
   * One NetworkChangeWorkflow of kind drift-remediation (`change/<driftId>`)
   * over the drifted devices, at most maxRemediations of them: plan, approval
   * (unless this run may remediate without one), waves, failure budget. A
   * device whose intent relies on a policy it lacks is left out (it would be
   * refused) and said so.
   */
  async function remediate(): Promise<void> {
    const drifted = order.flatMap((device) => (statuses.get(device)?.status === 'drifted' ? [statuses.get(device)!] : []));
    const candidates: DeviceDriftStatus[] = [];
    for (const found of drifted) {
      if ((found.missingPolicies ?? []).length > 0) {
        const names = found.missingPolicies!.map((m) => `${m.direction}-policy "${m.policy}" of peer group "${m.group}"`).join(', ');
        statuses.set(found.device, { ...found, status: 'remediation-failed', detail: `not remediated: the intent relies on ${names}, which neither Infrahub defines nor the device has` });
      } else if (candidates.length >= request.maxRemediations) {
        statuses.set(found.device, { ...found, detail: `not remediated in this run: more than maxRemediations (${request.maxRemediations}) devices drifted; the next run takes it` });
      } else candidates.push(found);
    }
    if (candidates.length === 0) return;

    const remediationWorkflowId = workflowIds.change(driftId);
    const change: ChangeRequestInput = {
      changeId: driftId,
      kind: 'drift-remediation',
      devices: candidates.map((d) => d.device),
      reason: request.reason,
      requester: request.requester,
      ...onBranch,
      concurrency: request.concurrency,
      validation: request.validation,
      deletionBudget: request.deletionBudget,
      approval: request.approval,
      strategy: request.strategy,
    };
    let result: ChangeResult;
    try {
      result = await executeChild(NetworkChangeWorkflow, { workflowId: remediationWorkflowId, args: [change, routing], parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reported = ChangeResult.safeParse(applicationFailureOf(err)?.details?.[0]);
      if (!reported.success) {
        // Refused whole (its deletion budget) or failed before touching anything.
        for (const found of candidates) statuses.set(found.device, { ...found, detail: `not remediated: ${remediationWorkflowId} failed: ${operatorReason(err)}`, remediationWorkflowId });
        return;
      }
      result = reported.data;
    }
    const byDevice = new Map(result.devices.map((d) => [d.device, d]));
    for (const found of candidates) {
      const device = byDevice.get(found.device);
      const ended = device?.outcome ?? 'skipped';
      const why = device?.reason ?? `see ${workflowIds.device(found.device)}`;
      const withId = { ...found, remediationWorkflowId };
      if (ended === 'deployed') statuses.set(found.device, { ...withId, status: 'remediated', detail: `restored the intended config and validated it (${device?.diffSummary ?? found.summary ?? 'see ' + remediationWorkflowId})` });
      else if (ended === 'in-sync') statuses.set(found.device, { ...withId, status: 'in-sync', detail: 'back in sync by the time the remediation read it; nothing was deployed' });
      else if (ended === 'skipped') statuses.set(found.device, { ...withId, detail: `not remediated: the remediation ended ${result.outcome} before this device (${why})` });
      else statuses.set(found.device, { ...withId, status: 'remediation-failed', detail: `${ended}: ${why}` });
    }
  }
}

function joinDetail(detail: string | undefined, more: string): string {
  return detail ? `${detail}; ${more}` : more;
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

// Its waits (approval, soaks, a time to live) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, DriftRemediationWorkflow);
