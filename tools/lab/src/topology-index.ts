import type { Lab, LabDevice } from './lab-schema';

/** One device's side of a link, seen from that device. */
export interface DevicePort {
  device: LabDevice;
  interface: string;
  /** With length, e.g. `10.0.0.0/31`. */
  address: string;
  mtu: number;
  peer: LabDevice;
  peerInterface: string;
  peerAddress: string;
}

export interface LabIndex {
  devices: Map<string, LabDevice>;
  /** Ports per device in link order. */
  ports: Map<string, DevicePort[]>;
}

// Labs are immutable values once parsed; per-device questions on a 1,000-device
// fabric would otherwise rescan every link each time.
const indexes = new WeakMap<Lab, LabIndex>();

export function indexLab(lab: Lab): LabIndex {
  const cached = indexes.get(lab);
  if (cached) return cached;
  const devices = new Map(lab.devices.map((device) => [device.name, device]));
  const ports = new Map<string, DevicePort[]>(lab.devices.map((device) => [device.name, []]));
  for (const link of lab.links) {
    for (const [near, far] of [
      [link.a, link.b],
      [link.b, link.a],
    ] as const) {
      const device = devices.get(near.device);
      const peer = devices.get(far.device);
      if (!device || !peer) throw new RangeError(`link ${near.device} ${near.interface} names an unknown device; parse the lab first`);
      ports.get(device.name)?.push({
        device,
        interface: near.interface,
        address: near.address,
        mtu: link.mtu,
        peer,
        peerInterface: far.interface,
        peerAddress: far.address,
      });
    }
  }
  const index = { devices, ports };
  indexes.set(lab, index);
  return index;
}

/** How both the interface and the BGP neighbor on a port describe the far end. */
export function portDescription(peer: string, peerInterface: string): string {
  return `to ${peer} ${peerInterface}`;
}
