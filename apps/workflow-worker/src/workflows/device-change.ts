import type { z } from 'zod';
import { ApplicationFailure, CancellationScope, condition, getExternalWorkflowHandle, isCancellation, patched, setHandler, workflowInfo, setWorkflowOptions } from '@temporalio/workflow';
import { pinnedWhenVersioned } from './pinning';
import {
  baselineExpectations,
  commitConfirmWindowSeconds,
  deviceFacts,
  DeviceChangeInput,
  FetchDeviceConfigResult,
  PrepareDeployResult,
  ReadDeviceStatesResult,
  RenderedIntent,
  ValidateAndConfirmResult,
  type DeviceFacts,
  type DeviceStates,
  type PeerReadiness,
  type ValidationExpectations,
  type BackupRef,
  type ConfigPatch,
  type DeployedChangeInput,
  type DeployResult,
  type DeviceChangeResult,
  type DiffResult,
  type RollbackResult,
  type ValidationResult,
  expectationsOutsidePatch,
  removedNeighbors,
  validationExpectations,
  workflowIds,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DeviceChangeReport, joinNote, type ReportedPlan } from './change-report';
import { Compensations, type CompensationOutcome } from './compensation';
import { answerLockHolderQuestions, preemptSignal, revertNowSignal } from './device-lock';

import { applicationFailureOf, operatorReason, parseWorkflowInput } from './failures';
import { deviceProgressQuery, DeviceProgressTracker } from './progress';
import { deviceSettledSignal, memberFinishSignal, memberGoSignal, type DeviceSettled } from './rollout-signals';

/** Since this patch a backup is archived only when something is deployed (see step 2). */
const ARCHIVE_ONLY_TO_DEPLOY = 'archive-backup-only-to-deploy';
/**
 * Since this patch no config enters history (the rendered config travels as
 * a DocumentRef) and the happy path is six activities: render, prepare
 * (backup, plan, archive, baseline), record deploying, deploy, validate and
 * confirm, record the outcome. Changes begun before go on step by step.
 */
export const CONFIGS_BY_REFERENCE = 'configs-by-reference';

/** A rollout member's turn: the plan it was approved for, and where its far ends are. */
interface Turn {
  plannedChecksum?: string;
  readiness: PeerReadiness;
  wave: number;
}
/** The intent moved since the plan: the device was not touched, and needs a new plan and approval. */
interface IntentChanged {
  intentChanged: string;
}

/**
 * One device's part of a change, as the runbook has it:
 *
 *   1 fetch the intent          4 deploy (rollback registered as it starts)
 *   2 back up, archive          5 validate BGP, 6 validate interfaces
 *   3 diff (plan), baseline     7 confirm the commit and record what Synapse
 *                                 now owns, 8 record the outcome
 *
 * Runs under the id `device/<name>`, which is the device's lock. Before
 * step 4 a failure has changed nothing and the device is recorded `failed`.
 * A deploy the device refused was not applied: it is recorded `refused` and
 * nothing is restored. From step 4 on any other failure (or a cancellation)
 * puts the backup's values back on the paths the change touched (unless the
 * device already has them) and the device is recorded `rolled-back`. A
 * rollback that fails is recorded `failed` and fails this workflow with
 * RollbackFailed: the device needs a human.
 *
 * A rollout member (standard changes and drift remediations, started by a
 * DeviceGroupWorkflow when the rollout takes its locks) waits for its wave,
 * checks that the intent is still the one planned (else it reports
 * `intent-changed`, touches nothing and waits for a new plan), snapshots
 * the device's sessions and interfaces before deploying and validates
 * against that baseline and its far ends' place in the rollout, then holds
 * the device until the rollout ends, when it lets go or rolls back.
 *
 * An emergency change (kind `emergency`) runs the same steps, with three
 * differences: it may deploy an explicit patch instead of the intent (the
 * intent then only says what must still be up afterwards); it records the
 * device `needs-reconciliation`; and with a time to live it puts the backup
 * back once that has run out. A standard or drift-remediation change gives
 * way to an emergency (the `preempt` signal): it stops, rolls back what it
 * deployed, lets go of the device and records `pre-empted` in a workflow of
 * its own, so the emergency never waits on that record.
 */
