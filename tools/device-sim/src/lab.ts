import { generateFabric as generateLabFabric, initialConfig, LAB_CREDENTIALS_REF, referenceLab, type FabricOptions, type Lab } from '@synapse/lab';
import type { Topology } from './topology';

/** SR Linux's default lab credentials (containerlab images): what the lab's `srl-lab-default` reference names. */
export const LAB_CREDENTIALS = { username: 'admin', password: 'NokiaSrl1!' } as const;

/**
 * How a client reaches a simulator started without TLS: plaintext, with the
 * lab's credentials explicitly allowed over it (public defaults, on loopback;
 * a client refuses credentials over plaintext otherwise).
 */
export const LAB_PLAINTEXT_TRANSPORT = { mode: 'plaintext', allowCredentials: true } as const;

export { managementBaseConfig } from '@synapse/lab';

/**
 * Credentials the simulator knows by reference. Lab data names credentials,
 * never holds them; the simulator, as the stand-in for the devices, is where
 * the lab's own (public, default) passwords live.
 */
const KNOWN_CREDENTIALS: Record<string, { username: string; password: string }> = {
  [LAB_CREDENTIALS_REF]: LAB_CREDENTIALS,
};

/**
 * A tools/lab lab as the simulator's topology: the same devices, the same
 * cabling, each device in its pre-change state. Because both simulators read
 * the one lab, the devices always match what Infrahub says about them.
 */
export function labTopology(lab: Lab): Topology {
  return {
    devices: lab.devices.map((device) => {
      const credentials = KNOWN_CREDENTIALS[device.credentialsRef];
      if (!credentials) throw new Error(`lab device ${device.name}: unknown credentials reference "${device.credentialsRef}"`);
      return { name: device.name, credentials: { ...credentials }, initialConfig: initialConfig(lab, device.name) };
    }),
    links: lab.links.map((link) => ({
      a: { device: link.a.device, interface: link.a.interface },
      b: { device: link.b.device, interface: link.b.interface },
    })),
  };
}

/** The three-device reference lab (spine01, leaf01, leaf02) in its pre-change state; ports are the caller's. */
export function referenceLabTopology(): Topology {
  return labTopology(referenceLab());
}

/** A spine-leaf fabric from tools/lab's generator, for scale tests. */
export function generateFabric(options: FabricOptions): Topology {
  return labTopology(generateLabFabric(options));
}
