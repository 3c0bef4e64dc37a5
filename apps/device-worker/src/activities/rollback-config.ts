import type { z } from 'zod';
import { isSynapseError, parseInput, RollbackConfigInput, SynapseError, type BackupRef, type RollbackResult } from '@synapse/contracts';
import { restoreOperations, touchedBy, touchedDifferences, touchedView, type Touched } from '@synapse/device-config';
import type { GnmiClient } from '@synapse/gnmi-client';
import { parseBackup } from '../backup-store/backup-document';
import { BackupIntegrityError } from '../backup-store/backup-store';
import type { ActivityRuntime } from './deps';
import { resolveDeployedChange } from './documents';
import { progressHeartbeat } from '@synapse/observability';

/**
 * Puts back, from the backup, exactly what a change touched, and proves it.
 * It can only make things better:
 *
 *  1. The backup is read and verified (sha256, size) before anything else:
 *     a corrupted or missing backup is refused with RollbackFailed and the
 *     device is not touched (a pending confirmed commit is left to its own
 *     timer, which reverts it anyway).
 *  2. With a commit id: cancel that pending confirmed commit; the device
 *     restores its own pre-commit config. "No commit pending" means it
 *     already went (expired, cancelled by an earlier attempt, never made);
 *     a pending commit of someone else is CommitPending.
 *  3. Read the running config. When the touched paths already equal the
 *     backup (the cancel did it, the device reverted by itself, the Set
 *     never landed) nothing is written: `cancel-commit` or `already-identical`.
 *  4. Otherwise one Set puts the backup's values back on the touched paths
 *     only (device-config's restoreOperations): config anyone else changed
 *     since the backup, anywhere else on the device, is left as it is. Never
 *     a replace of the root.
 *  5. Read back and compare the touched paths with the backup in canonical
 *     form; a difference is RollbackFailed naming the paths.
 *
 * An unreachable device is a retryable failure: the workflow's rollback
 * profile retries until past the commit-confirmed window, by when an
 * unconfirmed deploy has reverted by itself and step 3 finds it so.
 * Running it again converges.
 */
export function rollbackConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof RollbackConfigInput>): Promise<RollbackResult> => {
    const { device, backup, commitId, touched: given } = parseInput(RollbackConfigInput, input, 'rollbackConfig input');
    if (backup.device !== device) {
      throw new SynapseError('InvalidInput', `rollbackConfig input: backup.device is ${backup.device}, not ${device}`, { device, fields: ['backup.device'] });
    }
    const change = await resolveDeployedChange(runtime, device, given, 'touched');
    const backupConfig = await readVerifiedBackup(runtime, backup);
    const touched = touchedBy(change);
    const expected = touchedView(backupConfig, touched);

    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, backupId: backup.id, phase: commitId ? 'cancel-commit' : 'read' });
      return progress.during(async (): Promise<RollbackResult> => {
        const cancelled = commitId ? await cancelPendingCommit(client, device, commitId) : false;
        progress.update({ phase: 'compare' });
        if ((await differences(client, expected, touched)).length === 0) {
          return { device, method: cancelled ? 'cancel-commit' : 'already-identical', verified: true, mismatchedPaths: [] };
        }
        progress.update({ phase: 'restore' });
        await client.set(restoreOperations(backupConfig, touched));
        progress.update({ phase: 'verify' });
        const mismatched = await differences(client, expected, touched);
        if (mismatched.length > 0) {
          const shown = mismatched.slice(0, 20).join(', ') + (mismatched.length > 20 ? `, … (${mismatched.length} in all)` : '');
          throw new SynapseError('RollbackFailed', `${device}: after restoring backup ${backup.id} the running config still differs at ${shown}`, {
            device,
            backupId: backup.id,
            mismatchedPaths: mismatched,
          });
        }
        return { device, method: 'restore', verified: true, mismatchedPaths: [] };
      });
    });
  };
}

async function readVerifiedBackup(runtime: ActivityRuntime, backup: BackupRef): Promise<unknown> {
  try {
    return parseBackup(await runtime.backups.readBackup(backup));
  } catch (err) {
    if (err instanceof BackupIntegrityError || err instanceof SyntaxError) {
      const problem = err instanceof BackupIntegrityError ? err.reason : 'unreadable';
      throw new SynapseError('RollbackFailed', `${backup.device}: refusing to restore: ${err.message}; nothing was changed on the device`, {
        device: backup.device,
        backupId: backup.id,
        problem,
        ...(err instanceof BackupIntegrityError ? err.details : {}),
      });
    }
    throw err;
  }
}

/** True when the commit was pending and is now cancelled; false when none was pending. */
async function cancelPendingCommit(client: GnmiClient, device: string, commitId: string): Promise<boolean> {
  try {
    await client.cancelCommit(commitId);
    return true;
  } catch (err) {
    if (!isSynapseError(err)) throw err;
    if (err.details.grpcStatus === 'FAILED_PRECONDITION') return false;
    if (err.details.grpcStatus === 'INVALID_ARGUMENT') {
      throw new SynapseError(
        'CommitPending',
        `${device}: cannot roll back: a confirmed commit other than ${commitId} is pending on the device; its owner must confirm or cancel it first`,
        { ...err.details, device, commitId },
        { cause: err },
      );
    }
    throw err;
  }
}

/** Touched paths where the running config differs from the backup, compared in canonical form. */
async function differences(client: GnmiClient, expected: ReturnType<typeof touchedView>, touched: Touched): Promise<string[]> {
  const running = (await client.getConfig('/')) ?? {};
  return touchedDifferences(expected, touchedView(running, touched));
}
