import type { DeviceIntent, ValidateBgpInput, ValidateInterfacesInput } from '@synapse/contracts';

/** What post-change validation should find on the device once the intended config is in place. */
export interface ValidationExpectations {
  neighbors: ValidateBgpInput['neighbors'];
  interfaces: ValidateInterfacesInput['interfaces'];
}

/**
 * Every BGP neighbor of the intent established with its peer AS, and every
 * interface the change configures in its intended admin state, up when
 * enabled and down when disabled; management ports are never configured by a
 * change, so they are not checked.
 *
 * The same rule as device-config's expectedState, written again here because
 * workflow code cannot import device-config: its index pulls in gRPC (via
 * gnmi-client) and node:crypto, which the workflow sandbox refuses. A test
 * holds the two equal for every lab device.
 */
export function validationExpectations(intent: DeviceIntent): ValidationExpectations {
  return {
    neighbors: (intent.bgp?.neighbors ?? []).map((n) => ({ peerAddress: n.peerAddress, peerAs: n.peerAs })),
    interfaces: intent.interfaces
      .filter((itf) => itf.role !== 'management')
      .map((itf) => ({
        name: itf.name,
        adminState: itf.enabled ? 'enable' : 'disable',
        operState: itf.enabled ? 'up' : 'down',
      })),
  };
}
