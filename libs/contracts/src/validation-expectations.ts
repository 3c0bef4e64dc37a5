import type { ValidateBgpInput, ValidateInterfacesInput } from './device';
import type { DeviceIntent } from './intent';

/** What post-change validation should find on the device once the intended config is in place. */
export interface ValidationExpectations {
  neighbors: ValidateBgpInput['neighbors'];
  interfaces: ValidateInterfacesInput['interfaces'];
}

/**
 * Every BGP neighbor of the intent established with its peer AS, and every
 * interface a change configures in its intended admin state, up when enabled
 * and down when disabled. Management ports are never configured by a change,
 * so they are not checked. Pure, so workflow code (the change workflow) and
 * libraries (device-config) share this one rule.
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
