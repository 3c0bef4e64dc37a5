import { ownershipScope, renderConfig } from '@synapse/device-config';
import { isSynapseError, mapWithConcurrency, parseInput, RenderIntentsInput, type RenderIntentsResult } from '@synapse/contracts';
import type { InfrahubActivityDeps } from './deps';

/** A device's own fault: the run reports it and goes on. Anything else (Infrahub down, refused token) fails the batch, to be retried. */
const DEVICE_FAULTS = new Set(['IntentNotFound', 'InvalidInput', 'Unsupported']);

/**
 * A drift batch's intents, read from Infrahub and rendered to the managed
 * paths with their ownership scope, in one activity: a fleet-wide scan costs
 * one activity per batch, not one per device. The configs travel on to the
 * device worker, which has no Infrahub access.
 */
export function renderIntentsActivity(deps: InfrahubActivityDeps) {
  return async function renderIntents(input: unknown): Promise<RenderIntentsResult> {
    const { devices, branch, concurrency } = parseInput(RenderIntentsInput, input, 'renderIntents input');
    const rendered = await mapWithConcurrency(devices, concurrency, async (device) => {
      try {
        const { intent } = await deps.infrahub.getDeviceIntent(device, branch ? { branch } : {});
        return { device, config: renderConfig(intent), scope: ownershipScope(intent) };
      } catch (err) {
        // renderConfig refuses an intent it cannot express with InvalidInput or Unsupported, naming the field.
        if (isSynapseError(err) && DEVICE_FAULTS.has(err.type)) return { device, problem: `${err.message} [${err.type}]` };
        throw err;
      }
    });
    return { devices: rendered };
  };
}
