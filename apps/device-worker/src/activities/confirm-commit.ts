import type { z } from 'zod';
import { ConfirmCommitInput, isSynapseError, parseInput, SynapseError } from '@synapse/contracts';
import { activityInfo } from '@temporalio/activity';
import type { ActivityRuntime } from './deps';

/**
 * Keeps a commit-confirmed deploy: called only after validation passed. An
 * unconfirmed commit reverts by itself when its rollback duration runs out.
 *
 * "No commit pending" (FAILED_PRECONDITION) fails non-retryably with
 * ConfigRejected: the commit expired, was cancelled, or the device
 * restarted and reverted it, so the change is not in place and the
 * workflow must treat the deploy as failed. On a retry the same answer is
 * ambiguous: the first attempt's confirm may have landed with its answer
 * lost. The protocol cannot tell the two apart, and reporting success for
 * a reverted change would be worse than rolling back a good one, so the
 * error says so and the workflow's rollback path decides.
 */
export function confirmCommit(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ConfirmCommitInput>): Promise<void> => {
    const { device, commitId } = parseInput(ConfirmCommitInput, input, 'confirmCommit input');
    return runtime.withDevice(device, async (client) => {
      try {
        await client.confirmCommit(commitId);
      } catch (err) {
        if (!isSynapseError(err) || err.details.grpcStatus !== 'FAILED_PRECONDITION') throw err;
        const attempt = activityInfo().attempt;
        const why =
          attempt > 1
            ? `no confirmed commit is pending: either attempt ${attempt - 1} confirmed ${commitId} and its answer was lost, or the commit expired and the device reverted it; check the device`
            : `${commitId} is no longer pending: it expired, was cancelled, or the device restarted and reverted it`;
        throw new SynapseError('ConfigRejected', `${device}: cannot confirm: ${why}`, { ...err.details, device, commitId, attempt }, { cause: err });
      }
    });
  };
}
