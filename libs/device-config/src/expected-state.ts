import type { DeviceIntent, DeviceIntentInput, ValidateBgpInput, ValidateInterfacesInput } from '@synapse/contracts';
import { configuredInterfaces, parseRenderableIntent } from './intent-checks';

/** What post-change validation should find on the device once the rendered config is in place. */
export interface ExpectedState {
  neighbors: ValidateBgpInput['neighbors'];
  interfaces: ValidateInterfacesInput['interfaces'];
}

/**
 * Every BGP neighbor of the intent established with its peer AS, and every
 * configured interface in its intended admin state, operationally up when
 * enabled and down when disabled. Management interfaces are not configured
 * by a change, so they are not checked either.
 */
export function expectedState(input: DeviceIntentInput | DeviceIntent): ExpectedState {
  const intent = parseRenderableIntent(input);
  return {
    neighbors: (intent.bgp?.neighbors ?? []).map((n) => ({ peerAddress: n.peerAddress, peerAs: n.peerAs })),
    interfaces: configuredInterfaces(intent).map((itf) => ({
      name: itf.name,
      adminState: itf.enabled ? 'enable' : 'disable',
      operState: itf.enabled ? 'up' : 'down',
    })),
  };
}
