import type { z } from 'zod';
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
  setWorkflowOptions,
} from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import {
  baselineExpectations,
  DeviceChangeResult,
  DeviceGroupInput,
  ReadDeviceStatesResult,
  unmetExpectations,
  workflowIds,
  type DeviceChangeInput,
  type DeviceGroupResult,
  type MemberOutcome,
  type MemberPlan,
  type PeerReadiness,
  type WaveDeviceOutcome,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DeviceChangeWorkflow } from './device-change';
import { isAlreadyStarted } from './device-child';
import { describeHolder, LockHolders } from './device-lock';
import { failureType, operatorReason, parseWorkflowInput } from './failures';
import {
  deviceSettledSignal,
  fabricCheckedSignal,
  fabricCheckSignal,
  finishSignal,
  goSignal,
  groupLockSignal,
  memberFinishSignal,
  memberGoSignal,
  waveDeviceSettledSignal,
  type DeviceSettled,
} from './rollout-signals';
import { changeSearchAttributes } from './search-attributes';

/** How often a group tries a lock another change holds again. */
const LOCK_RETRY = '2 seconds';
/** How often the fabric check reads again what it found down, until the settle time runs out. */
const FABRIC_RECHECK = '3 seconds';

interface Member {
  plan: MemberPlan;
  handle?: ChildWorkflowHandle<typeof DeviceChangeWorkflow>;
  /** Its workflow's end, once it has ended. */
  ended?: MemberOutcome;
  /** Its runbook's end, as it reported it. */
  settled?: DeviceSettled;
  /** The wave waiting to hear how its turn went. */
  awaitingWave?: string;
}

/**
 * Up to ROLLOUT_GROUP_SIZE devices of a rollout: the group takes their locks
 * before anything is deployed and is the parent of their device workflows,
 * so the change's own history holds a few events per group, not per device.
 *
 *   1 lock: start each device's workflow (`device/<name>`, parked until its
 *     wave). One another change holds is tried again until the change's
 *     lock timeout, the holder named in the change's progress; past it, the
 *     group says so and the change gives up as a whole.
 *   2 serve the waves: a wave's `go` reaches the device with where its far
 *     ends are; the device's end goes back to that wave. After each wave,
 *     the fabric check: every device of the group deployed so far is read
 *     and compared with its baseline and what is up by now.
 *   3 finish: every device is released, or asked to roll back.
 */
