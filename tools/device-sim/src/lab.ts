import type { Topology, TopologyDevice } from './topology';

/** SR Linux's default lab credentials (containerlab images). */
export const LAB_CREDENTIALS = { username: 'admin', password: 'NokiaSrl1!' } as const;

/**
 * A freshly booted lab device before any change: host name, the gNMI server,
 * and management (mgmt0 in the mgmt network-instance), in SR Linux JSON_IETF
 * as a backup would hold it. No fabric interfaces, no BGP.
 */
export function managementBaseConfig(hostName: string): Record<string, unknown> {
  return {
    'srl_nokia-system:system': {
      'srl_nokia-system-name:name': { 'host-name': hostName },
      'srl_nokia-gnmi-server:gnmi-server': {
        'admin-state': 'enable',
        'network-instance': [{ name: 'mgmt', 'admin-state': 'enable' }],
      },
    },
    'srl_nokia-interfaces:interface': [
      {
        name: 'mgmt0',
        'admin-state': 'enable',
        subinterface: [{ index: 0, 'admin-state': 'enable', ipv4: { 'admin-state': 'enable' } }],
      },
    ],
    'srl_nokia-network-instance:network-instance': [
      {
        name: 'mgmt',
        type: 'srl_nokia-network-instance:ip-vrf',
        'admin-state': 'enable',
        description: 'Management network instance',
        interface: [{ name: 'mgmt0.0' }],
      },
    ],
  };
}

function labDevice(name: string): TopologyDevice {
  return { name, credentials: { ...LAB_CREDENTIALS }, initialConfig: managementBaseConfig(name) };
}

/**
 * The three-device reference lab (spine01, leaf01, leaf02) in its pre-change
 * state. Ports are left to the caller (ephemeral unless set), so tests can
 * start several labs side by side.
 */
export function referenceLabTopology(): Topology {
  const link = (a: string, ai: string, b: string, bi: string) => ({ a: { device: a, interface: ai }, b: { device: b, interface: bi } });
  return {
    devices: ['spine01', 'leaf01', 'leaf02'].map(labDevice),
    links: [
      link('spine01', 'ethernet-1/1', 'leaf01', 'ethernet-1/49'),
      link('spine01', 'ethernet-1/2', 'leaf02', 'ethernet-1/49'),
      link('spine01', 'ethernet-1/3', 'leaf01', 'ethernet-1/50'),
      link('spine01', 'ethernet-1/4', 'leaf02', 'ethernet-1/50'),
    ],
  };
}

const SPINE_PORTS_PER_SLOT = 128;
const FIRST_LEAF_UPLINK_PORT = 49;

/**
 * A spine-leaf fabric for scale tests: every leaf cabled to every spine.
 * Leaf l uses spine port ethernet-<1 + l/128>/<1 + l%128>; spine s uses leaf
 * port ethernet-1/<49 + s>. Devices start in the pre-change state.
 */
export function generateFabric(opts: { spines: number; leaves: number }): Topology {
  const { spines, leaves } = opts;
  if (!Number.isInteger(spines) || spines < 1 || spines > 255 - FIRST_LEAF_UPLINK_PORT + 1) {
    throw new RangeError(`generateFabric: spines must be an integer 1..${255 - FIRST_LEAF_UPLINK_PORT + 1}, got ${spines}`);
  }
  if (!Number.isInteger(leaves) || leaves < 1 || leaves > 255 * SPINE_PORTS_PER_SLOT) {
    throw new RangeError(`generateFabric: leaves must be an integer 1..${255 * SPINE_PORTS_PER_SLOT}, got ${leaves}`);
  }
  const name = (role: string, index: number, count: number) => `${role}${String(index + 1).padStart(Math.max(2, String(count).length), '0')}`;
  const spineNames = Array.from({ length: spines }, (_, s) => name('spine', s, spines));
  const leafNames = Array.from({ length: leaves }, (_, l) => name('leaf', l, leaves));
  const links = leafNames.flatMap((leaf, l) =>
    spineNames.map((spine, s) => ({
      a: { device: spine, interface: `ethernet-${1 + Math.floor(l / SPINE_PORTS_PER_SLOT)}/${1 + (l % SPINE_PORTS_PER_SLOT)}` },
      b: { device: leaf, interface: `ethernet-1/${FIRST_LEAF_UPLINK_PORT + s}` },
    })),
  );
  return { devices: [...spineNames, ...leafNames].map(labDevice), links };
}
