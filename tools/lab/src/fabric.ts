import { DEFAULT_FABRIC_MTU, LAB_CREDENTIALS_REF, Lab, type LabInput } from './lab-schema';
import { ethernetName, MAX_PORT, MAX_SLOT } from './interface-names';
import { ipv4ToNumber, numberToIpv4 } from './ipv4';

/**
 * Port plan, shared with the device simulator's topology generator so both
 * cable a fabric the same way: leaf l sits on spine port
 * ethernet-<1 + l/128>/<1 + l%128>; leaf uplink to spine s is ethernet-1/<49 + s>.
 */
export const SPINE_PORTS_PER_SLOT = 128;
export const FIRST_LEAF_UPLINK_PORT = 49;
export const MAX_SPINES = MAX_PORT - FIRST_LEAF_UPLINK_PORT + 1;
export const MAX_LEAVES = MAX_SLOT * SPINE_PORTS_PER_SLOT;

/**
 * Address plan: loopbacks from 10.1.0.0/16, link /31s from 10.0.0.0/16 (so at
 * most 32,768 links), ASNs from the private 4-byte range. Disjoint by
 * construction; the Lab schema checks it again.
 */
export const LOOPBACK_POOL = { base: '10.1.0.0', size: 2 ** 16 } as const;
export const LINK_POOL = { base: '10.0.0.0', size: 2 ** 16 } as const;
export const MAX_LINKS = LINK_POOL.size / 2;
export const FIRST_PRIVATE_4BYTE_ASN = 4_200_000_000;

export interface FabricOptions {
  spines: number;
  leaves: number;
  name?: string;
  mtu?: number;
}

function deviceName(role: string, index: number, count: number): string {
  return `${role}${String(index + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

/** A spine-leaf fabric: every leaf cabled once to every spine. */
export function generateFabric(options: FabricOptions): Lab {
  const { spines, leaves } = options;
  if (!Number.isInteger(spines) || spines < 1 || spines > MAX_SPINES) {
    throw new RangeError(`generateFabric: spines must be an integer 1..${MAX_SPINES}, got ${spines}`);
  }
  if (!Number.isInteger(leaves) || leaves < 1 || leaves > MAX_LEAVES) {
    throw new RangeError(`generateFabric: leaves must be an integer 1..${MAX_LEAVES}, got ${leaves}`);
  }
  if (spines * leaves > MAX_LINKS) {
    throw new RangeError(`generateFabric: ${spines} x ${leaves} = ${spines * leaves} links exceed the ${MAX_LINKS} /31s of ${LINK_POOL.base}/16`);
  }
  const loopbackBase = ipv4ToNumber(LOOPBACK_POOL.base);
  const linkBase = ipv4ToNumber(LINK_POOL.base);
  const spineNames = Array.from({ length: spines }, (_, s) => deviceName('spine', s, spines));
  const leafNames = Array.from({ length: leaves }, (_, l) => deviceName('leaf', l, leaves));
  const devices = [...spineNames, ...leafNames].map((name, i) => ({
    name,
    role: i < spines ? ('spine' as const) : ('leaf' as const),
    asn: FIRST_PRIVATE_4BYTE_ASN + i,
    loopback: `${numberToIpv4(loopbackBase + i + 1)}/32`,
    platform: 'srlinux',
    status: 'active' as const,
    credentialsRef: LAB_CREDENTIALS_REF,
  }));
  const links = leafNames.flatMap((leaf, l) =>
    spineNames.map((spine, s) => {
      const k = l * spines + s;
      return {
        a: {
          device: spine,
          interface: ethernetName(1 + Math.floor(l / SPINE_PORTS_PER_SLOT), 1 + (l % SPINE_PORTS_PER_SLOT)),
          address: `${numberToIpv4(linkBase + 2 * k)}/31`,
        },
        b: { device: leaf, interface: ethernetName(1, FIRST_LEAF_UPLINK_PORT + s), address: `${numberToIpv4(linkBase + 2 * k + 1)}/31` },
        mtu: options.mtu ?? DEFAULT_FABRIC_MTU,
      };
    }),
  );
  const lab: LabInput = {
    name: options.name ?? `fabric-${spines}x${leaves}`,
    description: `${spines} spines, ${leaves} leaves, every leaf on every spine, eBGP underlay`,
    devices,
    links,
  };
  return Lab.parse(lab);
}
