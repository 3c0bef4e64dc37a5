import type { BackupRef } from '@synapse/contracts';

/** Who archived a backup and why: what ends up in the store's history next to the config. */
export interface BackupMetadata {
  changeId: string;
  workflowId: string;
  reason?: string;
}

export interface ArchivedBackup {
  backup: BackupRef;
  /** The store's record of the archive (a git commit for the git store). */
  commit: string;
  /** True when an earlier attempt had already archived this backup for this change: nothing new was written. */
  alreadyArchived: boolean;
}

/**
 * What Synapse owns on a device: the rendered config the last confirmed
 * deploy wrote. A later change deletes only what this names and its intent
 * no longer has (device-config's staleDeletions).
 */
export interface OwnershipRecord {
  device: string;
  changeId: string;
  workflowId: string;
  recordedAt: string;
  /** sha256 of the canonical config (device-config's checksum). */
  checksum: string;
  config: Record<string, unknown>;
}

/**
 * Where running configs go before a change touches a device. Backups are
 * written in two steps so the workflow history holds a small BackupRef,
 * never the config:
 *  - writeBackup keeps the exact bytes under a content address and returns the ref;
 *  - archiveBackup records the backup in the store's history with the change metadata.
 * readBackup hands back the exact bytes, verified against the ref, or throws.
 * The ref's sha256 and size are those of the config itself, whether the
 * store keeps it as it is or encrypted.
 */
export interface BackupStore {
  writeBackup(device: string, content: Buffer, takenAt: string): Promise<BackupRef>;
  archiveBackup(ref: BackupRef, metadata: BackupMetadata): Promise<ArchivedBackup>;
  readBackup(ref: BackupRef): Promise<Buffer>;
  /** Replaces the device's ownership record; returns the store's record of it (a git commit). */
  writeOwnership(record: OwnershipRecord): Promise<string>;
  /** The device's ownership record; undefined when no deploy has been confirmed on it yet. */
  readOwnership(device: string): Promise<OwnershipRecord | undefined>;
}

/**
 * A backup that cannot be used: missing from the store, its bytes do not
 * match the ref, or it is encrypted with a key this worker does not hold.
 * Restoring from it could put an unknown config on a device, so callers
 * refuse (they turn this into their own typed failure).
 */
export class BackupIntegrityError extends Error {
  constructor(
    readonly reason: 'not-found' | 'corrupt' | 'undecryptable',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BackupIntegrityError';
  }
}
