import type { z } from 'zod';
import { BackupRunningConfigInput, parseInput, type BackupRef } from '@synapse/contracts';
import { serializeBackup } from '../backup-store/backup-document';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat, type ProgressHeartbeat } from '@synapse/observability';
import type { GnmiClient } from '@synapse/gnmi-client';
import { refuseIfCommitPending } from './pending-commit';

/**
 * Step 2 of a change: the device's whole running config (gNMI Get, type
 * CONFIG, at the root, JSON_IETF) into the backup store. Returns the
 * BackupRef, never the config: configs are large and may hold secrets
 * (hashed passwords, keys), and the ref is what goes into workflow history.
 *
 * First it makes sure no confirmed commit of someone else is pending on
 * the device (DeviceBusy naming it): that config is about to revert, and a
 * backup of it would make a later rollback re-apply it for good.
 *
 * Module prefixes are kept exactly as the device sent them, so a rollback
 * writes the backup's values back as the device gave them. A read has no side
 * effect on the device and the store's write is content-addressed, so a
 * retry simply takes a fresh backup. It heartbeats while a large config
 * is read, in case a workflow runs it under a profile with a heartbeat timeout.
 */
export function backupRunningConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof BackupRunningConfigInput>): Promise<BackupRef> => {
    const { device } = parseInput(BackupRunningConfigInput, input, 'backupRunningConfig input');
    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, phase: 'check-pending-commit' });
      return progress.during(async () => (await takeBackup(runtime, client, device, progress)).backup);
    });
  };
}

/** The pending-commit check, the Get and the backup write, shared with prepareDeploy; also returns the config read (for its plan). */
export async function takeBackup(runtime: ActivityRuntime, client: GnmiClient, device: string, progress: ProgressHeartbeat): Promise<{ backup: BackupRef; running: unknown }> {
  await refuseIfCommitPending(client, device);
  progress.update({ phase: 'get-config' });
  const takenAt = runtime.clock().toISOString();
  const running = (await client.getConfig('/', { keepModulePrefixes: true })) ?? {};
  progress.update({ phase: 'write-backup' });
  const backup = await runtime.backups.writeBackup(device, serializeBackup(running), takenAt);
  return { backup, running };
}
