import type { z } from 'zod';
import { ApplicationFailure, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  DeviceChangeInput,
  FetchDeviceConfigResult,
  type BackupRef,
  type DeployResult,
  type DeviceChangeResult,
  type DiffResult,
  type RollbackResult,
  type ValidationResult,
  validationExpectations,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { DeviceChangeReport, joinNote } from './change-report';
import { Compensations, type CompensationOutcome } from './compensation';
import { answerLockHolderQuestions } from './device-lock';

import { operatorReason, parseWorkflowInput } from './failures';
import { deviceProgressQuery, DeviceProgressTracker } from './progress';

/**
 * One device's part of a change, as the runbook has it:
 *
 *   1 fetch the intent          4 deploy (rollback registered as it starts)
 *   2 back up, archive          5 validate BGP, 6 validate interfaces
 *   3 diff (plan)               7 confirm the commit, 8 record the outcome
 *
 * Started by NetworkChangeWorkflow under the id `device/<name>`, which is the
 * device's lock. Before step 4 a failure has changed nothing and the device
 * is recorded `failed`; from step 4 on, any failure (or a cancellation)
 * restores the backup and the device is recorded `rolled-back`. A rollback
 * that fails is recorded `failed` and fails this workflow with
 * RollbackFailed: the device needs a human.
 */
export async function DeviceChangeWorkflow(
  rawInput: z.input<typeof DeviceChangeInput>,
  rawRouting: ActivityRoutingInput = {},
): Promise<DeviceChangeResult> {
  const input = parseWorkflowInput(DeviceChangeInput, rawInput, 'DeviceChangeWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DeviceChangeWorkflow routing');
  const { infrahub, deviceRead, deviceWrite, deviceValidate } = changeActivities(routing);
  const { device, changeId, branch, validation } = input;
  const { workflowId, parent } = workflowInfo();

  const progress = new DeviceProgressTracker(device);
  setHandler(deviceProgressQuery, () => progress.snapshot());
  answerLockHolderQuestions({ device, changeId, workflowId, ...(parent ? { parentWorkflowId: parent.workflowId } : {}) });
  const report = new DeviceChangeReport(input, workflowId, progress, infrahub);

  // ── Plan. Nothing on the device changes before step 4. ──
  let intended: FetchDeviceConfigResult;
  let backup: BackupRef;
  let plan: DiffResult;
  try {
    // 1. The intent from Infrahub, rendered to the device's native config.
    intended = await progress.step('fetch-intent', async () =>
      parseWorkflowInput(FetchDeviceConfigResult, await infrahub.fetchDeviceConfig({ device, ...(branch ? { branch } : {}) }), 'fetchDeviceConfig result'),
    );

    // 2. The whole running config, into the backup store: the rollback's target.
    backup = report.backup = await progress.step('backup', () => deviceRead.backupRunningConfig({ device, changeId, workflowId }));
    // A dry run keeps no record anywhere, not even in the backup history.
    if (!input.dryRun) {
      await progress.step('store-backup', () => deviceWrite.storeBackup({ backup, changeId, workflowId, reason: input.reason }));
    }

    // 3. The plan: the intended config against that backup.
    plan = report.plan = await progress.step('diff', () => deviceRead.diffConfig({ device, backup, config: intended.config }));
  } catch (err) {
    return report.failedBeforeDeploy(err);
  }

  if (input.dryRun) return report.finish('dry-run');
  if (plan.inSync) {
    const note = await report.record('in-sync', 'in-sync', 'the device already runs its intended config; nothing was deployed');
    return report.finish('in-sync', note);
  }

  // Infrahub shows the device as being changed before it is: if this is not
  // recorded (Infrahub down past its retries), nothing is deployed either.
  try {
    await progress.step('record-status', () => infrahub.updateDeviceStatus({ device, ...(branch ? { branch } : {}), state: 'deploying', changeId }));
  } catch (err) {
    return report.failedBeforeDeploy(err);
  }

  // ── Change. From here on, a failure puts the backup back. ──
  const expected = validationExpectations(intended.intent);
  const undo = new Compensations<RollbackResult>();
  let deployed: DeployResult | undefined;
  try {
    // 4. Deploy: one atomic Set replacing the managed paths and deleting the
    //    managed entries the intent dropped (the plan's stale paths); under
    //    commit-confirmed the device reverts by itself if this workflow never
    //    confirms. The rollback is registered before the deploy is awaited: a
    //    deploy whose answer was lost may still have landed.
    undo.add('restore the backup', () => restoreBackup(deployed?.commitId));
    deployed = await progress.step('deploy', () =>
      deviceWrite.deployConfig({
        device,
        changeId,
        config: intended.config,
        delete: plan.stalePaths,
        ...(validation.commitConfirmed ? { commitConfirmed: { rollbackDurationSeconds: commitConfirmWindowSeconds(validation.settleTimeoutSeconds) } } : {}),
      }),
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

    // 7. Keep it: confirm the pending commit before the device reverts it.
    const commitId = deployed.commitId;
    if (commitId) await progress.step('confirm', () => deviceWrite.confirmCommit({ device, commitId }));
  } catch (err) {
    return rolledBack(err, await undo.compensate());
  }

  // 8. The outcome, in Infrahub.
  const note = await report.record('deployed', 'deployed', `deployed: ${plan.summary}`, intended.checksum);
  return report.finish('deployed', note);

  // ── The undo of step 4, and what follows it. ──

  async function restoreBackup(commitId: string | undefined): Promise<RollbackResult> {
    const restored = await progress.step('rollback', () => deviceWrite.rollbackConfig({ device, backup, ...(commitId ? { commitId } : {}) }));
    // rollbackConfig reads the running config back and compares it with the
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

  async function rolledBack(cause: unknown, outcomes: CompensationOutcome<RollbackResult>[]): Promise<DeviceChangeResult> {
    const why = operatorReason(cause);
    const [rollback] = outcomes;
    if (rollback?.ok) {
      const reason = `${why}; rolled back (${rollback.value.method}): the running config is verified identical to backup ${backup.id}`;
      const note = await report.record('rolled-back', 'rolled-back', reason);
      const result = await report.finish('rolled-back', joinNote(reason, note));
      if (isCancellation(cause)) throw cause;
      return result;
    }
    const rollbackError = rollback ? operatorReason(rollback.error) : 'no rollback was registered';
    const reason = `${why}; ROLLBACK FAILED: ${rollbackError}; ${device} may run the new or a partial config: restore backup ${backup.id} by hand`;
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