export async function DeviceChangeWorkflow(
  rawInput: z.input<typeof DeviceChangeInput>,
  rawRouting: ActivityRoutingInput = {},
): Promise<DeviceChangeResult> {
  const input = parseWorkflowInput(DeviceChangeInput, rawInput, 'DeviceChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DeviceChangeWorkflow routing');
  const { infrahub, deviceRead, deviceWrite, deviceConfirm, deviceValidate, deviceRollback } = changeActivities(routing);
  const { device, changeId, branch, validation, patch, member } = input;
  const commitWindow = validation.commitConfirmed ? commitConfirmWindowSeconds(validation.settleTimeoutSeconds) : undefined;
  const rollback = deviceRollback(commitWindow);
  const { workflowId, parent } = workflowInfo();
  const emergency = input.kind === 'emergency';

  const progress = new DeviceProgressTracker(device, { reportToParent: !member });
  setHandler(deviceProgressQuery, () => progress.snapshot());
  // A rollout member's parent is its device group; whoever asks wants the change itself.
  const changeWorkflowId = member ? workflowIds.change(changeId) : parent?.workflowId;
  answerLockHolderQuestions({ device, changeId, kind: input.kind, workflowId, ...(changeWorkflowId ? { parentWorkflowId: changeWorkflowId } : {}) });
  const report = new DeviceChangeReport(input, workflowId, progress, infrahub, routing);
  /** Before CONFIGS_BY_REFERENCE: the intent and its config, in history. */
  let intended: FetchDeviceConfigResult;
  /** Since: the config's reference and what validation needs from the intent. */
  let rendered: RenderedIntent | undefined;
  let backup: BackupRef;
  let archiveOnlyToDeploy = false;
  let plan: ReportedPlan | undefined;
  /** What a rollout's fabric check needs from this device once it is deployed. */
  let facts: DeviceFacts | undefined;
  let baseline: DeviceStates | undefined;
  /** parked: a member waiting for its wave; running: the runbook; holding: deployed, waiting for the rollout's end; settling: deciding its own outcome. */
  let phase: 'parked' | 'running' | 'holding' | 'settling' = member ? 'parked' : 'running';
  let turn: Turn | undefined;
  let release: { rollback: boolean; reason: string } | undefined;

  // The runbook runs in its own scope so that an emergency can stop it the
  // way an operator's cancel would, without cancelling this workflow.
  let runbook = new CancellationScope();
  /** An operator's `synapse emergency revert`: the time to live ends now. */
  let revertNow: { by: string; reason: string } | undefined;
  if (emergency) {
    setHandler(revertNowSignal, (request) => {
      if (request.changeId === input.changeId) revertNow ??= request;
    });
  }
  if (!emergency) {
    setHandler(preemptSignal, (notice) => {
      // Once this change is settling its own outcome (a failure being rolled back, a success being
      // recorded), it is not relabelled pre-empted: the emergency waits for the lock until it ends.
      if (phase === 'settling') return;
      report.preemptedBy ??= notice;
      if (phase === 'running') runbook.cancel();
    });
  }
  if (!member) return (await runbook.run(() => changeDevice(undefined))) as DeviceChangeResult;

  setHandler(memberGoSignal, (next) => {
    if (phase === 'parked') turn = next;
  });
  setHandler(memberFinishSignal, (request) => {
    release ??= request;
  });
  return await asRolloutMember();

  /** A rollout member: parked until its wave, then the runbook, then the device held until the rollout lets go. */
  async function asRolloutMember(): Promise<DeviceChangeResult> {
    for (;;) {
      await untilCancelled(() => condition(() => turn !== undefined || release !== undefined || report.preemptedBy !== undefined));
      if (report.preemptedBy) {
        phase = 'settling';
        return report.letGoPreempted(`${report.preemptionReason()}; it came before this change's turn on ${device}, so nothing was done to it`, 'pending');
      }
      if (release) return report.finish('skipped', `the rollout ended before ${device}'s turn (${release.reason}); nothing was done to it`);

      const myTurn = turn!;
      turn = undefined;
      phase = 'running';
      runbook = new CancellationScope();
      const ran = await runbook.run(() => changeDevice(myTurn));
      if ('intentChanged' in ran) {
        phase = 'parked';
        await tellGroup({ device, outcome: 'intent-changed', deployed: false, checksum: ran.intentChanged, reason: `the intent changed since the plan (checksum ${ran.intentChanged.slice(0, 12)}…, planned ${myTurn.plannedChecksum?.slice(0, 12)}…): nothing was done; re-planned` });
        continue;
      }
      const deployed = ran.outcome === 'deployed';
      phase = deployed ? 'holding' : 'settling';
      await tellGroup({
        device,
        outcome: ran.outcome,
        deployed,
        ...(ran.reason ? { reason: ran.reason } : {}),
        ...(deployed && facts ? { facts } : {}),
        ...(deployed && baseline ? { baseline: { sessions: baseline.sessions, interfaces: baseline.interfaces } } : {}),
        ...(deployed ? { removedNeighbors: removedNeighbors(plan) } : {}),
      });
      if (ran.outcome === 'pre-empted') return ran;

      // Held until the rollout ends: another change cannot take the device between waves.
      await untilCancelled(() => progress.step('hold', () => condition(() => release !== undefined || report.preemptedBy !== undefined)));
      phase = 'settling';
      const change = deployedChange();
      if (report.preemptedBy) {
        if (!deployed) return ran;
        return await undoHeld(report.preemptionReason(), change, true);
      }
      if (release!.rollback && deployed) return await undoHeld(`the rollout asked for a rollback: ${release!.reason}`, change, false);
      // Released: the same outcome, now with the time it held the device.
      return report.finish(ran.outcome, ran.reason);
    }
  }

  /** Waits; a cancelled member (its group terminated) ends the way a rollback of the whole rollout would. */
  async function untilCancelled(wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      release ??= { rollback: true, reason: 'its device workflow was cancelled' };
    }
  }

  /** A deployed member put back to its backup after the rollout (a rollback of the rollout, or an emergency taking the device). */
  async function undoHeld(why: string, change: DeployedChangeInput, preempted: boolean): Promise<DeviceChangeResult> {
    let restored: RollbackResult;
    try {
      restored = await CancellationScope.nonCancellable(() => restoreBackup(undefined, change));
    } catch (err) {
      return rollbackFailed(why, err);
    }
    const reason = `${why}; ${restoredSentence(restored)} backup ${backup.id}`;
    if (preempted) return report.letGoPreempted(reason, 'rolled-back');
    const note = await report.record('rolled-back', 'rolled-back', reason);
    return report.finish('rolled-back', joinNote(reason, note));
  }

  async function tellGroup(settled: DeviceSettled): Promise<void> {
    if (!parent) return;
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(deviceSettledSignal, settled)).catch(() => undefined);
  }

  function deployedChange(): DeployedChangeInput {
    if (patch) return { update: patch.update, delete: patch.delete };
    return rendered ? { configRef: rendered.config, delete: plan?.stalePaths ?? [] } : { config: intended.config, delete: plan?.stalePaths ?? [] };
  }

  function intendedChecksum(): string {
    return rendered ? rendered.checksum : intended.checksum;
  }

  async function changeDevice(myTurn: Turn | undefined): Promise<DeviceChangeResult | IntentChanged> {
    if (patched(CONFIGS_BY_REFERENCE)) return changeDeviceByReference(myTurn);
    // ── Plan. Nothing on the device changes before step 4. ──
    try {
      // 1. The intent from Infrahub, rendered to the device's native config.
      intended = await progress.step('fetch-intent', async () =>
        parseWorkflowInput(FetchDeviceConfigResult, await infrahub.fetchDeviceConfig({ device, ...(branch ? { branch } : {}) }), 'fetchDeviceConfig result'),
      );
      report.intent = intended.source;
      // A rollout executes the plan that was approved: an intent edited since is planned and approved again.
      if (myTurn?.plannedChecksum !== undefined && intended.checksum !== myTurn.plannedChecksum) return { intentChanged: intended.checksum };

      // 2. The whole running config: the plan's base and the rollback's target.
      //    It is archived (a commit in the backup history, the id the result
      //    shows) only when something is deployed: a dry run keeps no record
      //    anywhere, an in-sync device adds no commit. Changes begun before
      //    that rule archive first, as they did.
      backup = await progress.step('backup', () => deviceRead.backupRunningConfig({ device, changeId, workflowId }));
      archiveOnlyToDeploy = patched(ARCHIVE_ONLY_TO_DEPLOY);
      if (!archiveOnlyToDeploy) {
        report.backup = backup;
        if (!input.dryRun) await progress.step('store-backup', () => deviceWrite.storeBackup({ backup, changeId, workflowId, reason: input.reason }));
      }

      // 3. The plan: the intended config against that backup, on what
      //    Synapse owns; refused when a policy the intent relies on is not on
      //    the device, or it deletes more than the budget (an emergency patch
      //    is its own plan: what it updates and deletes).
      if (patch) report.patchSummary = summarizePatch(patch);
      else {
        plan = report.plan = await progress.step('diff', () =>
          deviceRead.diffConfig({ device, backup, config: intended.config, scope: intended.scope, deletionBudget: input.deletionBudget }),
        );
      }
    } catch (err) {
      phase = 'settling';
      return report.failedBeforeDeploy(err);
    }

    if (input.dryRun) return report.finish('dry-run');
    if (plan?.inSync) {
      const note = await report.record('in-sync', 'in-sync', 'the device already runs its intended config; nothing was deployed');
      return report.finish('in-sync', note);
    }
    if (archiveOnlyToDeploy) {
      try {
        await progress.step('store-backup', () => deviceWrite.storeBackup({ backup, changeId, workflowId, reason: input.reason }));
        report.backup = backup;
      } catch (err) {
        phase = 'settling';
        return report.failedBeforeDeploy(err);
      }
    }

    // 3b. A rollout member validates against what was up before: the baseline.
    const expected = await expectThenRecordDeploying(async () =>
      myTurn ? await baselineFor(myTurn) : patch ? expectationsOutsidePatch(intended.intent, patchPaths(patch)) : validationExpectations(intended.intent),
    );
    if ('outcome' in expected) return expected;

    // ── Change. From here on, a failure puts the backup back. ──
    const undo = new Compensations<RollbackResult>();
    // What the deploy writes: also exactly what a rollback puts back and a confirm checks.
    const change = deployedChange();
    let deployed: DeployResult | undefined;
    try {
      // 4. Deploy: one atomic Set of what the change owns (each entry's owned
      //    leaves merged, wholly owned policies replaced, the plan's deletions);
      //    under commit-confirmed the device reverts by itself if this workflow
      //    never confirms. The rollback is registered before the deploy is
      //    awaited: a deploy whose answer was lost may still have landed.
      undo.add('restore the backup', () => restoreBackup(deployed?.commitId, change));
      deployed = await deploy(change);

      // 5. Every expected BGP neighbor established within the settle time.
      report.validation.bgp = await progress.step(
        'validate-bgp',
        () => deviceValidate.validateBgp({ device, neighbors: expected.neighbors, settleTimeoutSeconds: validation.settleTimeoutSeconds }),
        settleWait(`${expected.neighbors.length} BGP neighbor(s) to establish`, validation.settleTimeoutSeconds),
      );
      requirePassed(report.validation.bgp);

      // 6. Every intended interface in its admin and oper state.
      report.validation.interfaces = await progress.step(
        'validate-interfaces',
        () => deviceValidate.validateInterfaces({ device, interfaces: expected.interfaces, settleTimeoutSeconds: validation.settleTimeoutSeconds }),
        settleWait(`${expected.interfaces.length} interface(s) to reach their state`, validation.settleTimeoutSeconds),
      );
      requirePassed(report.validation.interfaces);

      // 7. Keep it: confirm the pending commit before the device reverts it. A
      //    confirm whose answer was lost is settled by reading the device back.
      const commitId = deployed.commitId;
      if (commitId) await progress.step('confirm', () => deviceConfirm.confirmCommit({ device, commitId, deployed: change }));
    } catch (err) {
      phase = 'settling';
      // The device said no to the Set and applied none of it: there is nothing to put back.
      if (deployed === undefined && !report.preemptedBy && notApplied(err)) return refused(err);
      return rolledBack(err, await undo.compensate());
    }

    // 7. What Synapse owns now: the next change may delete what this one
    //    wrote and its intent drops, and nothing else. A patch owns nothing;
    //    an emergency with a time to live gives the device back at its end.
    const ownershipNote = ownsWhatItDeploys() ? await recordOwnership() : undefined;
    return await settleDeployed(ownershipNote);
  }

  /** A patch owns nothing; an emergency with a time to live gives the device back at its end. */
  function ownsWhatItDeploys(): boolean {
    return !patch && input.revertAfterSeconds === undefined;
  }

  /** Deployed, validated and confirmed: the outcome recorded, and an emergency's time to live waited out. */
  async function settleDeployed(ownershipNote: string | undefined): Promise<DeviceChangeResult> {
    // A member now holds a deployed device: an emergency's pre-emption from here on puts the backup back after this step.
    phase = member ? 'holding' : 'settling';
    // 8. The outcome, in Infrahub. An emergency leaves the device to be
    //    reconciled: Infrahub's intent has to catch up with what was done.
    if (!emergency) {
      const note = await report.record('deployed', 'deployed', `deployed: ${plan?.summary ?? report.patchSummary}`, intendedChecksum());
      return report.finish('deployed', joinNotes(ownershipNote, note));
    }
    const applied = `emergency change for ${input.ticket ?? 'no ticket'} deployed and validated: ${report.patchSummary ?? plan?.summary}; reconcile Infrahub's intent with it`;
    const note = await report.record('needs-reconciliation', 'deployed', applied);
    if (input.revertAfterSeconds === undefined) return report.finish('deployed', joinNote(applied, joinNotes(ownershipNote, note)));

    // 9. An emergency with a time to live: wait, then put the backup back.
    //    Cancelling the change during the wait reverts at once.
    let cancelledWhileWaiting: unknown;
    try {
      // A timer like sleep's (the same command on replay), ended early by a revert-now.
      await progress.step(
        'await-revert',
        () => condition(() => revertNow !== undefined, input.revertAfterSeconds! * 1000),
        `reverts to backup ${backup.id} at ${new Date(Date.now() + input.revertAfterSeconds! * 1000).toISOString()} (synapse emergency revert ${changeId} to revert now)`,
      );
    } catch (err) {
      if (!isCancellation(err)) throw err;
      cancelledWhileWaiting = err;
    }
    const ttl = `time to live of ${input.revertAfterSeconds} s ${cancelledWhileWaiting ? 'cut short by a cancel' : revertNow ? `cut short by ${revertNow.by}${revertNow.reason ? ` (${revertNow.reason})` : ''}` : 'ran out'}`;
    let revert: RollbackResult;
    try {
      revert = await CancellationScope.nonCancellable(() => restoreBackup(undefined, deployedChange()));
    } catch (err) {
      return rollbackFailed(ttl, err);
    }
    const reverted = `${ttl}: reverted (${revert.method}), what it changed is verified identical to backup ${backup.id} again; reconcile Infrahub's intent`;
    const revertNote = await report.record('needs-reconciliation', 'reverted', reverted);
    const result = await report.finish('reverted', joinNote(reverted, revertNote));
    if (cancelledWhileWaiting !== undefined) throw cancelledWhileWaiting;
    return result;
  }

  /**
   * The runbook since configs left history: the same steps and the same
   * rules, in six round trips on the happy path, with the rendered config
   * named by its digest (the deploy reads it and checks it is the one planned).
   */
  async function changeDeviceByReference(myTurn: Turn | undefined): Promise<DeviceChangeResult | IntentChanged> {
    // ── Plan. Nothing on the device changes before step 4. ──
    let baselineRead: PrepareDeployResult['baseline'];
    try {
      // 1. The intent from Infrahub, rendered into the document store.
      const intent = await progress.step('fetch-intent', async () =>
        parseWorkflowInput(
          RenderedIntent,
          await infrahub.renderDeviceIntent({ device, ...(branch ? { branch } : {}), ...(patch ? { patchPaths: patchPaths(patch) } : {}) }),
          'renderDeviceIntent result',
        ),
      );
      rendered = intent;
      report.intent = intent.source;
      if (myTurn?.plannedChecksum !== undefined && intent.checksum !== myTurn.plannedChecksum) return { intentChanged: intent.checksum };

      // 2 and 3. The backup, the plan against it (an emergency patch is its
      //    own plan), the archive when something will be deployed, and a
      //    member's baseline: one round trip to the device worker.
      if (patch) report.patchSummary = summarizePatch(patch);
      const prepared = await progress.stepInParts(
        'backup',
        async () =>
        parseWorkflowInput(
          PrepareDeployResult,
          await deviceRead.prepareDeploy({
            device,
            changeId,
            workflowId,
            reason: input.reason,
            config: intent.config,
            scope: intent.scope,
            deletionBudget: input.deletionBudget,
            dryRun: input.dryRun,
            backupOnly: patch !== undefined,
            baseline: myTurn !== undefined,
          }),
          'prepareDeploy result',
        ),
        (result) => result.steps,
      );
      backup = prepared.backup;
      if (prepared.archived) report.backup = backup;
      if (prepared.plan) plan = report.plan = prepared.plan;
      baselineRead = prepared.baseline;
    } catch (err) {
      phase = 'settling';
      return report.failedBeforeDeploy(err);
    }

    if (input.dryRun) return report.finish('dry-run');
    if (plan?.inSync) {
      const note = await report.record('in-sync', 'in-sync', 'the device already runs its intended config; nothing was deployed');
      return report.finish('in-sync', note);
    }

    const expected = await expectThenRecordDeploying(() => (myTurn ? baselineFrom(rendered!.facts, baselineRead, myTurn) : rendered!.expectations));
    if ('outcome' in expected) return expected;

    // ── Change. From here on, a failure puts the backup back. ──
    const undo = new Compensations<RollbackResult>();
    const change = deployedChange();
    let deployed: DeployResult | undefined;
    let checked: ValidateAndConfirmResult;
    try {
      // 4. Deploy: one atomic Set, under commit-confirmed when asked.
      undo.add('restore the backup', () => restoreBackup(deployed?.commitId, change));
      deployed = await deploy(change);

      // 5–7. BGP and interfaces within one settle window; when both pass the
      //      commit is confirmed at once and the config recorded as owned.
      const commitId = deployed.commitId;
      checked = await progress.stepInParts(
        'validate-bgp',
        async () =>
          parseWorkflowInput(
            ValidateAndConfirmResult,
            await deviceValidate.validateAndConfirm({
              device,
              changeId,
              workflowId,
              neighbors: expected.neighbors,
              interfaces: expected.interfaces,
              settleTimeoutSeconds: validation.settleTimeoutSeconds,
              ...(commitId ? { confirm: { commitId, deployed: change } } : {}),
              ...(ownsWhatItDeploys() ? { recordOwnership: rendered!.config } : {}),
            }),
            'validateAndConfirm result',
          ),
        (result) => result.steps,
        settleWait(`${expected.neighbors.length} BGP neighbor(s) to establish and ${expected.interfaces.length} interface(s) to reach their state`, validation.settleTimeoutSeconds),
      );
      report.validation.bgp = checked.bgp;
      report.validation.interfaces = checked.interfaces;
      requirePassed(checked.bgp);
      requirePassed(checked.interfaces);
    } catch (err) {
      phase = 'settling';
      if (deployed === undefined && !report.preemptedBy && notApplied(err)) return refused(err);
      return rolledBack(err, await undo.compensate());
    }
    const ownershipNote = checked.ownershipProblem
      ? `the ownership record could not be written (${checked.ownershipProblem}): until a later change records it, what this change added is not deleted when the intent drops it`
      : undefined;
    return await settleDeployed(ownershipNote);
  }

  /**
   * What validation will expect, then Infrahub told the device is being
   * changed, before it is: if that cannot be recorded (Infrahub down past its
   * retries), nothing is deployed either. A failure here ends the change with
   * nothing deployed (its result is returned instead of the expectations).
   */
  async function expectThenRecordDeploying(expectations: () => ValidationExpectations | Promise<ValidationExpectations>): Promise<ValidationExpectations | DeviceChangeResult> {
    try {
      const expected = await expectations();
      await progress.step('record-status', () => infrahub.updateDeviceStatus({ device, state: 'deploying', changeId }));
      return expected;
    } catch (err) {
      phase = 'settling';
      return report.failedBeforeDeploy(err);
    }
  }

  /** Step 4's Set, under commit-confirmed when the change asks for it. */
  function deploy(change: DeployedChangeInput): Promise<DeployResult> {
    return progress.step('deploy', () =>
      deviceWrite.deployConfig({ device, changeId, ...change, ...(commitWindow !== undefined ? { commitConfirmed: { rollbackDurationSeconds: commitWindow } } : {}) }),
    );
  }

  /** A member's baseline-relative expectations from the state prepareDeploy read before the deploy. */
  function baselineFrom(deviceFactsOfIntent: DeviceFacts, states: PrepareDeployResult['baseline'], myTurn: Turn): ValidationExpectations {
    facts = deviceFactsOfIntent;
    baseline = states;
    const expectations = baselineExpectations(facts, baseline, myTurn.readiness, removedNeighbors(plan));
    report.notes = [...expectations.deferred, ...expectations.waiting].map((n) => `${n.subject}: ${n.reason}`);
    return expectations;
  }

  /**
   * Baseline-relative validation: the device's sessions and interfaces read
   * just before the deploy, and its far ends' place in the rollout. What
   * is not checked now (a far end still to come, one outside the change
   * that was not up) goes into the result's notes, never a silent wait.
   */
  async function baselineFor(myTurn: Turn): Promise<ValidationExpectations> {
    facts = deviceFacts(intended.intent);
    const read = await progress.step('baseline', async () =>
      parseWorkflowInput(ReadDeviceStatesResult, await deviceRead.readDeviceStates({ devices: [device], concurrency: 1 }), 'readDeviceStates result'),
    );
    const [states] = read.devices;
    return baselineFrom(facts, states && !('unreachable' in states) ? states : undefined, myTurn);
  }

  // ── The undo of step 4, and what follows it. ──

  async function restoreBackup(commitId: string | undefined, touched: DeployedChangeInput): Promise<RollbackResult> {
    const restored = await progress.step('rollback', () => rollback.rollbackConfig({ device, backup, ...(commitId ? { commitId } : {}), touched }));
    // rollbackConfig reads the touched paths back and compares them with the
    // backup; a rollback is good only when that comparison says so.
    if (!restored.verified) {
      throw ApplicationFailure.create({
        type: 'RollbackFailed',
        nonRetryable: true,
        message: `${device}: after the rollback the running config still differs from backup ${backup.id} at ${restored.mismatchedPaths.join(', ') || 'unnamed paths'}`,
      });
    }
    return restored;
  }

  /** After a confirmed deploy; a failure to record is said, not fatal: the device runs the change. */
  async function recordOwnership(): Promise<string | undefined> {
    try {
      await CancellationScope.nonCancellable(() =>
        progress.step('record-ownership', () => deviceWrite.recordOwnership({ device, changeId, workflowId, config: intended.config })),
      );
      return undefined;
    } catch (err) {
      return `the ownership record could not be written (${operatorReason(err)}): until a later change records it, what this change added is not deleted when the intent drops it`;
    }
  }

  /** The Set was refused and not applied: recorded as such, nothing restored. */
  async function refused(cause: unknown): Promise<DeviceChangeResult> {
    const reason = `${operatorReason(cause)}; nothing was changed on ${device}, so nothing was restored`;
    const note = await report.record('failed', 'refused', reason);
    const result = await report.finish('refused', joinNote(reason, note));
    if (isCancellation(cause) && !member) throw cause;
    return result;
  }

  async function rolledBack(cause: unknown, outcomes: CompensationOutcome<RollbackResult>[]): Promise<DeviceChangeResult> {
    const preempted = report.preemptedBy;
    const why = preempted ? report.preemptionReason() : operatorReason(cause);
    const [restore] = outcomes;
    if (restore?.ok) {
      const reason = `${why}; ${restoredSentence(restore.value)} backup ${backup.id}`;
      // Pre-empted: the emergency is waiting for the device, not for Infrahub.
      if (preempted) return report.letGoPreempted(reason, 'rolled-back');
      const note = await report.record('rolled-back', 'rolled-back', reason);
      const result = await report.finish('rolled-back', joinNote(reason, note));
      // A member's rollout reads its outcome from the result, cancelled or not.
      if (isCancellation(cause) && !member) throw cause;
      return result;
    }
    return rollbackFailed(why, restore ? restore.error : undefined);
  }

  async function rollbackFailed(why: string, error: unknown): Promise<DeviceChangeResult> {
    const rollbackError = error === undefined ? 'no rollback was registered' : operatorReason(error);
    const reason = `${why}; ROLLBACK FAILED: ${rollbackError}; ${device} may run the new or a partial config: restore backup ${backup!.id} by hand`;
    const note = await report.record('failed', 'failed', reason);
    const result = await report.finish('failed', joinNote(reason, note));
    // Loud on purpose: the device is in an unknown state and needs a human.
    throw ApplicationFailure.create({ type: 'RollbackFailed', nonRetryable: true, message: result.reason ?? reason, details: [result] });
  }
}

