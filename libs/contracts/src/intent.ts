import { z } from 'zod';
import { DeviceName } from './device';

/**
 * The vendor-neutral intended state of one device, as read from the source
 * of truth. The renderer (libs/device-config) turns it into a device's native
 * config; nothing vendor-specific belongs here.
 */

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;
export const Ipv4Address = z.string().regex(new RegExp(`^${IPV4}$`), 'IPv4 address like 10.0.0.1');
export const Ipv4Prefix = z.string().regex(new RegExp(`^${IPV4}/([0-9]|[12]\\d|3[0-2])$`), 'IPv4 prefix like 10.0.0.0/31');

export const Asn = z.number().int().min(1).max(4_294_967_295);

export const DeviceRole = z.enum(['core', 'edge', 'cpe', 'spine', 'leaf', 'tor']);
export type DeviceRole = z.infer<typeof DeviceRole>;

/** Infrahub's device status dropdown (opsmill schema-library). */
export const DeviceStatus = z.enum(['active', 'provisioning', 'maintenance', 'drained']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const InterfaceIntent = z.object({
  /** Platform interface name (`ethernet-1/1`, `system0`). */
  name: z.string().min(1),
  description: z.string().max(255).optional(),
  enabled: z.boolean().default(true),
  mtu: z.number().int().min(1280).max(9500).optional(),
  /** Addresses with prefix length, e.g. `10.0.0.0/31`; the loopback's is a /32. */
  ipv4Addresses: z.array(Ipv4Prefix).default([]),
  role: z.enum(['fabric', 'loopback', 'management', 'access']).default('fabric'),
});
export type InterfaceIntent = z.infer<typeof InterfaceIntent>;

const IPV6_PREFIX = /^[0-9A-Fa-f:.]+\/(\d|[1-9]\d|1[01]\d|12[0-8])$/;
/** A route prefix (IPv4 or IPv6, with its length), as a prefix set lists it. */
export const IpPrefix = z.string().refine((text) => Ipv4Prefix.safeParse(text).success || (text.includes(':') && IPV6_PREFIX.test(text)), 'IP prefix like 10.1.0.0/16 or 2001:db8::/32');

export const PolicyResult = z.enum(['accept', 'reject']);
export type PolicyResult = z.infer<typeof PolicyResult>;

/** Where a route came from, as a policy statement matches it. */
export const RouteProtocol = z.enum(['bgp', 'local', 'static', 'host', 'aggregate']);
export type RouteProtocol = z.infer<typeof RouteProtocol>;

export const PrefixSetIntent = z.object({
  name: z.string().min(1),
  prefixes: z
    .array(
      z.object({
        prefix: IpPrefix,
        /** `exact`, or `<min>..<max>` prefix lengths (e.g. `32..32` for host routes inside the prefix). */
        maskLengthRange: z.string().regex(/^(exact|\d{1,3}\.\.\d{1,3})$/, 'mask length range: "exact" or "<min>..<max>"').default('exact'),
      }),
    )
    .min(1, 'a prefix set needs at least one prefix'),
});
export type PrefixSetIntent = z.infer<typeof PrefixSetIntent>;

/** One statement of a policy, evaluated in the order the policy lists them. */
export const PolicyStatementIntent = z.object({
  name: z.string().min(1),
  match: z
    .object({
      prefixSet: z.string().min(1).optional(),
      protocol: RouteProtocol.optional(),
    })
    .default({}),
  action: PolicyResult,
});
export type PolicyStatementIntent = z.infer<typeof PolicyStatementIntent>;

/**
 * A routing policy the source of truth defines in full: its statements in
 * order and what happens to a route none of them matches. A policy that is
 * only named on a peer group (not defined) is the device's own: it must
 * already exist there and is never written (see externalPolicyReferences).
 */
export const RoutingPolicyIntent = z.object({
  name: z.string().min(1),
  defaultAction: PolicyResult,
  statements: z.array(PolicyStatementIntent).default([]),
});
export type RoutingPolicyIntent = z.infer<typeof RoutingPolicyIntent>;

export const BgpPeerGroupIntent = z.object({
  name: z.string().min(1),
  importPolicies: z.array(z.string().min(1)).default([]),
  exportPolicies: z.array(z.string().min(1)).default([]),
});
export type BgpPeerGroupIntent = z.infer<typeof BgpPeerGroupIntent>;

export const BgpNeighborIntent = z.object({
  peerAddress: Ipv4Address,
  peerAs: Asn,
  peerGroup: z.string().min(1),
  /** Local end of the session (the address on the shared link). */
  localAddress: Ipv4Address.optional(),
  /**
   * The device at the far end, when the source of truth knows it (the
   * session's peer session): a rollout validates a session only once that
   * device runs its target config.
   */
  peerDevice: DeviceName.optional(),
  description: z.string().max(255).optional(),
});
export type BgpNeighborIntent = z.infer<typeof BgpNeighborIntent>;

export const BgpIntent = z.object({
  asn: Asn,
  routerId: Ipv4Address,
  afiSafi: z.array(z.enum(['ipv4-unicast', 'ipv6-unicast'])).min(1).default(['ipv4-unicast']),
  groups: z.array(BgpPeerGroupIntent).default([]),
  neighbors: z.array(BgpNeighborIntent).default([]),
});
export type BgpIntent = z.infer<typeof BgpIntent>;

export const DeviceIntent = z
  .object({
    name: DeviceName,
    role: DeviceRole,
    status: DeviceStatus.default('active'),
    platform: z.string().min(1).default('srlinux'),
    interfaces: z.array(InterfaceIntent),
    bgp: BgpIntent.optional(),
    /** Policies defined in the source of truth: rendered and owned. */
    routingPolicies: z.array(RoutingPolicyIntent).default([]),
    /** Prefix sets the defined policies match on: rendered and owned. */
    prefixSets: z.array(PrefixSetIntent).default([]),
  })
  .superRefine((intent, ctx) => {
    // Dangling references would be refused by the device; catch them at the boundary instead.
    // A peer group may name a policy that is not defined here: that one must exist on the device.
    const groups = new Set(intent.bgp?.groups.map((g) => g.name));
    const prefixSets = new Set(intent.prefixSets.map((p) => p.name));
    intent.bgp?.neighbors.forEach((n, i) => {
      if (!groups.has(n.peerGroup)) {
        ctx.addIssue({ code: 'custom', path: ['bgp', 'neighbors', i, 'peerGroup'], message: `peer group "${n.peerGroup}" is not defined` });
      }
    });
    intent.routingPolicies.forEach((policy, i) => {
      policy.statements.forEach((statement, j) => {
        const name = statement.match.prefixSet;
        if (name !== undefined && !prefixSets.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['routingPolicies', i, 'statements', j, 'match', 'prefixSet'], message: `prefix set "${name}" is not defined` });
        }
      });
    });
  });
export type DeviceIntent = z.infer<typeof DeviceIntent>;
export type DeviceIntentInput = z.input<typeof DeviceIntent>;

/** A policy a peer group names without the source of truth defining it. */
export interface PolicyReference {
  group: string;
  direction: 'import' | 'export';
  policy: string;
}

/**
 * The policies the intent uses but does not define, with the group that
 * names each. They belong to the device: a change requires them to exist
 * there and never writes them.
 */
export function externalPolicyReferences(intent: Pick<DeviceIntent, 'bgp' | 'routingPolicies'>): PolicyReference[] {
  const defined = new Set(intent.routingPolicies.map((p) => p.name));
  return (intent.bgp?.groups ?? []).flatMap((group) => [
    ...group.importPolicies.filter((policy) => !defined.has(policy)).map((policy) => ({ group: group.name, direction: 'import' as const, policy })),
    ...group.exportPolicies.filter((policy) => !defined.has(policy)).map((policy) => ({ group: group.name, direction: 'export' as const, policy })),
  ]);
}
