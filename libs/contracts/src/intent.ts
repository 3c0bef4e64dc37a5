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

export const RoutingPolicyIntent = z.object({
  name: z.string().min(1),
  defaultAction: z.enum(['accept', 'reject']),
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
    routingPolicies: z.array(RoutingPolicyIntent).default([]),
  })
  .superRefine((intent, ctx) => {
    // Dangling references would be refused by the device; catch them at the boundary instead.
    const groups = new Set(intent.bgp?.groups.map((g) => g.name));
    const policies = new Set(intent.routingPolicies.map((p) => p.name));
    intent.bgp?.neighbors.forEach((n, i) => {
      if (!groups.has(n.peerGroup)) {
        ctx.addIssue({ code: 'custom', path: ['bgp', 'neighbors', i, 'peerGroup'], message: `peer group "${n.peerGroup}" is not defined` });
      }
    });
    intent.bgp?.groups.forEach((g, i) => {
      for (const [field, names] of [['importPolicies', g.importPolicies], ['exportPolicies', g.exportPolicies]] as const) {
        names.forEach((name, j) => {
          if (!policies.has(name)) {
            ctx.addIssue({ code: 'custom', path: ['bgp', 'groups', i, field, j], message: `routing policy "${name}" is not defined` });
          }
        });
      }
    });
  });
export type DeviceIntent = z.infer<typeof DeviceIntent>;
export type DeviceIntentInput = z.input<typeof DeviceIntent>;
