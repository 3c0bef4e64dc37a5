import { deviceFacts, isSynapseError, mapWithConcurrency, parseInput, RenderIntentsInput, type RenderIntentsResult } from '@synapse/contracts';
import { activitySettings, requireDocuments, type InfrahubActivityDeps } from './deps';
import { renderIntent } from './render-intent';
import { progressHeartbeat } from '@synapse/observability';

/** A device's own fault: the run reports it and goes on. Anything else (Infrahub down, refused token) fails the batch, to be retried. */
const DEVICE_FAULTS = new Set(['IntentNotFound', 'InvalidInput', 'Unsupported']);

/**
 * A batch's intents, read from Infrahub and rendered to the managed paths
 * with their ownership scope, in one activity: a fleet-wide scan costs one
 * activity per batch, not one per device. The configs travel on to the
 * device worker, which has no Infrahub access. A rollout's plan reads the
 * same batch: each device's role (its wave), its config's checksum (what it
 * is to run, to tell whether it already does), and its facts (the far ends
 * of its sessions and links), so the plan and the fabric checks after each
 * wave need no intent of their own. With `byReference` each config goes to
 * the document store and only its configRef is answered.
 */
export function renderIntentsActivity(deps: InfrahubActivityDeps) {
  const { heartbeatIntervalMs } = activitySettings(deps);
  return async function renderIntents(input: unknown): Promise<RenderIntentsResult> {
    const { devices, branch, at, concurrency, byReference } = parseInput(RenderIntentsInput, input, 'renderIntents input');
    // Checked here, not per device: InvalidInput inside the loop would read as each device's own fault.
    const documents = byReference ? requireDocuments(deps, 'renderIntents byReference') : undefined;
    const progress = progressHeartbeat(heartbeatIntervalMs, { devices: devices.length, done: 0 });
    let done = 0;
    const rendered = await progress.during(() =>
      mapWithConcurrency(devices, concurrency, async (device) => {
        try {
          const { intent } = await deps.infrahub.getDeviceIntent(device, { ...(branch ? { branch } : {}), ...(at ? { at } : {}) });
          const { config, checksum, scope } = renderIntent(intent);
          const rendered = documents ? { configRef: await documents.putConfig(config) } : { config };
          return { device, ...rendered, scope, role: intent.role, checksum, facts: deviceFacts(intent) };
        } catch (err) {
          // renderConfig refuses an intent it cannot express with InvalidInput or Unsupported, naming the field.
          if (isSynapseError(err) && DEVICE_FAULTS.has(err.type)) return { device, problem: `${err.message} [${err.type}]` };
          throw err;
        } finally {
          progress.update({ done: ++done });
        }
      }),
    );
    return { devices: rendered };
  };
}
