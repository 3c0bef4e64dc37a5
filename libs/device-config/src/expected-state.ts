import { validationExpectations, type DeviceIntent, type DeviceIntentInput, type ValidationExpectations } from '@synapse/contracts';
import { parseRenderableIntent } from './intent-checks';

/** What post-change validation should find on the device once the rendered config is in place. */
export type ExpectedState = ValidationExpectations;

/**
 * contracts' validationExpectations for an intent the renderer accepts: the
 * same refusals as renderConfig, so nothing is validated that could not be
 * deployed.
 */
export function expectedState(input: DeviceIntentInput | DeviceIntent): ExpectedState {
  return validationExpectations(parseRenderableIntent(input));
}
