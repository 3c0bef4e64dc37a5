import { hostAddress } from './ipv4';
import type { Lab } from './lab-schema';
import { indexLab, portDescription } from './topology-index';

/** One configured end of an eBGP session: every link yields two, one per device. */
export interface BgpSessionEnd {
  device: string;
  localInterface: string;
  /** Host address, no length. */
  localAddress: string;
  localAs: number;
  peerDevice: string;
  peerInterface: string;
  peerAddress: string;
  peerAs: number;
  peerGroup: string;
  /** `to <peer> <peer-interface>`: unique in the lab, since every port is cabled once. */
  description: string;
}

/** Sessions of one device, or of the whole lab, derived from the links. */
export function bgpSessions(lab: Lab, device?: string): BgpSessionEnd[] {
  const index = indexLab(lab);
  const names = device === undefined ? [...index.ports.keys()] : [device];
  return names.flatMap((name) =>
    (index.ports.get(name) ?? []).map((port) => ({
      device: name,
      localInterface: port.interface,
      localAddress: hostAddress(port.address),
      localAs: port.device.asn,
      peerDevice: port.peer.name,
      peerInterface: port.peerInterface,
      peerAddress: hostAddress(port.peerAddress),
      peerAs: port.peer.asn,
      peerGroup: lab.bgp.peerGroup,
      description: portDescription(port.peer.name, port.peerInterface),
    })),
  );
}
