import type { z } from 'zod';
import { isSynapseError, parseInput, RollbackConfigInput, SynapseError, type BackupRef, type RollbackResult } from '@synapse/contracts';
import { diffConfigs } from '@synapse/device-config';
import type { GnmiClient } from '@synapse/gnmi-client';
import { parseBackup } from '../backup-store/backup-document';
import { BackupIntegrityError } from '../backup-store/backup-store';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat } from './heartbeat';

/**
 * Puts a device back to a backup and proves it.
 *
 *  1. The backup is read and verified (sha256, size) before anything else:
 *     a corrupted or missing backup is refused with RollbackFailed and the
 *     device is not touched (a pending confirmed commit is left to its own
 *     timer, which reverts it anyway).
 *  2. With a commit id: cancel that pending confirmed commit. The device
 *     restores its own pre-commit config, which is exact and cheap. "No
 *     commit pending" means it already went (expired, cancelled by an
 *     earlier attempt of this activity, confirmed) and step 3 restores the
 *     backup instead; a pending commit of someone else is CommitPending.
 *  3. Otherwise, or when the cancel did not give back the backup's config
 *     (something changed between backup and deploy): one Set replacing the
 *     root with the backup document.
 *  4. Read back Get CONFIG at the root and compare with the backup in
 *     canonical form (device-config); any difference is RollbackFailed
 *     naming the paths that differ.
 * Running it again converges: there is no pending commit any more, and
 * replacing the root with the same document changes nothing.
 */
export function rollbackConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof RollbackConfigInput>): Promise<RollbackResult> => {
    const { device, backup, commitId } = parseInput(RollbackConfigInput, input, 'rollbackConfig input');
    if (backup.device !== device) {
      throw new SynapseError('InvalidInput', `rollbackConfig input: backup.device is ${backup.device}, not ${device}`, { device, fields: ['backup.device'] });
    }
    const backupConfig = await readVerifiedBackup(runtime, backup);

    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, backupId: backup.id, phase: commitId ? 'cancel-commit' : 'replace-root' });
      return progress.during(async (): Promise<RollbackResult> => {
        if (commitId && (await cancelPendingCommit(client, device, commitId))) {
          progress.update({ phase: 'verify' });
          const mismatched = await mismatchedPaths(client, backupConfig);
          if (mismatched.length === 0) return { device, method: 'cancel-commit', verified: true, mismatchedPaths: [] };
        }
        progress.update({ phase: 'replace-root' });
        await client.set({ replace: [{ path: '/', value: backupConfig }] });
        progress.update({ phase: 'verify' });
        const mismatched = await mismatchedPaths(client, backupConfig);
        if (mismatched.length > 0) {
          const shown = mismatched.slice(0, 20).join(', ') + (mismatched.length > 20 ? `, … (${mismatched.length} in all)` : '');
          throw new SynapseError('RollbackFailed', `${device}: after restoring backup ${backup.id} the running config still differs at ${shown}`, {
            device,
            backupId: backup.id,
            mismatchedPaths: mismatched,
          });
        }
        return { device, method: 'replace-root', verified: true, mismatchedPaths: [] };
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

/** Paths where the running config differs from the backup, compared in canonical form. */
async function mismatchedPaths(client: GnmiClient, backupConfig: unknown): Promise<string[]> {
  const running = await client.getConfig('/');
  const diff = diffConfigs(backupConfig, running ?? {});
  return [...diff.added, ...diff.removed, ...diff.changed].map((entry) => entry.path).sort();
}