function restoredSentence(restored: RollbackResult): string {
  return restored.method === 'already-identical'
    ? 'nothing to restore: the device already matched'
    : `rolled back (${restored.method}): what the change touched is verified identical to`;
}

/** A validation that did not pass fails the change with every failing check in the reason. */
function requirePassed(result: ValidationResult): void {
  if (result.passed) return;
  const failing = result.checks.filter((c) => !c.ok).map((c) => c.reason ?? `${c.subject}: ${c.actual}, expected ${c.expected}`);
  const what = result.kind === 'bgp' ? 'BGP' : 'interface';
  throw ApplicationFailure.create({
    type: 'ValidationFailed',
    nonRetryable: true,
    message: `${what} validation failed on ${result.device}: ${failing.join('; ') || 'no check passed'}`,
  });
}

/** A deploy the device refused outright: its error says the Set was not applied (device-worker's deployConfig). */
function notApplied(err: unknown): boolean {
  const details = applicationFailureOf(err)?.details?.[0] as { applied?: unknown } | undefined;
  return details?.applied === false;
}

function joinNotes(...notes: Array<string | undefined>): string | undefined {
  const present = notes.filter((n): n is string => n !== undefined);
  return present.length > 0 ? present.join('; ') : undefined;
}

/** Every path an emergency patch touches. */
function patchPaths(patch: ConfigPatch): string[] {
  return [...patch.update.map((u) => u.path), ...patch.delete];
}

/** The patch as its own plan, in the diff summary's words: counts, then the paths. */
function summarizePatch(patch: ConfigPatch): string {
  const paths = patchPaths(patch);
  const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? `, … (${paths.length - 5} more)` : '');
  return `patch: ${patch.update.length} updated, ${patch.delete.length} deleted: ${shown}`;
}

/** A validation's DETAIL while it waits: what, and the end of its settle window (workflow time, so the same on replay). */
function settleWait(what: string, settleSeconds: number): string {
  return `waiting for ${what}, at most until ${new Date(Date.now() + settleSeconds * 1000).toISOString()}`;
}

// Its waits (a time to live, a wave's soak, the rollout's hold) can outlast a deploy: it finishes on the build that began it.
setWorkflowOptions(pinnedWhenVersioned, DeviceChangeWorkflow);
