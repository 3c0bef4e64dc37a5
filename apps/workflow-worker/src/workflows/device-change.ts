import type { z } from 'zod';
import { ApplicationFailure, CancellationScope, isCancellation, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  DeviceChangeInput,
  FetchDeviceConfigResult,
  type BackupRef,
  type ConfigPatch,
  type DeployedChangeInput,
  type DeployResult,
  type DeviceChangeResult,
  type DiffResult,
  type RollbackResult,
  type ValidationResult,
  expectationsOutsidePatch,
  validationExpectations,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DeviceChangeReport, joinNote } from './change-report';
import { Compensations, type CompensationOutcome } from './compensation';
import { answerLockHolderQuestions, preemptSignal } from './device-lock';

import { applicationFailureOf, operatorReason, parseWorkflowInput } from './failures';
import { deviceProgressQuery, DeviceProgressTracker } from './progress';

/**
 * One device's part of a change, as the runbook has it:
 *
 *   1 fetch the intent          4 deploy (rollback registered as it starts)
 *   2 back up, archive          5 validate BGP, 6 validate interfaces
 *   3 diff (plan)               7 confirm the commit and record what Synapse
 *                                 now owns, 8 record the outcome
 *
 * Started by NetworkChangeWorkflow under the id `device/<name>`, which is the
 * device's lock. Before step 4 a failure has changed nothing and the device
 * is recorded `failed`. A deploy the device refused was not applied: it is
 * recorded `refused` and nothing is restored. From step 4 on any other
 * failure (or a cancellation) puts the backup's values back on the paths
 * the change touched (unless the device already has them) and the device is
 * recorded `rolled-back`. A rollback that fails is recorded `failed` and
 * fails this workflow with RollbackFailed: the device needs a human.
 *
 * An emergency change (kind `emergency`) runs the same steps, with three
 * differences: it may deploy an explicit patch instead of the intent (the
 * intent then only says what must still be up afterwards); it records the
 * device `needs-reconciliation`; and with a time to live it puts the backup
 * back once that has run out. A standard or drift-remediation change gives
 * way to an emergency (the `preempt` signal): it stops, rolls back what it
 * deployed and ends `pre-empted`, so the emergency can take the lock.
 */
