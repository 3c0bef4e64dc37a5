import { toApplicationFailure, type InfrahubActivities } from '@synapse/contracts';
import type { InfrahubActivityDeps } from './deps';
import { fetchDeviceConfigActivity } from './fetch-device-config';
import { listDevicesInScopeActivity } from './list-devices-in-scope';
import { renderDeviceIntentActivity } from './render-device-intent';
import { renderIntentsActivity } from './render-intents';
import { updateDeviceStatusActivity } from './update-device-status';

export { DEFAULT_SETTINGS } from './deps';
export type { InfrahubActivityDeps, InfrahubActivitySettings } from './deps';

/**
 * The infrahub-operations activities with their client injected. Every
 * failure leaves as an ApplicationFailure carrying its SynapseError type, so
 * the retry policy in contracts' profiles can tell IntentNotFound (stop) from
 * InfrahubUnavailable (retry).
 */
export function createInfrahubActivities(deps: InfrahubActivityDeps): InfrahubActivities {
  return {
    fetchDeviceConfig: withTypedFailures(fetchDeviceConfigActivity(deps)),
    renderDeviceIntent: withTypedFailures(renderDeviceIntentActivity(deps)),
    updateDeviceStatus: withTypedFailures(updateDeviceStatusActivity(deps)),
    listDevicesInScope: withTypedFailures(listDevicesInScopeActivity(deps)),
    renderIntents: withTypedFailures(renderIntentsActivity(deps)),
  };
}

function withTypedFailures<A extends unknown[], R>(activity: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    try {
      return await activity(...args);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };
  // Temporal registers activities under their property names; keep the function name for stack traces.
  Object.defineProperty(wrapped, 'name', { value: activity.name });
  return wrapped;
}
