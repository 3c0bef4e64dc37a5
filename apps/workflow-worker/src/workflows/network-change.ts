import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
  setWorkflowOptions,
} from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import {
  AbortRequest,
  ApprovalDecision,
  ChangeRequest,
  OperatorAction,
  workflowIds,
  type ApprovalPolicy,
  type ChangeRequestInput,
  type ChangeResult,
  type DeviceGroupResult,
  type DevicePlan,
  type MemberOutcome,
  type PlanBatchResult,
  type WaveResult,
  changeListSummary,
  listedOutcome,
  mapWithConcurrency,
  planPathsListed,
} from '@synapse/contracts';
import { ActivityRouting, type ActivityRoutingInput } from './activities';
import { rollbackFailedFailure } from './device-child';
import { DeviceGroupWorkflow } from './device-group';
import { failureType, operatorReason, parseWorkflowInput } from './failures';
import { PlanBatchWorkflow } from './plan-batch';
import { overallOutcome, RolloutBoard } from './rollout-board';
import { failuresAllowed, groupMembers, memberPlans, planWaves, type Wave } from './rollout-plan';
import {
  abortUpdate,
  approveUpdate,
  finishSignal,
  groupLockSignal,
  localActivities,
  pauseUpdate,
  planQuery,
  rejectUpdate,
  resumeUpdate,
  rolloutProgressQuery,
  stopWaveSignal,
  type GroupLockReport,
} from './rollout-signals';
import { changeSearchAttributes, memoForList, memoSummaryForList, outcomeSearchAttribute } from './search-attributes';
import { WaveWorkflow } from './wave';

/** Devices per plan batch: one child workflow, one Infrahub render and two device reads each. */
const PLAN_BATCH_SIZE = 50;
/** Plan batches at once. */
const PLAN_PARALLEL_BATCHES = 2;

/**
 * A change on a fabric, run the way an operator runs one by hand:
 *
 *   1 plan: every device's intent rendered once and compared with what it
 *     runs (PlanBatchWorkflow children): the paths, sessions and interfaces
 *     it alters, what is already down, the far ends outside the change that
 *     are not ready; a device that cannot be planned refuses the change. A
 *     dry run ends here, with the plan.
 *   2 approval: an approver other than the requester approves or rejects
 *     (Workflow Updates); not approved in time, the change ends `expired`.
 *     Nothing is touched before this.
 *   3 locks: every device's lock is taken before the first deploy, by
 *     DeviceGroupWorkflow children (one per ROLLOUT_GROUP_SIZE devices,
 *     parents of the device workflows); a device another change holds is
 *     waited for up to the lock timeout, then the change gives up whole.
 *   4 waves (WaveWorkflow children): the canary alone, then one device of
 *     each redundant pair per wave, then the rest in waves; a fabric check
 *     after each; the failure budget stops it; pause, resume and abort
 *     between waves; a soak after each wave.
 *   5 release every device, or roll every deployed device back (abort with
 *     rollback, a spent budget when the request says so, a cancel).
 *
 * The history grows with groups and waves, not devices; each device's
 * details are on its own workflow, `device/<name>`.
 */
