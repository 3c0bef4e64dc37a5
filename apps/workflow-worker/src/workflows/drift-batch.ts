import type { z } from 'zod';
import { patched } from '@temporalio/workflow';
import { DriftBatchInput, RenderIntentsResult, type CheckDriftResult, type DeviceDriftStatus, type DriftCheckTarget } from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { CONFIGS_BY_REFERENCE } from './device-change';
import { parseWorkflowInput } from './failures';

/**
 * One batch of devices checked against their intents: a batch of a drift
 * run, or of a change's plan. In its own workflow so that the parent's
 * history holds only each batch's statuses, never its configs, whatever the
 * fleet's size:
 *
 *   1 renderIntents (infrahub worker): the batch's intents, rendered into
 *     the document store; only their references come back
 *   2 checkDrift (device worker): running vs intended on what Synapse owns,
 *     checksum first (a device in sync answers only that), what a deploy
 *     would delete, policies missing on the device
 *
 * A device whose intent cannot be read or rendered is `unchecked` (not
 * read); an unreachable one is `unreachable`; the rest of the batch goes on.
 */
export async function DriftBatchWorkflow(rawInput: z.input<typeof DriftBatchInput>, rawRouting: ActivityRoutingInput = {}): Promise<CheckDriftResult> {
  const input = parseWorkflowInput(DriftBatchInput, rawInput, 'DriftBatchWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'DriftBatchWorkflow routing');
  const { infrahub, deviceScan } = changeActivities(routing);
  const { devices, concurrency, branch, listUnmanaged } = input;

  // 1. The intents. Batches begun before configs left history carry the configs themselves.
  const byReference = patched(CONFIGS_BY_REFERENCE);
  const rendered = parseWorkflowInput(
    RenderIntentsResult,
    await infrahub.renderIntents({ devices, concurrency, ...(branch ? { branch } : {}), ...(byReference ? { byReference } : {}) }),
    'renderIntents result',
  );
  const statuses = new Map<string, DeviceDriftStatus>();
  const targets: DriftCheckTarget[] = [];
  for (const entry of rendered.devices) {
    if (!('problem' in entry)) targets.push(checkTarget(entry));
    else statuses.set(entry.device, { device: entry.device, status: 'unchecked', drifted: [], detail: `not checked: ${entry.problem}` });
  }

  // 2. The devices against them.
  if (targets.length > 0) {
    const checked = await deviceScan.checkDrift({ devices: targets, concurrency, listUnmanaged });
    for (const status of checked.devices) statuses.set(status.device, status);
  }
  return { devices: devices.flatMap((device) => statuses.get(device) ?? []) };
}

/** A rendered intent as the device worker checks it: by reference when it came that way. */
export function checkTarget(entry: Exclude<RenderIntentsResult['devices'][number], { problem: string }>): DriftCheckTarget {
  return entry.configRef ? { device: entry.device, configRef: entry.configRef, scope: entry.scope } : { device: entry.device, config: entry.config, scope: entry.scope };
}
