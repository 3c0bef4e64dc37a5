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

/**
 * What an emergency patch should leave as it was: the intent's expectations
 * minus what the patch deliberately changes. A patch that shuts a flapping
 * port must not fail on that port being down, nor on the BGP session that
 * rides it; everything else the intent says is up must still be up.
 * An interface is touched when a patch path is under `/interface[name=X]`;
 * a neighbor when a path names its peer address, or when its local address
 * sits on a touched interface.
 */
export function expectationsOutsidePatch(intent: DeviceIntent, patchPaths: readonly string[]): ValidationExpectations {
  const all = validationExpectations(intent);
  const touchedInterfaces = new Set(
    intent.interfaces.filter((itf) => patchPaths.some((path) => path.startsWith(`/interface[name=${itf.name}]`))).map((itf) => itf.name),
  );
  const addressesOnTouched = new Set(
    intent.interfaces.filter((itf) => touchedInterfaces.has(itf.name)).flatMap((itf) => itf.ipv4Addresses.map((prefix) => prefix.split('/')[0])),
  );
  const touchedNeighbors = new Set(
    (intent.bgp?.neighbors ?? [])
      .filter((n) => patchPaths.some((path) => path.includes(`[peer-address=${n.peerAddress}]`)) || (n.localAddress !== undefined && addressesOnTouched.has(n.localAddress)))
      .map((n) => n.peerAddress),
  );
  return {
    neighbors: all.neighbors.filter((n) => !touchedNeighbors.has(n.peerAddress)),
    interfaces: all.interfaces.filter((itf) => !touchedInterfaces.has(itf.name)),
  };
}
