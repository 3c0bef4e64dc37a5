import type { z } from 'zod';
import { parseInput, RecordOwnershipInput, type RecordOwnershipResult } from '@synapse/contracts';
import { checksum } from '@synapse/device-config';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat } from '@synapse/observability';

/**
 * After a deploy is confirmed (validated and kept): the config it rendered
 * becomes the device's ownership record, so the next change may delete what
 * this one owned and its intent drops, and nothing else. Written only on
 * success: after a rollback the device runs what it ran before, and so the
 * earlier record still says what Synapse owns. Safe to retry: the record is
 * replaced, not appended.
 */
export function recordOwnership(runtime: ActivityRuntime) {
  return async (input: z.input<typeof RecordOwnershipInput>): Promise<RecordOwnershipResult> => {
    const { device, changeId, workflowId, config } = parseInput(RecordOwnershipInput, input, 'recordOwnership input');
    return writeOwnershipRecord(runtime, { device, changeId, workflowId, config });
  };
}

/** The record write shared with validateAndConfirm. */
export async function writeOwnershipRecord(runtime: ActivityRuntime, { device, changeId, workflowId, config }: RecordOwnershipInput): Promise<RecordOwnershipResult> {
  const sum = checksum(config);
  const existing = await runtime.backups.readOwnership(device);
  // A retry after a lost answer finds its own record: nothing new to write.
  if (existing?.changeId === changeId && existing.checksum === sum) return { device, commit: 'unchanged', checksum: sum };
  const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, phase: 'write-ownership' });
  const commit = await progress.during(() =>
    runtime.backups.writeOwnership({ device, changeId, workflowId, recordedAt: runtime.clock().toISOString(), checksum: sum, config }),
  );
  return { device, commit, checksum: sum };
}
