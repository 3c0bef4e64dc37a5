/**
 * A stand-in NetworkChangeWorkflow, with its DeviceChangeWorkflow, for the
 * CLI's tests: the real ones' contract with no activities, so the CLI is
 * tested against a real Temporal server without devices or Infrahub.
 *
 * Like the real rollout: ChangeRequest in, the bounded ChangeResult out;
 * the `progress` (RolloutProgress) and `plan` (DevicePlan[]) queries; the
 * approve/reject/pause/resume/abort Updates with the same validators and
 * messages; plan -> approval -> every device workflow started (the locks,
 * `device/<name>` with SynapseDevices and SynapseChangeId) -> waves (canary,
 * one spine at a time, then waveSize) with a soak and a failure budget ->
 * release or roll back; a cancel rolls back every deployed device. Each
 * device workflow answers its own `progress` query and ends with its
 * SynapseOutcome. The server's policy is the embedded stack's: a request may
 * waive its approval, the requester may not approve their own change.
 *
 * Behaviour is chosen by the request:
 *  - a reason containing `[explode]` fails the change with IntentNotFound while planning;
 *  - a reason containing `[rollback-failed]` fails the change with RollbackFailed after
 *    the rollout, the result in the failure's details (as the real workflow does);
 *  - a device whose name contains `-rollback` fails validation and is rolled back;
 *  - `-insync`: planned in sync (no wave); `-problem`: a link down before the change;
 *    `-warn`: a far end outside the change not ready; `spine` in the name: role spine.
 * Each device step takes STEP_MS, long enough for a watcher polling once a second to see it.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  AbortRequest,
  ApprovalDecision,
  ChangeRequest,
  OperatorAction,
  QUERIES,
  SEARCH_ATTRIBUTES,
  UPDATES,
  summarizeDeviceResult,
  workflowIds,
  type ChangePhase,
  type ChangeResult,
  type DeviceChangeResult,
  type DeviceOutcome,
  type DevicePlan,
  type DeviceProgress,
  type DeviceStep,
  type RolloutProgress,
  type WaveSummary,
} from '@synapse/contracts';

const STEP_MS = 700;
const STEPS: DeviceStep[] = ['backup', 'deploy', 'validate-bgp'];
const POLICY = { approvalRequired: false, allowSelfApproval: false };

const KEYS = {
  devices: defineSearchAttributeKey(SEARCH_ATTRIBUTES.devices.name, SearchAttributeType.KEYWORD_LIST),
  changeId: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeId.name, SearchAttributeType.KEYWORD),
  changeKind: defineSearchAttributeKey(SEARCH_ATTRIBUTES.changeKind.name, SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey(SEARCH_ATTRIBUTES.requester.name, SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey(SEARCH_ATTRIBUTES.outcome.name, SearchAttributeType.KEYWORD),
};

export const progressQuery = defineQuery<RolloutProgress>(QUERIES.progress);
export const planQuery = defineQuery<DevicePlan[]>('plan');
const approveUpdate = defineUpdate<RolloutProgress, [unknown]>(UPDATES.approve);
const rejectUpdate = defineUpdate<RolloutProgress, [unknown]>(UPDATES.reject);
const pauseUpdate = defineUpdate<RolloutProgress, [unknown]>(UPDATES.pause);
const resumeUpdate = defineUpdate<RolloutProgress, [unknown]>(UPDATES.resume);
const abortUpdate = defineUpdate<RolloutProgress, [unknown]>(UPDATES.abort);

const deviceProgressQuery = defineQuery<DeviceProgress>(QUERIES.progress);
const goSignal = defineSignal('go');
const finishSignal = defineSignal<[{ rollback: boolean }]>('finish');
const settledSignal = defineSignal<[{ device: string; outcome: DeviceOutcome; reason?: string }]>('settled');

interface Wave {
  index: number;
  canary: boolean;
  devices: string[];
}

export async function NetworkChangeWorkflow(input: unknown): Promise<ChangeResult> {
  const parsed = ChangeRequest.safeParse(input);
  if (!parsed.success) throw ApplicationFailure.create({ type: 'InvalidInput', message: parsed.error.message, nonRetryable: true });
  const request = parsed.data;
  const { changeId, devices, strategy } = request;
  upsertSearchAttributes([
    { key: KEYS.changeId, value: changeId },
    { key: KEYS.changeKind, value: request.kind },
    { key: KEYS.requester, value: request.requester },
  ]);

  let phase: ChangePhase = 'planning';
  let plans: DevicePlan[] = [];
  let waves: Wave[] = [];
  let currentWave: number | undefined;
  let approval: RolloutProgress['approval'];
  let paused: { by: string; reason: string } | undefined;
  let decision: { approved: boolean; approver: string; comment: string } | undefined;
  let aborted: AbortRequest | undefined;
  const notes: string[] = [];
  const outcomes = new Map<string, { outcome: DeviceOutcome; reason?: string }>();
  const waveDone = new Map<number, WaveSummary>();
  const waiting = new Map<string, string>();
  const children = new Map<string, ChildWorkflowHandle<typeof DeviceChangeWorkflow>>();
  /** Each device workflow's own result, once released. */
  const results = new Map<string, DeviceChangeResult>();
  const waveOf = new Map<string, number>();

  const counts = () => {
    const c: Record<string, number> = {};
    for (const d of devices) c[outcomes.get(d)?.outcome ?? 'pending'] = (c[outcomes.get(d)?.outcome ?? 'pending'] ?? 0) + 1;
    return c;
  };
  const progress = (): RolloutProgress => ({
    changeId,
    phase,
    devices: devices.length,
    counts: counts(),
    waves: waves.map((w) => ({ index: w.index, canary: w.canary, devices: w.devices, state: waveDone.has(w.index) ? 'done' : currentWave === w.index ? 'running' : phase === 'done' ? 'skipped' : 'pending' })),
    ...(currentWave !== undefined ? { currentWave } : {}),
    ...(approval ? { approval } : {}),
    ...(paused ? { paused } : {}),
    waitingForLocks: [...waiting].map(([device, holder]) => ({ device, holder })),
    notes: [...notes],
  });
  setHandler(progressQuery, progress);
  setHandler(planQuery, () => plans);
  setHandler(settledSignal, ({ device, outcome, reason }) => {
    outcomes.set(device, { outcome, ...(reason ? { reason } : {}) });
  });

  const validateDecision = (raw: unknown) => {
    const d = ApprovalDecision.parse(raw);
    if (phase !== 'awaiting-approval') throw new Error(`change ${changeId} is not waiting for approval (it is ${phase})`);
    if (d.approver === request.requester && !POLICY.allowSelfApproval) {
      throw new Error(`${d.approver} requested change ${changeId} and cannot approve or reject it: another approver is needed (the server does not allow self-approval)`);
    }
  };
  const validateAction = (raw: unknown, phases: readonly string[], what: string) => {
    OperatorAction.parse(raw);
    if (!phases.includes(phase)) throw new Error(`change ${changeId} cannot ${what} now: it is ${phase}`);
  };
  for (const [update, approved] of [[approveUpdate, true], [rejectUpdate, false]] as const) {
    setHandler(
      update,
      (raw) => {
        const d = ApprovalDecision.parse(raw);
        decision = { approved, approver: d.approver, comment: d.comment };
        return progress();
      },
      { validator: validateDecision },
    );
  }
  setHandler(
    pauseUpdate,
    (raw) => {
      const action = OperatorAction.parse(raw);
      paused = { by: action.by, reason: action.reason };
      notes.push(`paused by ${action.by}${action.reason ? `: ${action.reason}` : ''}`);
      return progress();
    },
    { validator: (raw) => validateAction(raw, ['locking', 'rolling-out', 'soaking'], 'pause') },
  );
  setHandler(
    resumeUpdate,
    (raw) => {
      const action = OperatorAction.parse(raw);
      paused = undefined;
      notes.push(`resumed by ${action.by}${action.reason ? `: ${action.reason}` : ''}`);
      return progress();
    },
    {
      validator: (raw) => {
        OperatorAction.parse(raw);
        if (!paused) throw new Error(`change ${changeId} is not paused`);
      },
    },
  );
  setHandler(
    abortUpdate,
    (raw) => {
      const action = AbortRequest.parse(raw);
      aborted ??= action;
      notes.push(`aborted by ${action.by}${action.reason ? `: ${action.reason}` : ''}${action.rollback ? '; every deployed device is rolled back' : ''}`);
      return progress();
    },
    { validator: (raw) => validateAction(raw, ['planning', 'awaiting-approval', 'locking', 'rolling-out', 'paused', 'soaking'], 'abort') },
  );

  try {
    // 1. The plan.
    await sleep(300);
    if (request.reason.includes('[explode]')) {
      throw ApplicationFailure.create({ type: 'IntentNotFound', message: `no intended state for ${devices[0]} in the source of truth`, nonRetryable: true });
    }
    plans = devices.map(planOf);
    waves = planWaves(plans, request);
    for (const wave of waves) for (const device of wave.devices) waveOf.set(device, wave.index);
    for (const p of plans) if (waveOf.has(p.device)) p.wave = waveOf.get(p.device);
    for (const p of plans) if (p.status === 'in-sync') outcomes.set(p.device, { outcome: 'in-sync', reason: 'already runs its intended config' });
    if (request.dryRun) {
      for (const p of plans) if (p.status !== 'in-sync') outcomes.set(p.device, { outcome: 'dry-run' });
      return finish('dry-run', { plan: plans });
    }
    if (waves.length === 0) return finish('succeeded');

    // 2. Approval.
    if (POLICY.approvalRequired || request.approval.required) {
      phase = 'awaiting-approval';
      approval = { state: 'waiting', deadline: new Date(Date.now() + request.approval.timeoutSeconds * 1000).toISOString() };
      const decided = await condition(() => decision !== undefined || aborted !== undefined, request.approval.timeoutSeconds * 1000);
      if (aborted) return finish('aborted');
      if (!decided) {
        approval = { state: 'expired' };
        notes.push(`the plan was not approved within ${request.approval.timeoutSeconds} s: nothing was touched`);
        return finish('expired');
      }
      approval = { state: decision!.approved ? 'approved' : 'rejected', by: decision!.approver, comment: decision!.comment };
      notes.push(`the plan ${decision!.approved ? 'approved' : 'rejected'} by ${decision!.approver}${decision!.comment ? `: ${decision!.comment}` : ''}`);
      if (!decision!.approved) return finish('rejected');
    } else {
      approval = { state: 'not required' };
    }

    // 3. Every device workflow (its lock) before the first deploy.
    phase = 'locking';
    const busy = await takeLocks();
    if (busy) {
      for (const d of devices) if (!outcomes.has(d)) outcomes.set(d, { outcome: 'skipped', reason: busy });
      await release(false);
      return finish('failed');
    }

    // 4. The waves.
    const deployable = waves.reduce((n, w) => n + w.devices.length, 0);
    const allowed = Math.max(strategy.failureBudget.count ?? 0, Math.floor((deployable * (strategy.failureBudget.percent ?? 0)) / 100));
    let stopped: string | undefined;
    for (let i = 0; i < waves.length; i++) {
      const wave = waves[i];
      if (paused) {
        phase = 'paused';
        await condition(() => paused === undefined || aborted !== undefined);
      }
      if (aborted) break;
      phase = 'rolling-out';
      currentWave = wave.index;
      for (const device of wave.devices) await children.get(device)!.signal(goSignal);
      await condition(() => wave.devices.every((d) => outcomes.has(d)));
      const waveCounts: Record<string, number> = {};
      for (const device of wave.devices) waveCounts[outcomes.get(device)!.outcome] = (waveCounts[outcomes.get(device)!.outcome] ?? 0) + 1;
      waveDone.set(wave.index, { index: wave.index, canary: wave.canary, devices: wave.devices.length, counts: waveCounts, fabricProblems: 0 });
      currentWave = undefined;
      const failures = [...outcomes.values()].filter((o) => o.outcome === 'rolled-back' || o.outcome === 'failed').length;
      if (failures > allowed) stopped = `the failure budget is spent: ${failures} device(s) failed, ${allowed} allowed`;
      if (!stopped && wave.canary && failures > 0) stopped = 'the canary failed';
      if (stopped) break;
      if (strategy.soakSeconds > 0 && i < waves.length - 1) {
        phase = 'soaking';
        await condition(() => aborted !== undefined, strategy.soakSeconds * 1000);
      }
    }
    if (stopped) notes.push(`stopped: ${stopped}${strategy.onBudgetExceeded === 'rollback' ? '; every deployed device is rolled back' : '; what was deployed stays'}`);

    // 5. Release, or roll back what was deployed.
    await release(aborted?.rollback === true || (stopped !== undefined && strategy.onBudgetExceeded === 'rollback'));
    if (aborted) return finish('aborted');
    if (stopped) return finish('stopped');
    const succeeded = devices.filter((d) => ['deployed', 'in-sync'].includes(outcomes.get(d)?.outcome ?? '')).length;
    return finish(succeeded === devices.length ? 'succeeded' : succeeded === 0 ? 'failed' : 'partially-failed');
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // A cancel is an abort with rollback.
    await CancellationScope.nonCancellable(async () => {
      notes.push('cancelled: every deployed device is rolled back');
      await release(true);
      upsertSearchAttributes([{ key: KEYS.outcome, value: 'cancelled' }]);
    });
    throw err;
  }

  async function takeLocks(): Promise<string | undefined> {
    const giveUpAt = Date.now() + request.lockTimeoutSeconds * 1000;
    for (const wave of waves) {
      for (const device of wave.devices) {
        for (;;) {
          try {
            const handle = await CancellationScope.nonCancellable(() =>
              startChild(DeviceChangeWorkflow, {
                workflowId: workflowIds.device(device),
                args: [{ changeId, device }],
                parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
                typedSearchAttributes: [
                  { key: KEYS.devices, value: [device] },
                  { key: KEYS.changeId, value: changeId },
                  { key: KEYS.changeKind, value: request.kind },
                  { key: KEYS.requester, value: request.requester },
                ],
              }),
            );
            children.set(device, handle);
            waiting.delete(device);
            break;
          } catch (err) {
            if (!(err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError')) throw err;
            waiting.set(device, workflowIds.device(device));
            if (Date.now() >= giveUpAt) return `${device} is held by ${workflowIds.device(device)} after ${request.lockTimeoutSeconds} s of waiting; the change gave up as a whole and nothing was touched`;
            await sleep(500);
          }
        }
      }
    }
    return undefined;
  }

  async function release(rollback: boolean): Promise<void> {
    if (children.size === 0) return;
    phase = rollback ? 'rolling-back' : 'releasing';
    await CancellationScope.nonCancellable(async () => {
      for (const handle of children.values()) await handle.signal(finishSignal, { rollback });
      for (const [device, handle] of children) {
        const result = await handle.result();
        outcomes.set(device, { ...outcomes.get(device), outcome: result.outcome, ...(result.reason ? { reason: result.reason } : {}) });
        results.set(device, result);
      }
    });
  }

  function finish(outcome: ChangeResult['outcome'], extra: Partial<ChangeResult> = {}): ChangeResult {
    phase = 'done';
    currentWave = undefined;
    const summaries = devices.map((device) => {
      const known = outcomes.get(device);
      const result: DeviceChangeResult = results.get(device) ?? { device, outcome: known?.outcome ?? 'skipped', ...(known?.reason ? { reason: known.reason } : {}), validation: {}, timings: [] };
      return summarizeDeviceResult(result, waveOf.get(device));
    });
    const resultCounts: Record<string, number> = {};
    for (const d of summaries) resultCounts[d.outcome] = (resultCounts[d.outcome] ?? 0) + 1;
    const result: ChangeResult = {
      changeId,
      outcome,
      counts: resultCounts,
      devices: summaries,
      waves: [...waveDone.values()],
      ...(approval && (approval.state === 'approved' || approval.state === 'rejected' || approval.state === 'not required')
        ? { approval: { decision: approval.state, approver: approval.by ?? 'nobody', comment: approval.comment ?? '' } }
        : {}),
      notes: [...notes],
      ...extra,
    };
    if (request.reason.includes('[rollback-failed]')) {
      upsertSearchAttributes([{ key: KEYS.outcome, value: 'rollback-failed' }]);
      throw ApplicationFailure.create({ type: 'RollbackFailed', message: `change ${changeId}: the rollback failed; those devices need an operator`, nonRetryable: true, details: [result] });
    }
    upsertSearchAttributes([{ key: KEYS.outcome, value: outcome }]);
    return result;
  }
}

/** One device's runbook, holding its lock (`device/<name>`) until the rollout releases it. */
export async function DeviceChangeWorkflow(input: { changeId: string; device: string }): Promise<DeviceChangeResult> {
  const { device } = input;
  const progress: DeviceProgress = { device, step: 'queued', state: 'pending', steps: [] };
  setHandler(deviceProgressQuery, () => progress);
  let go = false;
  let finish: { rollback: boolean } | undefined;
  setHandler(goSignal, () => void (go = true));
  setHandler(finishSignal, (f) => void (finish = f));
  const parent = getExternalWorkflowHandle(workflowInfo().parent!.workflowId);
  const timings: DeviceChangeResult['timings'] = [];
  const end = (outcome: DeviceOutcome, state: DeviceProgress['state'], reason?: string): DeviceChangeResult => {
    progress.step = 'done';
    progress.state = state;
    if (reason) progress.detail = reason;
    upsertSearchAttributes([{ key: KEYS.outcome, value: outcome }]);
    return {
      device,
      outcome,
      ...(outcome === 'deployed' ? { diffSummary: '1 changed, 0 added, 0 removed: /interface[name=ethernet-1/1]/mtu 1500 -> 9214' } : {}),
      ...(reason ? { reason } : {}),
      ...(outcome !== 'skipped' ? { backup: { id: uuid4().replace(/-/g, ''), sha256: '0'.repeat(64), sizeBytes: 1024, device, takenAt: new Date().toISOString() } } : {}),
      validation: {},
      timings,
    };
  };

  await condition(() => go || finish !== undefined);
  if (!go) return end('skipped', 'skipped', 'the rollout ended before its turn; nothing was done');
  for (const step of STEPS) {
    progress.step = step;
    progress.state = 'running';
    const startedAt = new Date().toISOString();
    await sleep(STEP_MS);
    timings.push({ step, startedAt, finishedAt: new Date().toISOString(), durationMs: STEP_MS });
    if (step === 'validate-bgp' && device.includes('-rollback')) {
      const reason = 'neighbor 10.0.0.1: session-state active, expected established';
      await parent.signal(settledSignal, { device, outcome: 'rolled-back', reason });
      await condition(() => finish !== undefined);
      return end('rolled-back', 'rolled-back', reason);
    }
  }
  progress.step = 'hold';
  await parent.signal(settledSignal, { device, outcome: 'deployed' });
  await condition(() => finish !== undefined);
  if (finish!.rollback) {
    progress.step = 'rollback';
    await sleep(STEP_MS);
    return end('rolled-back', 'rolled-back', 'rolled back: the change was aborted or cancelled');
  }
  return end('deployed', 'succeeded');
}

function planOf(device: string): DevicePlan {
  const inSync = device.includes('-insync');
  return {
    device,
    role: device.includes('spine') ? 'spine' : 'leaf',
    status: inSync ? 'in-sync' : 'changes',
    counts: inSync ? { added: 0, changed: 0, removed: 0 } : { added: 0, changed: 1, removed: 0 },
    paths: inSync ? [] : [{ path: '/interface[name=ethernet-1/1]/mtu', op: 'change' }],
    deletions: 0,
    sessions: inSync ? [] : ['10.0.0.1'],
    interfaces: inSync ? [] : ['ethernet-1/1'],
    peers: [],
    problems: device.includes('-problem') ? ['ethernet-1/2 is down (oper-state down) before the change'] : [],
    warnings: device.includes('-warn') ? ['spine99 is outside this change and does not run its intended config: sessions and links to it are reported as waiting for spine99, not waited for'] : [],
  };
}

/** The real planWaves' order: the canary alone, one spine per wave, the rest in waves of waveSize (or wavePercent). */
function planWaves(plans: DevicePlan[], request: ChangeRequest): Wave[] {
  const { strategy } = request;
  const deployable = plans.filter((p) => p.status !== 'in-sync').map((p) => p.device);
  const roleOf = new Map(plans.map((p) => [p.device, p.role]));
  const canaries =
    strategy.canary.devices.length > 0
      ? strategy.canary.devices.filter((d) => deployable.includes(d))
      : deployable.filter((d) => strategy.canary.role === undefined || roleOf.get(d) === strategy.canary.role).slice(0, strategy.canary.count);
  const waves: Wave[] = canaries.length > 0 ? [{ index: 0, canary: true, devices: canaries }] : [];
  const next = () => (waves.length === 0 ? 1 : waves[waves.length - 1].index + 1);
  const rest = deployable.filter((d) => !canaries.includes(d));
  const oneAtATime = new Set<string>(strategy.oneAtATimeRoles);
  for (const d of rest.filter((d) => oneAtATime.has(roleOf.get(d) ?? ''))) waves.push({ index: next(), canary: false, devices: [d] });
  const others = rest.filter((d) => !oneAtATime.has(roleOf.get(d) ?? ''));
  const size = strategy.wavePercent !== undefined ? Math.max(1, Math.ceil((deployable.length * strategy.wavePercent) / 100)) : (strategy.waveSize ?? 25);
  for (let start = 0; start < others.length; start += size) waves.push({ index: next(), canary: false, devices: others.slice(start, start + size) });
  return waves;
}