export async function DeviceGroupWorkflow(rawInput: z.input<typeof DeviceGroupInput>, rawRouting: ActivityRoutingInput = {}): Promise<DeviceGroupResult> {
  const input = parseWorkflowInput(DeviceGroupInput, rawInput, 'DeviceGroupWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DeviceGroupWorkflow routing');
  const { deviceScan } = changeActivities(routing);
  const { workflowId, parent } = workflowInfo();
  if (!parent) throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: 'DeviceGroupWorkflow runs only as a child of NetworkChangeWorkflow' });
  const change = getExternalWorkflowHandle(parent.workflowId, parent.runId);
  const members = new Map<string, Member>(input.members.map((plan) => [plan.device, { plan }]));
  const waveOf = new Map<string, number>();
  for (const m of input.members) for (const p of [{ device: m.device, wave: m.wave }, ...m.peers]) waveOf.set(p.device, p.wave);
  let finish: { rollback: boolean; reason: string } | undefined;
  let cancelled = false;
  const lockHolders = new LockHolders();

  setHandler(finishSignal, (request) => {
    finish ??= request;
  });
  setHandler(goSignal, async ({ device, wave, index, notDeployed, checksum }) => {
    const member = members.get(device);
    if (!member) return;
    if (member.ended || !member.handle) return tellWave(wave, member.ended ? asWaveOutcome(member.ended) : { device, outcome: 'skipped', reason: 'its lock was never taken' });
    member.awaitingWave = wave;
    const readiness = readinessAt(member.plan, index, 'before', new Set(notDeployed));
    try {
      // A device re-planned after its intent moved comes with the checksum its new approval covers.
      const plannedChecksum = checksum ?? member.plan.checksum;
      await member.handle.signal(memberGoSignal, { ...(plannedChecksum ? { plannedChecksum } : {}), readiness, wave: index });
    } catch {
      // It ended just now (pre-empted); its end is forwarded when the group sees it.
    }
  });
  setHandler(deviceSettledSignal, async (settled) => {
    const member = members.get(settled.device);
    if (!member) return;
    member.settled = settled;
    const wave = member.awaitingWave;
    member.awaitingWave = undefined;
    if (wave) {
      await tellWave(wave, {
        device: settled.device,
        outcome: settled.outcome,
        ...(settled.reason ? { reason: settled.reason } : {}),
        ...(settled.checksum ? { checksum: settled.checksum } : {}),
      });
    }
  });
  setHandler(fabricCheckSignal, async ({ wave, index, notDeployed }) => {
    // The wave waits for every group's answer, so there is always one: nothing to check once the
    // rollout is ending (its devices are being released or rolled back), and a check that failed says so.
    let problems: Array<{ device: string; problems: string[] }> = [];
    if (!finish && !cancelled) {
      try {
        problems = await CancellationScope.nonCancellable(() => fabricCheck(index, new Set(notDeployed)));
      } catch (err) {
        problems = [{ device: workflowId, problems: [`the fabric check could not read the devices: ${operatorReason(err)}`] }];
      }
    }
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(wave).signal(fabricCheckedSignal, { group: workflowId, problems })).catch(() => undefined);
  });

  try {
    // 1. Every lock, in name order (every change takes them in the same order).
    const locked = await takeLocks();
    await change.signal(groupLockSignal, locked);
    // 2. The waves come to the handlers above, until the change says it is over.
    await condition(() => finish !== undefined);
  } catch (err) {
    // The change was cancelled or terminated: stop every device now, and put back what was deployed.
    if (!isCancellation(err)) throw err;
    finish ??= { rollback: true, reason: 'the change was cancelled' };
    cancelled = true;
  }

  // 3. Release or roll back every device, and wait for each to end.
  return await CancellationScope.nonCancellable(async () => {
    for (const member of members.values()) {
      if (!member.handle || member.ended) continue;
      // A cancel reaches a device in the middle of its runbook (it stops and rolls back); a finish waits for its end.
      if (cancelled) await getExternalWorkflowHandle(workflowIds.device(member.plan.device), member.handle.firstExecutionRunId).cancel().catch(() => undefined);
      else await member.handle.signal(memberFinishSignal, finish!).catch(() => undefined);
    }
    await condition(() => [...members.values()].every((m) => !m.handle || m.ended !== undefined));
    // A handler still forwarding an end or answering a fabric check must finish first: a signal
    // initiated in the workflow's last task is dropped once it has completed, and the wave would wait for ever.
    await condition(allHandlersFinished);
    return {
      members: [...members.values()].map((m) => m.ended ?? { device: m.plan.device, outcome: 'skipped' as const, reason: `not started: ${finish!.reason}`, needsOperator: false }),
    };
  });

  async function takeLocks(): Promise<{ group: string; locked: boolean; busy?: { device: string; holder: string } }> {
    const giveUpAt = Date.now() + input.lockTimeoutSeconds * 1000;
    const waiting = new Map<string, string>();
    for (const member of members.values()) {
      const { device } = member.plan;
      for (;;) {
        if (finish) return { group: workflowId, locked: false };
        try {
          member.handle = await startMember(device);
          break;
        } catch (err) {
          if (!isAlreadyStarted(err)) throw err;
        }
        const holder = describeHolder(device, await lockHolders.whoHolds(device));
        if (Date.now() >= giveUpAt) return { group: workflowId, locked: false, busy: { device, holder } };
        if (waiting.get(device) !== holder) {
          waiting.set(device, holder);
          await change.signal(groupLockSignal, { group: workflowId, locked: false, waiting: [{ device, holder }] });
        }
        await sleep(LOCK_RETRY);
      }
      watch(member);
    }
    return { group: workflowId, locked: true };
  }

  function startMember(device: string) {
    const memberInput: DeviceChangeInput = { ...input.device, device, member: true };
    return CancellationScope.nonCancellable(() =>
      startChild(DeviceChangeWorkflow, {
        workflowId: workflowIds.device(device),
        args: [memberInput, routing],
        // A group that is terminated asks its devices to stop: they roll back what they deployed.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        typedSearchAttributes: changeSearchAttributes({ devices: [device], changeId: input.changeId, kind: input.device.kind, requester: input.device.requester }),
        memo: { changeId: input.changeId, parentWorkflowId: workflowId },
      }),
    );
  }

  /** A device workflow can end on its own (an emergency pre-empts it): its end reaches the wave waiting for it. */
  function watch(member: Member): void {
    void member.handle!.result().then(
      (result) => ended(member, fromResult(result)),
      (err) => ended(member, fromFailure(member.plan.device, err)),
    );
  }

  async function ended(member: Member, outcome: MemberOutcome): Promise<void> {
    member.ended = outcome;
    const wave = member.awaitingWave;
    member.awaitingWave = undefined;
    if (wave) await tellWave(wave, asWaveOutcome(outcome));
  }

  async function tellWave(wave: string, outcome: WaveDeviceOutcome): Promise<void> {
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(wave).signal(waveDeviceSettledSignal, outcome)).catch(() => undefined);
  }

  function asWaveOutcome({ device, outcome, reason }: MemberOutcome): WaveDeviceOutcome {
    return { device, outcome, ...(reason ? { reason } : {}) };
  }

  /** Where a device's far ends are: before its own turn in wave `index`, or after wave `index` has settled. */
  function readinessAt(plan: MemberPlan, index: number, when: 'before' | 'after', notDeployed: ReadonlySet<string>): PeerReadiness {
    const ready: string[] = [];
    const pending: string[] = [];
    for (const peer of plan.peers) {
      if (notDeployed.has(peer.device)) continue;
      const done = peer.wave === -1 || peer.wave < index || (when === 'after' && peer.wave === index);
      (done ? ready : pending).push(peer.device);
    }
    return { ready, pending };
  }

  /**
   * The fabric check after wave `index`: every device of this group deployed
   * so far, against its baseline and with the far ends deployed by now. What
   * it finds down is read again until the settle time has run out.
   */
  async function fabricCheck(index: number, notDeployed: ReadonlySet<string>): Promise<Array<{ device: string; problems: string[] }>> {
    const checked = [...members.values()].filter((m) => m.settled?.deployed && m.settled.facts && !m.ended);
    if (checked.length === 0) return [];
    const expectations = new Map(
      checked.map((m) => [
        m.plan.device,
        baselineExpectations(m.settled!.facts!, m.settled!.baseline, readinessAt(m.plan, index, 'after', notDeployed), m.settled!.removedNeighbors ?? []),
      ]),
    );
    const giveUpAt = Date.now() + input.device.validation.settleTimeoutSeconds * 1000;
    let found = new Map<string, string[]>();
    let toRead = checked.map((m) => m.plan.device);
    for (;;) {
      found = new Map();
      const read = parseWorkflowInput(ReadDeviceStatesResult, await deviceScan.readDeviceStates({ devices: toRead, concurrency: 10 }), 'readDeviceStates result');
      for (const entry of read.devices) {
        const problems = 'unreachable' in entry ? [`unreachable: ${entry.unreachable}`] : unmetExpectations(expectations.get(entry.device)!, entry);
        if (problems.length > 0) found.set(entry.device, problems);
      }
      if (found.size === 0 || Date.now() >= giveUpAt) break;
      toRead = [...found.keys()];
      await sleep(FABRIC_RECHECK);
    }
    return [...found].map(([device, problems]) => ({ device, problems }));
  }
}

