import type { z } from 'zod';
import { DeployConfigInput, isSynapseError, parseInput, SynapseError, type DeployResult } from '@synapse/contracts';
import { deployOperations } from '@synapse/device-config';
import type { GnmiClient, SetOperations, SetResult } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { resolveDeployedChange } from './documents';
import { progressHeartbeat, type ProgressHeartbeat } from '@synapse/observability';

/**
 * The commit-confirmed id of a change on a device. Derived, not random, so
 * a retried deploy (or a rollback) recognises the commit the first attempt
 * left pending.
 */
export function commitIdFor(changeId: string, device: string): string {
  return `synapse/${device}/${changeId}`;
}

/**
 * Step 4 of a change: ONE Set that writes what the change owns and nothing
 * else (device-config's deployOperations): each rendered entry's owned
 * leaves merged into the device's entry, leaf-lists and wholly owned entries
 * (defined policies, prefix sets) replaced, the plan's deletions, and an
 * emergency patch's updates and deletes. The device applies it atomically.
 *
 * A Set the device refused with a definite answer (INVALID_ARGUMENT and the
 * like: it validated the candidate and said no) was not applied: the error
 * says so (`applied: false`), and the workflow records the change refused
 * instead of restoring a backup over a device nothing touched. A Set whose
 * fate is unknown (the connection dropped, the device answered INTERNAL)
 * carries no such mark, and the rollback path reads the device first.
 *
 * With `commitConfirmed`, the Set carries the commit-confirmed extension:
 * the device reverts by itself unless confirmCommit follows within the
 * rollback duration, and the result carries the commit id.
 *
 * Retries converge. The operations are idempotent, so a retry after a Set
 * whose answer was lost applies the same values again. Under
 * commit-confirmed the device refuses a second commit while the first is
 * pending (FAILED_PRECONDITION); the activity then asks the device to re-arm
 * the pending commit under OUR id (set-rollback-duration, same duration):
 * the device accepts that only if the pending commit is ours, which proves
 * the first attempt landed, and refuses it for anyone else's
 * (INVALID_ARGUMENT), which is CommitPending. Re-arming moves the revert
 * deadline to now + duration, a few seconds later than the first attempt set it.
 *
 * Cancellation is not acted on mid-Set: a Set cannot be taken back once
 * sent, and it ends within the target's deadline anyway.
 */
export function deployConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof DeployConfigInput>): Promise<DeployResult> => {
    const parsed = parseInput(DeployConfigInput, input, 'deployConfig input');
    const { device, changeId, commitConfirmed } = parsed;
    // By reference: the document the plan was computed from, verified before anything is sent.
    const { config, update, delete: deletedPaths } = await resolveDeployedChange(runtime, device, parsed);
    // Everything goes in one Set: the device applies deletes, then replaces, then updates, and validates the whole.
    const operations = deployOperations({ config, update, delete: deletedPaths });
    const replacedPaths = operations.replace.map((r) => r.path);
    const updatedPaths = operations.update.map((u) => u.path);
    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, phase: 'set', paths: replacedPaths.length + updatedPaths.length + deletedPaths.length });
      return progress.during(async (): Promise<DeployResult> => {
        try {
          if (!commitConfirmed) {
            const result = await client.set(operations);
            return { device, replacedPaths, updatedPaths, deletedPaths, deviceTimestamp: result.timestamp };
          }
          const commitId = commitIdFor(changeId, device);
          progress.update({ commitId });
          const rollbackDurationMs = commitConfirmed.rollbackDurationSeconds * 1000;
          const result = await setUnderCommit(client, device, commitId, rollbackDurationMs, operations, progress);
          return { device, replacedPaths, updatedPaths, deletedPaths, commitId, deviceTimestamp: result.timestamp };
        } catch (err) {
          throw markRefusal(err);
        }
      });
    });
  };
}

/** gRPC statuses with which a device refuses a Set it validated and did not apply. */
const DEFINITE_REFUSALS = new Set(['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'NOT_FOUND', 'ALREADY_EXISTS', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'PERMISSION_DENIED', 'UNAUTHENTICATED']);

function markRefusal(err: unknown): unknown {
  if (!isSynapseError(err) || !DEFINITE_REFUSALS.has(String(err.details.grpcStatus))) return err;
  return new SynapseError(err.type, `${err.message}; the device did not apply the Set`, { ...err.details, applied: false }, { cause: err.cause ?? err });
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
