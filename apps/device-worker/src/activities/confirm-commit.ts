import type { z } from 'zod';
import { ConfirmCommitInput, isSynapseError, parseInput, SynapseError, type DeployedChange } from '@synapse/contracts';
import { canonicalAt, canonicalize, isEmptyDiff, ownedDiff } from '@synapse/device-config';
import { activityInfo } from '@temporalio/activity';
import type { GnmiClient } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { resolveDeployedChange } from './documents';

/**
 * Keeps a commit-confirmed deploy: called only after validation passed. An
 * unconfirmed commit reverts by itself when its rollback duration runs out.
 *
 * "No commit pending" (FAILED_PRECONDITION) has two readings: the commit
 * expired and the device reverted it (the change is not in place), or an
 * earlier attempt's confirm landed and its answer was lost (the change is
 * in place, for good). The protocol cannot tell them apart, the device's
 * config can: with `deployed` given, the running config is read back, and
 * when everything the deploy wrote is still there the confirm counts as
 * done. A good change is then never rolled back for a lost answer, and a
 * reverted one is never reported deployed. Without `deployed` (or when the
 * config is not in place) it fails non-retryably with ConfigRejected, and
 * the workflow's rollback path, which reads the device first, takes over.
 */
export function confirmCommit(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ConfirmCommitInput>): Promise<void> => {
    const { device, commitId, deployed: given } = parseInput(ConfirmCommitInput, input, 'confirmCommit input');
    const deployed = given ? await resolveDeployedChange(runtime, device, given, 'deployed') : undefined;
    return runtime.withDevice(device, (client) => confirmPendingCommit(client, device, commitId, async () => deployed));
  };
}

/**
 * The confirm and its readback fallback, for confirmCommit and
 * validateAndConfirm. `deployed` is asked for only when the readback is
 * needed (a by-reference change is read from the store then).
 */
export async function confirmPendingCommit(client: GnmiClient, device: string, commitId: string, deployed: () => Promise<DeployedChange | undefined>): Promise<void> {
  try {
    await client.confirmCommit(commitId);
  } catch (err) {
    if (!isSynapseError(err) || err.details.grpcStatus !== 'FAILED_PRECONDITION') throw err;
    const attempt = activityInfo().attempt;
    const change = await deployed();
    if (change && (await stillInPlace(client, change))) return;
    const why =
      attempt > 1
        ? `no confirmed commit is pending and the deployed config is no longer on the device: ${commitId} expired and the device reverted it`
        : `${commitId} is no longer pending: it expired, was cancelled, or the device restarted and reverted it`;
    throw new SynapseError('ConfigRejected', `${device}: cannot confirm: ${why}`, { ...err.details, device, commitId, attempt }, { cause: err });
  }
}

/** Everything the deploy wrote is on the device: its owned config, its patch's values, none of its deleted paths. */
async function stillInPlace(client: GnmiClient, deployed: DeployedChange): Promise<boolean> {
  const running = (await client.getConfig('/')) ?? {};
  if (Object.keys(deployed.config).length > 0 && !isEmptyDiff(ownedDiff(deployed.config, running))) return false;
  for (const update of deployed.update) {
    if (!isEmptyDiff(ownedDiff({ [update.path]: update.value }, running))) return false;
  }
  const document = canonicalize(running) as Record<string, unknown>;
  return deployed.delete.every((path) => canonicalAt(document, path) === undefined);
}