function fromResult(result: DeviceChangeResult): MemberOutcome {
  return {
    device: result.device,
    outcome: result.outcome,
    needsOperator: false,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.backup ? { backupId: result.backup.id } : {}),
    ...(result.diffSummary ? { diffSummary: result.diffSummary } : {}),
    ...(result.notes?.length ? { notes: result.notes } : {}),
    ...(result.preempted ? { preempted: result.preempted } : {}),
  };
}

/**
 * A device workflow that failed instead of returning its outcome: a failed
 * rollback (its result is in the failure), or an end nobody decided (it was
 * terminated, timed out, hit a bug). Either way the device may run a partial
 * config: never "nothing was done".
 */
function fromFailure(device: string, err: unknown): MemberOutcome {
  if (err instanceof ChildWorkflowFailure && failureType(err) === 'RollbackFailed') {
    const cause = err.cause as ApplicationFailure | undefined;
    const reported = DeviceChangeResult.safeParse(cause?.details?.[0]);
    if (reported.success) return { ...fromResult(reported.data), outcome: 'failed', needsOperator: true };
  }
  return {
    device,
    outcome: 'failed',
    needsOperator: true,
    reason: `the device workflow ${workflowIds.device(device)} ended without an outcome (${operatorReason(err)}): ${device} may run a partial config; compare it with its last backup and restore by hand if needed`,
  };
}

// Its waits (a time to live, a wave's soak, the rollout's hold) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, DeviceGroupWorkflow);
