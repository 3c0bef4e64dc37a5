import type { z } from 'zod';
import { DeployConfigInput, isSynapseError, parseInput, SynapseError, type DeployResult } from '@synapse/contracts';
import type { GnmiClient, SetOperations, SetResult } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat, type ProgressHeartbeat } from './heartbeat';

/**
 * The commit-confirmed id of a change on a device. Derived, not random, so
 * a retried deploy (or a rollback) recognises the commit the first attempt
 * left pending.
 */
export function commitIdFor(changeId: string, device: string): string {
  return `synapse/${device}/${changeId}`;
}

/**
 * Step 3 of a change: ONE Set replacing exactly the managed paths with the
 * rendered config (path -> subtree), or, for an emergency patch, merging its
 * updates; deletes ride in the same Set. The device applies it atomically, so
 * a refused config (ConfigRejected, non-retryable) leaves nothing changed.
 *
 * With `commitConfirmed`, the Set carries the commit-confirmed extension:
 * the device reverts by itself unless confirmCommit follows within the
 * rollback duration, and the result carries the commit id.
 *
 * Retries converge. A replace is idempotent, so a retry after a Set whose
 * answer was lost (the connection dropped after the device applied it)
 * applies the same config again. Under commit-confirmed the device refuses
 * a second commit while the first is pending (FAILED_PRECONDITION); the
 * activity then asks the device to re-arm the pending commit under OUR id
 * (set-rollback-duration, same duration): the device accepts that only if
 * the pending commit is ours, which proves the first attempt landed, and
 * refuses it for anyone else's (INVALID_ARGUMENT), which is CommitPending.
 * Re-arming moves the revert deadline to now + duration, a few seconds
 * later than the first attempt set it.
 *
 * Cancellation is not acted on mid-Set: a Set cannot be taken back once
 * sent, and it ends within the target's deadline anyway.
 */
export function deployConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof DeployConfigInput>): Promise<DeployResult> => {
    const { device, changeId, config, update, delete: deletedPaths, commitConfirmed } = parseInput(DeployConfigInput, input, 'deployConfig input');
    const replace = Object.entries(config).map(([path, value]) => ({ path, value }));
    const replacedPaths = replace.map((r) => r.path);
    const updatedPaths = update.map((u) => u.path);
    // Everything goes in one Set: the device applies deletes, then replaces, then updates, and validates the whole.
    const operations = { delete: deletedPaths, replace, update };
    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, phase: 'set', paths: replacedPaths.length });
      return progress.during(async (): Promise<DeployResult> => {
        if (!commitConfirmed) {
          const result = await client.set(operations);
          return { device, replacedPaths, updatedPaths, deletedPaths, deviceTimestamp: result.timestamp };
        }
        const commitId = commitIdFor(changeId, device);
        progress.update({ commitId });
        const rollbackDurationMs = commitConfirmed.rollbackDurationSeconds * 1000;
        const result = await setUnderCommit(client, device, commitId, rollbackDurationMs, operations, progress);
        return { device, replacedPaths, updatedPaths, deletedPaths, commitId, deviceTimestamp: result.timestamp };
      });
    });
  };
}

async function setUnderCommit(
  client: GnmiClient,
  device: string,
  commitId: string,
  rollbackDurationMs: number,
  operations: SetOperations,
  progress: ProgressHeartbeat,
): Promise<SetResult> {
  // Two rounds at most: the pending commit we were refused for can be
  // confirmed or cancelled by its owner between our Set and our probe.
  for (let round = 1; ; round++) {
    try {
      return await client.set(operations, { commit: { id: commitId, action: 'commit', rollbackDurationMs } });
    } catch (err) {
      if (!isSynapseError(err, 'CommitPending')) throw err;
      progress.update({ phase: 'probing pending commit' });
      const probe = await probePendingCommit(client, commitId, rollbackDurationMs);
      if (probe.ours) return probe.result;
      if (probe.otherPending || round >= 2) {
        throw new SynapseError(
          'CommitPending',
          `${device}: another confirmed commit is pending on the device, not ${commitId}; it must be confirmed or cancelled (or expire) before this change can deploy`,
          { ...err.details, device, commitId },
          { cause: err },
        );
      }
      progress.update({ phase: 'set' });
    }
  }
}

type ProbeOutcome = { ours: true; result: SetResult } | { ours: false; otherPending: boolean };

/** Is the pending commit ours? Re-arming it by id answers that without changing its config. */
async function probePendingCommit(client: GnmiClient, commitId: string, rollbackDurationMs: number): Promise<ProbeOutcome> {
  try {
    const result = await client.set({}, { commit: { id: commitId, action: 'set-rollback-duration', rollbackDurationMs } });
    return { ours: true, result };
  } catch (err) {
    if (!isSynapseError(err)) throw err;
    const status = err.details.grpcStatus;
    // A wrong id: a commit is pending, and it is someone else's.
    if (status === 'INVALID_ARGUMENT') return { ours: false, otherPending: true };
    // No commit pending any more: its owner finished between our Set and this probe.
    if (status === 'FAILED_PRECONDITION') return { ours: false, otherPending: false };
    throw err;
  }
}
