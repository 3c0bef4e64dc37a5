import type { z } from 'zod';
import { parseInput, StoreBackupInput, SynapseError, type BackupRef } from '@synapse/contracts';
import { BackupIntegrityError, type BackupMetadata } from '../backup-store/backup-store';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat } from '@synapse/observability';

/**
 * The archived backup: the same BackupRef (its id still names the exact
 * bytes), plus where the archive recorded it. Contracts' DeviceActivities
 * types the result as BackupRef; the extra members ride along.
 */
export type StoredBackup = BackupRef & {
  /** The archive record: the git commit in the default store. */
  commit: string;
  /** A retry found its backup already archived for this change and wrote nothing new. */
  alreadyStored: boolean;
};

/**
 * Archives a backup taken by backupRunningConfig with the change's metadata
 * (change id, workflow id, reason): in the default store, one commit of
 * `<device>.json` whose message carries them. The stored bytes are checked
 * against the ref first; a retry of the same archive returns the commit the
 * first attempt made.
 */
export function storeBackup(runtime: ActivityRuntime) {
  return async (input: z.input<typeof StoreBackupInput>): Promise<StoredBackup> => {
    const { backup, changeId, workflowId, reason } = parseInput(StoreBackupInput, input, 'storeBackup input');
    return archive(runtime, backup, { changeId, workflowId, ...(reason ? { reason } : {}) }, 'storeBackup');
  };
}

/** The archive of a backup with the change's metadata, shared with prepareDeploy (`activity` names who failed). */
export async function archive(runtime: ActivityRuntime, backup: BackupRef, metadata: BackupMetadata, activity: string): Promise<StoredBackup> {
  try {
    // Heartbeats while git waits out another writer's lock (deviceWrite has a heartbeat timeout).
    const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device: backup.device, backupId: backup.id, phase: 'archive' });
    const archived = await progress.during(() => runtime.backups.archiveBackup(backup, metadata));
    return { ...archived.backup, commit: archived.commit, alreadyStored: archived.alreadyArchived };
  } catch (err) {
    // The ref names no usable backup: the input is wrong for this store, and a retry reads the same bytes.
    if (err instanceof BackupIntegrityError) {
      throw new SynapseError('InvalidInput', `${activity}: ${err.message}`, { ...err.details, device: backup.device, problem: err.reason, fields: ['backup'] });
    }
    throw err;
  }
}
