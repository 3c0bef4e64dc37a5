import { DeviceIntent, SynapseError, type DeviceIntentInput } from '@synapse/contracts';
import { LOOPBACK_INTERFACE } from './interface-names';
import { hostAddress } from './ipv4';
import type { Lab } from './lab-schema';
import { bgpSessions } from './sessions';
import { indexLab, portDescription } from './topology-index';

/**
 * The intended state of one device exactly as the source of truth holds it:
 * what the Infrahub simulator serves and what a renderer must turn into the
 * device's config. Fabric ports first (link order), then the loopback, then
 * an in-band management port when the device has one. Policies the design
 * names but does not define are the device's own (required to exist there).
 */
export function deviceIntent(lab: Lab, name: string): DeviceIntent {
  const index = indexLab(lab);
  const device = index.devices.get(name);
  if (!device) throw new SynapseError('IntentNotFound', `lab "${lab.name}" has no device "${name}"`, { device: name, lab: lab.name });
  const design = lab.bgp;
  const intent: DeviceIntentInput = {
    name: device.name,
    role: device.role,
    status: device.status,
    platform: device.platform,
    interfaces: [
      ...(index.ports.get(name) ?? []).map((port) => ({
        name: port.interface,
        description: portDescription(port.peer.name, port.peerInterface),
        enabled: true,
        mtu: port.mtu,
        ipv4Addresses: [port.address],
        role: 'fabric' as const,
      })),
      { name: LOOPBACK_INTERFACE, enabled: true, ipv4Addresses: [device.loopback], role: 'loopback' as const },
      ...(device.inbandManagement
        ? [{ name: device.inbandManagement.interface, description: 'in-band management', enabled: true, ipv4Addresses: [device.inbandManagement.address], role: 'management' as const }]
        : []),
    ],
    bgp: {
      asn: device.asn,
      routerId: hostAddress(device.loopback),
      afiSafi: design.afiSafi,
      groups: [{ name: design.peerGroup, importPolicies: [design.importPolicy], exportPolicies: [design.exportPolicy] }],
      neighbors: bgpSessions(lab, name).map((session) => ({
        peerAddress: session.peerAddress,
        peerAs: session.peerAs,
        peerGroup: session.peerGroup,
        localAddress: session.localAddress,
        peerDevice: session.peerDevice,
        description: session.description,
      })),
    },
    routingPolicies: design.policies,
    prefixSets: design.prefixSets,
  };
  // Parsed, not asserted: a lab that yields an intent contracts refuse is a lab bug to hear about here.
  return DeviceIntent.parse(intent);
}