export async function NetworkChangeWorkflow(rawRequest: ChangeRequestInput, rawRouting: ActivityRoutingInput = {}): Promise<ChangeResult> {
  const request = parseWorkflowInput(ChangeRequest, rawRequest, 'NetworkChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'NetworkChangeWorkflow routing');
  const { changeId, devices, strategy } = request;
  const { workflowId } = workflowInfo();
  upsertSearchAttributes(changeSearchAttributes({ changeId, kind: request.kind, requester: request.requester }));
  memoForList(request);

  const board = new RolloutBoard(changeId, devices);
  let policy: ApprovalPolicy | undefined;
  let decision: { approved: boolean; approver: string; comment: string } | undefined;
  let aborted: AbortRequest | undefined;
  let stopped: string | undefined;
  let currentWave: ChildWorkflowHandle<typeof WaveWorkflow> | undefined;
  const groups: Array<{ id: string; handle: ChildWorkflowHandle<typeof DeviceGroupWorkflow>; lock?: GroupLockReport }> = [];
  /** device -> its group's workflow id. */
  const groupOf: Array<readonly [string, string]> = [];
  /** Every device's end, from its group. */
  const groupOutcomes: MemberOutcome[] = [];
  /** Far ends outside the change that already run their intended config. */
  let readyOutside = new Set<string>();
  /** Devices re-planned after their intent moved, with the checksum of their new plan. */
  const rePlanned = new Map<string, string>();
  let planBatches = 0;

  setHandler(rolloutProgressQuery, () => board.progress());
  setHandler(planQuery, () => board.plans);
  setHandler(groupLockSignal, (report) => {
    const group = groups.find((g) => g.id === report.group);
    for (const { device, holder } of report.waiting ?? []) board.waitingFor(device, holder);
    if (group && (report.locked || report.busy)) group.lock = report;
  });
  setHandler(
    approveUpdate,
    (raw) => {
      const d = ApprovalDecision.parse(raw);
      decision = { approved: true, approver: d.approver, comment: d.comment };
      board.approval = { state: 'approved', by: d.approver, comment: d.comment };
      return board.progress();
    },
    { validator: (raw) => validateDecision(raw) },
  );
  setHandler(
    rejectUpdate,
    (raw) => {
      const d = ApprovalDecision.parse(raw);
      decision = { approved: false, approver: d.approver, comment: d.comment };
      board.approval = { state: 'rejected', by: d.approver, comment: d.comment };
      return board.progress();
    },
    { validator: (raw) => validateDecision(raw) },
  );
  setHandler(
    pauseUpdate,
    (raw) => {
      const action = OperatorAction.parse(raw);
      board.paused = { by: action.by, reason: action.reason };
      board.note(`paused by ${action.by}${action.reason ? `: ${action.reason}` : ''}`);
      return board.progress();
    },
    { validator: (raw) => validateAction(raw, ['locking', 'rolling-out', 'soaking'], 'pause') },
  );
  setHandler(
    resumeUpdate,
    (raw) => {
      const action = OperatorAction.parse(raw);
      board.paused = undefined;
      board.note(`resumed by ${action.by}${action.reason ? `: ${action.reason}` : ''}`);
      return board.progress();
    },
    {
      validator: (raw) => {
        OperatorAction.parse(raw);
        if (!board.paused) throw new Error(`change ${changeId} is not paused`);
      },
    },
  );
  setHandler(
    abortUpdate,
    async (raw) => {
      const request = AbortRequest.parse(raw);
      aborted ??= request;
      board.note(`aborted by ${request.by}${request.reason ? `: ${request.reason}` : ''}${request.rollback ? '; every deployed device is rolled back' : ''}`);
      await currentWave?.signal(stopWaveSignal, { reason: `aborted by ${request.by}` }).catch(() => undefined);
      return board.progress();
    },
    { validator: (raw) => validateAction(raw, ['planning', 'awaiting-approval', 'locking', 'rolling-out', 'paused', 'soaking'], 'abort') },
  );

  try {
    policy = await localActivities().approvalPolicy();

    // 1. The plan, read once: what the approver sees is what gets executed.
    board.plans = await planDevices(devices, true);
    board.waves = planWaves(board.plans, strategy);
    for (const wave of board.waves) for (const device of wave.devices) setPlanWave(device, wave.index);
    for (const plan of board.plans) if (plan.status === 'in-sync') board.setOutcome(plan.device, 'in-sync', { reason: 'already runs its intended config' });
    await warnAboutFarEnds();
    if (request.dryRun) {
      for (const plan of board.plans) if (plan.status !== 'in-sync') board.setOutcome(plan.device, 'dry-run', plan.wave !== undefined ? { wave: plan.wave } : {});
      return finish('dry-run', { plan: board.plans });
    }
    if (board.waves.length === 0) return finish('succeeded');

    // 2. Approval. Nothing has been touched; an abort or reject ends it here.
    const approved = await approval('the plan');
    if (approved !== 'approved') return finish(approved);

    // 3. Every lock before the first deploy.
    board.phase = 'locking';
    const busy = await takeLocks();
    if (busy) {
      for (const device of devices) if (!board.outcomeOf(device)) board.setOutcome(device, 'skipped', { reason: busy });
      await releaseGroups(false, busy);
      return finish('failed');
    }

    // 4. The waves.
    const allowed = failuresAllowed(strategy, board.waves.reduce((n, w) => n + w.devices.length, 0));
    for (let i = 0; i < board.waves.length; i++) {
      const wave = board.waves[i]!;
      await whilePaused();
      if (aborted || stopped) break;
      board.phase = 'rolling-out';
      const result = await runWave(wave, Math.max(0, allowed - board.failures()));
      board.waveFinished(wave, result);
      const failures = board.failures() + result.fabricProblems.length;
      if (!stopped && !wave.canary && failures > allowed) stopped = `the failure budget is spent: ${failures} device(s) failed, ${allowed} allowed`;
      // The wave's own reason: a canary that failed (named), or the operator's abort.
      if (!stopped && result.stopped) stopped = result.stopped;
      if (!stopped && wave.canary && failures > 0) stopped = 'the canary failed the fabric check';
      if (stopped) break;
      await replanChangedIntents(result);
      if (aborted) break;
      if (strategy.soakSeconds > 0 && i < board.waves.length - 1) {
        board.phase = 'soaking';
        await condition(() => aborted !== undefined, strategy.soakSeconds * 1000);
      }
    }
    if (stopped) board.note(`stopped: ${stopped}${strategy.onBudgetExceeded === 'rollback' ? '; every deployed device is rolled back' : '; what was deployed stays'}`);

    // 5. Release, or roll back what was deployed.
    const rollback = (aborted?.rollback ?? false) || (stopped !== undefined && strategy.onBudgetExceeded === 'rollback');
    await releaseGroups(rollback, aborted ? `aborted by ${aborted.by}` : stopped ?? 'the rollout is complete');
    // "stopped" only when the stop left devices untouched; a stop after the last device is that device's failure.
    const ended = board.result('succeeded').devices;
    return finish(aborted ? 'aborted' : stopped && ended.some((d) => d.outcome === 'skipped') ? 'stopped' : overallOutcome(ended));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // A cancel stops everything now: each group cancels its devices, a
    // device in its runbook stops there and rolls back, a deployed one is
    // put back to its backup; nothing is left half-applied.
    await CancellationScope.nonCancellable(async () => {
      board.note('cancelled: every deployed device is rolled back');
      board.phase = 'rolling-back';
      await currentWave?.signal(stopWaveSignal, { reason: 'the change was cancelled' }).catch(() => undefined);
      for (const group of groups) await getExternalWorkflowHandle(group.id).cancel().catch(() => undefined);
      if (currentWave) await currentWave.result().catch(() => undefined);
      await releaseGroups(true, 'the change was cancelled');
      board.phase = 'done';
      upsertSearchAttributes(outcomeSearchAttribute('cancelled'));
      memoSummaryForList('cancelled: every deployed device rolled back');
    });
    throw err;
  }

  // ── The steps' mechanics. ──

  function validateDecision(raw: unknown): void {
    const d = ApprovalDecision.parse(raw);
    if (board.phase !== 'awaiting-approval') throw new Error(`change ${changeId} is not waiting for approval (it is ${board.phase})`);
    if (d.approver === request.requester && !policy?.allowSelfApproval) {
      throw new Error(`${d.approver} requested change ${changeId} and cannot approve or reject it: another approver is needed (the server does not allow self-approval)`);
    }
  }

  function validateAction(raw: unknown, phases: readonly string[], what: string): void {
    OperatorAction.parse(raw);
    if (!phases.includes(board.phase)) throw new Error(`change ${changeId} cannot ${what} now: it is ${board.phase}`);
  }

  async function finish(outcome: ChangeResult['outcome'], extra: Partial<ChangeResult> = {}): Promise<ChangeResult> {
    // An Update still signalling its wave (an abort) finishes before the change does.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    board.phase = 'done';
    board.currentWave = undefined;
    const result = board.result(outcome, extra);
    const needsOperator = groupOutcomes.filter((m) => m.needsOperator).map((m) => m.device);
    upsertSearchAttributes(outcomeSearchAttribute(needsOperator.length > 0 ? 'rollback-failed' : listedOutcome(result)));
    memoSummaryForList(needsOperator.length > 0 ? `rollback-failed: ${needsOperator.join(', ')} need an operator` : changeListSummary(result));
    if (needsOperator.length > 0) throw rollbackFailedFailure('change', result, needsOperator);
    return result;
  }

  /** Plans devices in batches; `refuse` throws InvalidInput naming every device that cannot be planned. */
  async function planDevices(toPlan: readonly string[], refuse: boolean): Promise<DevicePlan[]> {
    const batches: string[][] = [];
    for (let start = 0; start < toPlan.length; start += PLAN_BATCH_SIZE) batches.push(toPlan.slice(start, start + PLAN_BATCH_SIZE));
    const plans = new Map<string, DevicePlan>();
    const refusals: PlanBatchResult['refusals'] = [];
    // One instant for the whole plan: batches read minutes apart still read the same intent.
    const at = new Date().toISOString();
    try {
      await mapWithConcurrency(batches, PLAN_PARALLEL_BATCHES, async (batch) => {
        const index = ++planBatches;
        const result = await executeChild(PlanBatchWorkflow, {
          workflowId: workflowIds.planBatch(workflowId, index),
          args: [{ changeId, devices: batch, changeDevices: [], concurrency: request.concurrency, at, pathsListed: planPathsListed(devices.length), ...(request.branch ? { branch: request.branch } : {}) }, routing],
          parentClosePolicy: ParentClosePolicy.TERMINATE,
        });
        for (const plan of result.devices) plans.set(plan.device, plan);
        refusals.push(...result.refusals);
      });
    } catch (err) {
      // Anything else (Infrahub down past its retries, refused credentials) fails the
      // change with its own type. Either way no device has been touched.
      if (!refuse || failureType(err) !== 'BranchNotFound') throw err;
      refuseChange([{ field: 'branch', message: operatorReason(err) }]);
    }
    if (refuse) refuseIfNeeded(refusals, [...plans.values()]);
    return toPlan.flatMap((d) => plans.get(d) ?? []);
  }

  function refuseIfNeeded(refusals: PlanBatchResult['refusals'], plans: readonly DevicePlan[]): void {
    const problems = refusals.map((r) => ({ field: `devices.${devices.indexOf(r.device)}`, message: `${r.device}: ${r.message}` }));
    const deleting = plans.filter((p) => p.deletions > 0);
    const deletions = deleting.reduce((sum, p) => sum + p.deletions, 0);
    if (deletions > request.deletionBudget) {
      problems.push({
        field: 'deletionBudget',
        message: `the change deletes ${deletions} entries or leaves Synapse owned (${deleting.map((p) => `${p.device}: ${p.deletions}`).join(', ')}), more than its budget of ${request.deletionBudget}; raise deletionBudget if this is intended`,
      });
    }
    if (problems.length > 0) refuseChange(problems);
  }

  /**
   * Far ends outside the change: one that runs its intended config is ready
   * (its sessions to the change must come up); one that does not is named
   * in the plan, and sessions to it are reported as waiting, not waited for.
   */
  async function warnAboutFarEnds(): Promise<void> {
    const inChange = new Set(devices);
    const outside = [...new Set(board.plans.flatMap((p) => p.peers).filter((peer) => !inChange.has(peer)))].sort();
    if (outside.length === 0) return;
    const farEnds = new Map((await planDevices(outside, false)).map((p) => [p.device, p]));
    readyOutside = new Set([...farEnds.values()].filter((p) => p.status === 'in-sync').map((p) => p.device));
    for (const plan of board.plans) {
      for (const peer of plan.peers.filter((p) => !inChange.has(p) && !readyOutside.has(p))) {
        const far = farEnds.get(peer);
        const why = far?.status === 'changes' ? `does not run its intended config (${far.summary ?? 'drifted'})` : `could not be checked (${far?.detail ?? far?.status ?? 'unknown'})`;
        plan.warnings.push(`${peer} is outside this change and ${why}: sessions and links to it are reported as waiting for ${peer}, not waited for`);
      }
    }
  }

  function setPlanWave(device: string, wave: number): void {
    const plan = board.plans.find((p) => p.device === device);
    if (plan) plan.wave = wave;
  }

  /** Waits for an approver (unless neither the server nor the request asks for one). */
  async function approval(what: string): Promise<'approved' | 'rejected' | 'expired' | 'aborted'> {
    const required = policy!.approvalRequired || request.approval.required;
    if (!required) {
      board.approval = { state: 'not required' };
      return 'approved';
    }
    decision = undefined;
    board.phase = 'awaiting-approval';
    const deadline = new Date(Date.now() + request.approval.timeoutSeconds * 1000);
    board.approval = { state: 'waiting', deadline: deadline.toISOString() };
    const decided = await condition(() => decision !== undefined || aborted !== undefined, request.approval.timeoutSeconds * 1000);
    if (aborted) return 'aborted';
    if (!decided) {
      board.approval = { state: 'expired' };
      board.note(`${what} was not approved within ${request.approval.timeoutSeconds} s: nothing was touched`);
      return 'expired';
    }
    const d = decision!;
    board.approval = { state: d.approved ? 'approved' : 'rejected', by: d.approver, comment: d.comment };
    board.note(`${what} ${d.approved ? 'approved' : 'rejected'} by ${d.approver}${d.comment ? `: ${d.comment}` : ''}`);
    return d.approved ? 'approved' : 'rejected';
  }

  /** Starts every group; returns why the change cannot have all its locks, or undefined once it has them. */
  async function takeLocks(): Promise<string | undefined> {
    const members = memberPlans(board.plans, board.waves).map((m) => ({
      ...m,
      peers: [...m.peers, ...board.plans.find((p) => p.device === m.device)!.peers.filter((p) => readyOutside.has(p)).map((p) => ({ device: p, wave: -1 }))],
    }));
    const template = {
      changeId,
      kind: request.kind,
      reason: request.reason,
      requester: request.requester,
      ...(request.ticket ? { ticket: request.ticket } : {}),
      ...(request.branch ? { branch: request.branch } : {}),
      dryRun: false,
      validation: request.validation,
      deletionBudget: request.deletionBudget,
    };
    for (const [index, group] of groupMembers(members).entries()) {
      const id = workflowIds.deviceGroup(workflowId, index + 1);
      // Not cancellable from here: a cancelled change finishes its groups itself (rolling back).
      const handle = await CancellationScope.nonCancellable(() =>
        startChild(DeviceGroupWorkflow, {
          workflowId: id,
          args: [{ changeId, index: index + 1, members: group, device: template, lockTimeoutSeconds: request.lockTimeoutSeconds }, routing],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        }),
      );
      groups.push({ id, handle });
      groupOf.push(...group.map((m) => [m.device, id] as const));
    }
    await condition(() => groups.every((g) => g.lock !== undefined));
    board.clearWaiting();
    const busy = groups.map((g) => g.lock!).find((l) => !l.locked);
    if (!busy) return undefined;
    const holder = busy.busy ? `${busy.busy.device} is held by ${busy.busy.holder}` : 'a device could not be locked';
    return `${holder} after ${request.lockTimeoutSeconds} s of waiting; the change gave up as a whole and nothing was touched`;
  }

  async function whilePaused(): Promise<void> {
    if (!board.paused) return;
    board.phase = 'paused';
    await condition(() => board.paused === undefined || aborted !== undefined);
  }

  async function runWave(wave: Wave, failuresLeft: number): Promise<WaveResult> {
    board.currentWave = wave.index;
    const group = new Map(groupOf);
    const handle = await CancellationScope.nonCancellable(() =>
      startChild(WaveWorkflow, {
        workflowId: workflowIds.wave(workflowId, wave.index),
        args: [
          {
            changeId,
            index: wave.index,
            canary: wave.canary,
            devices: wave.devices.map((device) => ({ device, group: group.get(device)!, ...(rePlanned.has(device) ? { checksum: rePlanned.get(device)! } : {}) })),
            groups: groups.map((g) => g.id),
            concurrency: request.concurrency,
            failuresAllowed: wave.canary ? 0 : failuresLeft,
            notDeployed: board.notDeployedBefore(wave.index, wave.devices),
            settleTimeoutSeconds: request.validation.settleTimeoutSeconds,
          },
        ],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      }),
    );
    currentWave = handle;
    // An abort or pause arriving now reaches the wave through its handle.
    if (aborted) await handle.signal(stopWaveSignal, { reason: `aborted by ${aborted.by}` });
    const result = await Promise.race([handle.result(), CancellationScope.current().cancelRequested]);
    currentWave = undefined;
    board.currentWave = undefined;
    return result;
  }

  /**
   * Devices whose intent moved since the plan touched nothing: they are
   * planned again and, once approved again, get a wave of their own at the end.
   */
  async function replanChangedIntents(result: WaveResult): Promise<void> {
    const changed = result.devices.filter((d) => d.outcome === 'intent-changed').map((d) => d.device);
    if (changed.length === 0) return;
    board.note(`the intent of ${changed.join(', ')} changed since the plan: re-planned, and approved again before it is deployed`);
    const plans = await planDevices(changed, false);
    const replannable: string[] = [];
    for (const plan of plans) {
      const index = board.plans.findIndex((p) => p.device === plan.device);
      if (index >= 0) board.plans[index] = { ...plan, warnings: board.plans[index]!.warnings };
      if (plan.status === 'unchecked') board.setOutcome(plan.device, 'failed', { reason: `re-plan failed: ${plan.detail ?? 'its intent could not be rendered'}; nothing was done` });
      else if (plan.status === 'in-sync') board.setOutcome(plan.device, 'in-sync', { reason: 'the new intent is already on the device' });
      else if (plan.checksum) {
        rePlanned.set(plan.device, plan.checksum);
        replannable.push(plan.device);
      }
    }
    if (replannable.length === 0) return;
    const verdict = await approval(`the re-plan of ${replannable.join(', ')}`);
    if (verdict !== 'approved') {
      for (const device of replannable) board.setOutcome(device, 'skipped', { reason: `its re-plan was ${verdict}; nothing was done` });
      return;
    }
    const wave: Wave = { index: board.waves[board.waves.length - 1]!.index + 1, canary: false, devices: replannable };
    board.waves.push(wave);
    for (const device of replannable) setPlanWave(device, wave.index);
  }

  async function releaseGroups(rollback: boolean, reason: string): Promise<void> {
    if (groups.length === 0) return;
    board.phase = rollback ? 'rolling-back' : 'releasing';
    await CancellationScope.nonCancellable(async () => {
      for (const group of groups) await group.handle.signal(finishSignal, { rollback, reason }).catch(() => undefined);
      for (const group of groups) {
        let result: DeviceGroupResult;
        try {
          result = await group.handle.result();
        } catch (err) {
          // The group itself failed: its devices' states are unknown from here.
          result = { members: groupOf.filter(([, id]) => id === group.id).map(([device]) => ({ device, outcome: 'failed', needsOperator: true, reason: `group ${group.id} failed: ${operatorReason(err)}` })) };
        }
        groupOutcomes.push(...result.members);
        board.settledBy(result.members);
      }
    });
  }
}

function refuseChange(problems: Array<{ field: string; message: string }>): never {
  throw ApplicationFailure.create({
    type: 'InvalidInput',
    nonRetryable: true,
    message: `NetworkChangeWorkflow input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}; no device was touched`,
    details: [{ fields: [...new Set(problems.map((p) => p.field))], issues: problems }],
  });
}

// Its waits (approval, soaks, a time to live) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, NetworkChangeWorkflow);