export async function DeviceChangeWorkflow(
  rawInput: z.input<typeof DeviceChangeInput>,
  rawRouting: ActivityRoutingInput = {},
): Promise<DeviceChangeResult> {
  const input = parseWorkflowInput(DeviceChangeInput, rawInput, 'DeviceChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DeviceChangeWorkflow routing');
  const { infrahub, deviceRead, deviceWrite, deviceValidate, deviceRollback } = changeActivities(routing);
  const { device, changeId, branch, validation, patch } = input;
  const commitWindow = validation.commitConfirmed ? commitConfirmWindowSeconds(validation.settleTimeoutSeconds) : undefined;
  const rollback = deviceRollback(commitWindow);
  const { workflowId, parent } = workflowInfo();
  const emergency = input.kind === 'emergency';

  const progress = new DeviceProgressTracker(device);
  setHandler(deviceProgressQuery, () => progress.snapshot());
  answerLockHolderQuestions({ device, changeId, kind: input.kind, workflowId, ...(parent ? { parentWorkflowId: parent.workflowId } : {}) });
  const report = new DeviceChangeReport(input, workflowId, progress, infrahub);
  let intended: FetchDeviceConfigResult;
  let backup: BackupRef;
  let plan: DiffResult | undefined;
  let settling = false;

  // The runbook runs in its own scope so that an emergency can stop it the
  // way an operator's cancel would, without cancelling this workflow.
  const runbook = new CancellationScope();
  if (!emergency) {
    setHandler(preemptSignal, (notice) => {
      // Once this change is settling its own outcome (a failure being rolled back, a success being
      // recorded), it is not relabelled pre-empted: the emergency waits for the lock until it ends.
      if (settling) return;
      report.preemptedBy ??= notice;
      runbook.cancel();
    });
  }
  return await runbook.run(changeDevice);

  async function changeDevice(): Promise<DeviceChangeResult> {
    // ── Plan. Nothing on the device changes before step 4. ──
    try {
      // 1. The intent from Infrahub, rendered to the device's native config.
      intended = await progress.step('fetch-intent', async () =>
        parseWorkflowInput(FetchDeviceConfigResult, await infrahub.fetchDeviceConfig({ device, ...(branch ? { branch } : {}) }), 'fetchDeviceConfig result'),
      );
      report.intent = intended.source;

      // 2. The whole running config, into the backup store: the rollback's target.
      backup = report.backup = await progress.step('backup', () => deviceRead.backupRunningConfig({ device, changeId, workflowId }));
      // A dry run keeps no record anywhere, not even in the backup history.
      if (!input.dryRun) {
        await progress.step('store-backup', () => deviceWrite.storeBackup({ backup, changeId, workflowId, reason: input.reason }));
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
      settling = true;
      return report.failedBeforeDeploy(err);
    }

    if (input.dryRun) return report.finish('dry-run');
    if (plan?.inSync) {
      const note = await report.record('in-sync', 'in-sync', 'the device already runs its intended config; nothing was deployed');
      return report.finish('in-sync', note);
    }

    // Infrahub shows the device as being changed before it is: if this is not
    // recorded (Infrahub down past its retries), nothing is deployed either.
    try {
      await progress.step('record-status', () => infrahub.updateDeviceStatus({ device, state: 'deploying', changeId }));
    } catch (err) {
      settling = true;
      return report.failedBeforeDeploy(err);
    }

    // ── Change. From here on, a failure puts the backup back. ──
    const expected = patch ? expectationsOutsidePatch(intended.intent, patchPaths(patch)) : validationExpectations(intended.intent);
    const undo = new Compensations<RollbackResult>();
    // What the deploy writes: also exactly what a rollback puts back and a confirm checks.
    const change: DeployedChangeInput = patch ? { update: patch.update, delete: patch.delete } : { config: intended.config, delete: plan?.stalePaths ?? [] };
    let deployed: DeployResult | undefined;
    try {
      // 4. Deploy: one atomic Set of what the change owns (each entry's owned
      //    leaves merged, wholly owned policies replaced, the plan's deletions);
      //    under commit-confirmed the device reverts by itself if this workflow
      //    never confirms. The rollback is registered before the deploy is
      //    awaited: a deploy whose answer was lost may still have landed.
      undo.add('restore the backup', () => restoreBackup(deployed?.commitId, change));
      deployed = await progress.step('deploy', () =>
        deviceWrite.deployConfig({ device, changeId, ...change, ...(commitWindow !== undefined ? { commitConfirmed: { rollbackDurationSeconds: commitWindow } } : {}) }),
      );

      // 5. Every expected BGP neighbor established within the settle time.
      report.validation.bgp = await progress.step('validate-bgp', () =>
        deviceValidate.validateBgp({ device, neighbors: expected.neighbors, settleTimeoutSeconds: validation.settleTimeoutSeconds }),
      );
      requirePassed(report.validation.bgp);

      // 6. Every intended interface in its admin and oper state.
      report.validation.interfaces = await progress.step('validate-interfaces', () =>
        deviceValidate.validateInterfaces({ device, interfaces: expected.interfaces, settleTimeoutSeconds: validation.settleTimeoutSeconds }),
      );
      requirePassed(report.validation.interfaces);

      // 7. Keep it: confirm the pending commit before the device reverts it. A
      //    confirm whose answer was lost is settled by reading the device back.
      const commitId = deployed.commitId;
      if (commitId) await progress.step('confirm', () => deviceWrite.confirmCommit({ device, commitId, deployed: change }));
    } catch (err) {
      settling = true;
      // The device said no to the Set and applied none of it: there is nothing to put back.
      if (deployed === undefined && !report.preemptedBy && notApplied(err)) return refused(err);
      return rolledBack(err, await undo.compensate());
    }

    // 7. What Synapse owns now: the next change may delete what this one
    //    wrote and its intent drops, and nothing else. A patch owns nothing;
    //    an emergency with a time to live gives the device back at its end.
    const ownershipNote = patch || input.revertAfterSeconds !== undefined ? undefined : await recordOwnership();

    settling = true;
    // 8. The outcome, in Infrahub. An emergency leaves the device to be
    //    reconciled: Infrahub's intent has to catch up with what was done.
    if (!emergency) {
      const note = await report.record('deployed', 'deployed', `deployed: ${plan?.summary ?? report.patchSummary}`, intended.checksum);
      return report.finish('deployed', joinNotes(ownershipNote, note));
    }
    const applied = `emergency change for ${input.ticket ?? 'no ticket'} deployed and validated: ${report.patchSummary ?? plan?.summary}; reconcile Infrahub's intent with it`;
    const note = await report.record('needs-reconciliation', 'deployed', applied);
    if (input.revertAfterSeconds === undefined) return report.finish('deployed', joinNote(applied, joinNotes(ownershipNote, note)));

    // 9. An emergency with a time to live: wait, then put the backup back.
    //    Cancelling the change during the wait reverts at once.
    let cancelledWhileWaiting: unknown;
    try {
      await progress.step('await-revert', () => sleep(input.revertAfterSeconds! * 1000));
    } catch (err) {
      if (!isCancellation(err)) throw err;
      cancelledWhileWaiting = err;
    }
    const ttl = `time to live of ${input.revertAfterSeconds} s ${cancelledWhileWaiting ? 'cut short by a cancel' : 'ran out'}`;
    let revert: RollbackResult;
    try {
      revert = await CancellationScope.nonCancellable(() => restoreBackup(undefined, change));
    } catch (err) {
      return rollbackFailed(ttl, err);
    }
    const reverted = `${ttl}: reverted (${revert.method}), what it changed is verified identical to backup ${backup.id} again; reconcile Infrahub's intent`;
    const revertNote = await report.record('needs-reconciliation', 'reverted', reverted);
    const result = await report.finish('reverted', joinNote(reverted, revertNote));
    if (cancelledWhileWaiting !== undefined) throw cancelledWhileWaiting;
    return result;
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
    if (isCancellation(cause)) throw cause;
    return result;
  }

  async function rolledBack(cause: unknown, outcomes: CompensationOutcome<RollbackResult>[]): Promise<DeviceChangeResult> {
    const preempted = report.preemptedBy;
    const why = preempted ? report.preemptionReason() : operatorReason(cause);
    const [restore] = outcomes;
    if (restore?.ok) {
      const how = restore.value.method === 'already-identical' ? 'nothing to restore: the device already matched' : `rolled back (${restore.value.method}): what the change touched is verified identical to`;
      const reason = `${why}; ${how} backup ${backup.id}`;
      const note = await report.record('rolled-back', preempted ? 'pre-empted' : 'rolled-back', reason);
      const result = await report.finish(preempted ? 'pre-empted' : 'rolled-back', joinNote(reason, note));
      // Pre-empted is an answer, not a cancellation: the rest of the parent's change goes on.
      if (isCancellation(cause) && !preempted) throw cause;
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

/**
 * How long the device waits for confirmCommit before reverting by itself. It
 * must outlast both validations (up to the settle time each) plus the
 * activities' overhead and a worker restart. If it runs out anyway,
 * confirmCommit fails and the rollback path takes over, so the cost of too
 * short is a needless rollback and the cost of too long only a slower
 * self-rescue of a device whose workflow is stuck.
 */
export function commitConfirmWindowSeconds(settleTimeoutSeconds: number): number {
  const margin = 120;
  return Math.min(86_400, Math.max(30, Math.ceil(2 * settleTimeoutSeconds + margin)));
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
