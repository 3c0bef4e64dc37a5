import { DeviceIntent, SynapseError, type DeviceIntentInput, type InterfaceIntent, type PolicyResult, type RouteProtocol } from '@synapse/contracts';
import type { InfrahubBgpSession, InfrahubDevice, InfrahubInterface, InfrahubRoutingPolicy } from './device';

/**
 * Infrahub's view of a device (and of the routing policies its peer groups
 * name) -> the vendor-neutral intent the renderer consumes. Anything the
 * intent cannot express faithfully (a session without a peer group,
 * per-session policies that differ from the group's, a policy statement
 * without an action) is refused with the device, branch and offending item
 * named, rather than dropped: a silently simplified intent would be deployed
 * as if it were the whole truth.
 *
 * A policy name is defined when a SynapseRoutingPolicy of that name exists:
 * the intent then carries the policy and the prefix sets its statements
 * match. A name no SynapseRoutingPolicy has is the device's own policy: it
 * stays on the peer group only, and a change requires it to exist on the
 * device (contracts' externalPolicyReferences). Nothing is invented for it.
 */

/** SR Linux carries the router id and BGP source on subinterface 0 of `system0`. */
export const LOOPBACK_INTERFACE = 'system0';

/** Interface statuses (schema library) under which the port is meant to carry traffic. */
const ENABLED_INTERFACE_STATUSES = new Set(['active', 'provisioning']);
/** BGP session statuses (RoutingProtocol) that are configured on the device. */
const CONFIGURED_SESSION_STATUSES = new Set(['active']);

/** The sessions configured on the device: those whose status says so. */
function configuredSessions(device: InfrahubDevice): InfrahubBgpSession[] {
  return device.bgpSessions.filter((s) => s.status === undefined || CONFIGURED_SESSION_STATUSES.has(s.status));
}

/** Every policy name the peer groups of the device's configured sessions carry, sorted. */
export function policyNamesOf(device: InfrahubDevice): string[] {
  const names = configuredSessions(device).flatMap((s) => (s.peerGroup ? [...s.peerGroup.importPolicies, ...s.peerGroup.exportPolicies] : []));
  return [...new Set(names)].sort();
}

/**
 * @param policies the SynapseRoutingPolicy objects read for the names the
 *   device's peer groups carry (policyNamesOf); others are ignored.
 */
export function toDeviceIntent(device: InfrahubDevice, policies: InfrahubRoutingPolicy[]): DeviceIntent {
  const problems: string[] = [];
  const where = `device "${device.name}" on branch "${device.branch}"`;

  if (device.role === undefined) problems.push('role is not set');
  const interfaces = device.interfaces
    .map((i) => toInterfaceIntent(i))
    .sort((a, b) => naturalCompare(a.name, b.name));

  const sessions = configuredSessions(device);
  const loopback = findLoopback(device.interfaces);
  const wantsBgp = device.asn !== undefined || sessions.length > 0;

  let bgp: DeviceIntentInput['bgp'];
  if (wantsBgp) {
    if (device.asn === undefined) problems.push(`has ${sessions.length} BGP session(s) but no ASN (asn relationship)`);
    const routerId = loopback ? firstIpv4(loopback.ipAddresses) : undefined;
    if (routerId === undefined) {
      problems.push(
        loopback
          ? `loopback ${loopback.name} has no IPv4 address for the BGP router id`
          : `has no loopback interface (${LOOPBACK_INTERFACE} with role "loopback") to take the BGP router id from`,
      );
    }

    const groups = new Map<string, { name: string; importPolicies: string[]; exportPolicies: string[] }>();
    const neighbors: NonNullable<DeviceIntentInput['bgp']>['neighbors'] = [];
    for (const session of sessions) {
      const label = sessionLabel(session);
      const missing: string[] = [];
      if (!session.peerGroup) missing.push('peer_group');
      if (session.remoteIp === undefined) missing.push('remote_ip');
      if (session.remoteAs === undefined) missing.push('remote_as');
      if (missing.length) {
        problems.push(`BGP session ${label} has no ${missing.join(', ')}`);
        continue;
      }
      if (session.localAs !== undefined && device.asn !== undefined && session.localAs !== device.asn) {
        problems.push(`BGP session ${label} has local AS ${session.localAs} but the device is AS ${device.asn}`);
      }
      const group = session.peerGroup!;
      for (const [field, own, shared] of [
        ['import_policies', session.importPolicies, group.importPolicies],
        ['export_policies', session.exportPolicies, group.exportPolicies],
      ] as const) {
        if (own.length > 0 && !sameList(own, shared)) {
          problems.push(`BGP session ${label} sets ${field} "${own.join(',')}" apart from its peer group "${group.name}" ("${shared.join(',')}"); per-neighbor policies are not supported`);
        }
      }
      if (!groups.has(group.name)) groups.set(group.name, { name: group.name, importPolicies: group.importPolicies, exportPolicies: group.exportPolicies });
      const peerAddress = hostPart(session.remoteIp!);
      const localAddress = session.localIp === undefined ? undefined : hostPart(session.localIp);
      const peerDevice = farEndDevice(session, device.name);
      neighbors.push({
        peerAddress,
        peerAs: session.remoteAs!,
        peerGroup: group.name,
        ...(localAddress === undefined ? {} : { localAddress }),
        ...(peerDevice === undefined ? {} : { peerDevice }),
        ...(session.description === undefined ? {} : { description: session.description }),
      });
    }

    if (device.asn !== undefined && routerId !== undefined) {
      bgp = {
        asn: device.asn,
        routerId,
        groups: [...groups.values()].sort((a, b) => a.name.localeCompare(b.name)),
        neighbors: neighbors.sort((a, b) => ipv4Compare(a.peerAddress, b.peerAddress)),
      };
    }
  }

  // Filtered again here: a server ignoring the name filter must not hand the device another policy.
  const named = new Set(policyNamesOf(device));
  const definitions = toPolicyIntents(policies.filter((p) => named.has(p.name)), problems);

  if (problems.length > 0) {
    throw new SynapseError('InvalidInput', `${where} cannot form a device intent: ${problems.join('; ')}`, {
      device: device.name,
      branch: device.branch,
      problems,
    });
  }

  const input: DeviceIntentInput = {
    name: device.name,
    role: device.role as DeviceIntentInput['role'],
    ...(device.status === undefined ? {} : { status: device.status as DeviceIntentInput['status'] }),
    ...(device.platform === undefined ? {} : { platform: device.platform }),
    interfaces,
    ...(bgp === undefined ? {} : { bgp }),
    routingPolicies: definitions.routingPolicies,
    prefixSets: definitions.prefixSets,
  };
  const parsed = DeviceIntent.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new SynapseError('InvalidInput', `${where} cannot form a device intent: ${issues.join('; ')}`, {
      device: device.name,
      branch: device.branch,
      problems: issues,
      fields: parsed.error.issues.map((i) => i.path.map(String).join('.')),
    });
  }
  return parsed.data;
}

type PolicyIntents = Required<Pick<DeviceIntentInput, 'routingPolicies' | 'prefixSets'>>;

/**
 * The defined policies, statements in sequence order, and the prefix sets
 * they match (only those: a prefix set no policy of the device uses is not
 * the device's business).
 */
function toPolicyIntents(policies: InfrahubRoutingPolicy[], problems: string[]): PolicyIntents {
  const prefixSets = new Map<string, PolicyIntents['prefixSets'][number]>();
  const routingPolicies = [...policies]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((policy) => {
      const label = `routing policy "${policy.name}"`;
      if (policy.defaultAction === undefined) problems.push(`${label} has no default_action`);
      const bySequence = new Map<number, string>();
      for (const statement of policy.statements) {
        if (statement.sequence === undefined) {
          problems.push(`${label} statement "${statement.name}" has no sequence, so its place in the policy is unknown`);
        } else {
          const other = bySequence.get(statement.sequence);
          if (other !== undefined) problems.push(`${label} statements "${other}" and "${statement.name}" share sequence ${statement.sequence}, so their order is unknown`);
          bySequence.set(statement.sequence, statement.name);
        }
        if (statement.action === undefined) problems.push(`${label} statement "${statement.name}" has no action`);
        const set = statement.matchPrefixSet;
        if (set && !prefixSets.has(set.name)) {
          if (set.prefixes.length === 0) problems.push(`prefix set "${set.name}" (matched by ${label} statement "${statement.name}") has no prefixes`);
          // The schema's default: an entry nobody gave a range matches the prefix exactly.
          prefixSets.set(set.name, { name: set.name, prefixes: set.prefixes.map((p) => ({ prefix: p.prefix, maskLengthRange: p.maskLengthRange ?? 'exact' })) });
        }
      }
      const statements = [...policy.statements]
        .sort((a, b) => (a.sequence ?? Infinity) - (b.sequence ?? Infinity))
        .map((statement) => ({
          name: statement.name,
          match: {
            ...(statement.matchPrefixSet ? { prefixSet: statement.matchPrefixSet.name } : {}),
            // Dropdown values stay strings until DeviceIntent parses them: an unknown one is refused there, naming the field.
            ...(statement.matchProtocol === undefined ? {} : { protocol: statement.matchProtocol as RouteProtocol }),
          },
          action: statement.action as PolicyResult,
        }));
      return { name: policy.name, defaultAction: policy.defaultAction as PolicyResult, statements };
    });
  return { routingPolicies, prefixSets: [...prefixSets.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

function toInterfaceIntent(iface: InfrahubInterface): DeviceIntentInput['interfaces'][number] {
  const role = interfaceRole(iface);
  // Synapse sizes fabric and access ports only. A loopback has no link to
  // size and a management port is never written: the MTU Infrahub shows on
  // them is the schema's default, not something anyone intended.
  const mtu = role === 'loopback' || role === 'management' ? undefined : iface.mtu;
  return {
    name: iface.name,
    ...(iface.description === undefined ? {} : { description: iface.description }),
    enabled: iface.status === undefined || ENABLED_INTERFACE_STATUSES.has(iface.status),
    ...(mtu === undefined ? {} : { mtu }),
    // The intent is IPv4-only by contract; IPv6 addresses are not carried.
    ipv4Addresses: iface.ipAddresses.filter((a) => a.includes('.')),
    role,
  };
}

/** The schema library's interface roles -> the intent's coarser ones. */
function interfaceRole(iface: InfrahubInterface): InterfaceIntent['role'] {
  switch (iface.role) {
    case 'loopback':
      return 'loopback';
    case 'management':
      return 'management';
    case 'access':
    case 'cust':
    case 'customer':
      return 'access';
    default:
      // core, peering, upstream, or unset: a routed fabric port.
      return iface.name === LOOPBACK_INTERFACE ? 'loopback' : 'fabric';
  }
}

function findLoopback(interfaces: InfrahubInterface[]): InfrahubInterface | undefined {
  const loopbacks = interfaces.filter((i) => i.role === 'loopback');
  return loopbacks.find((i) => i.name === LOOPBACK_INTERFACE) ?? loopbacks[0] ?? interfaces.find((i) => i.name === LOOPBACK_INTERFACE);
}

function firstIpv4(addresses: string[]): string | undefined {
  const v4 = addresses.find((a) => a.includes('.'));
  return v4 === undefined ? undefined : hostPart(v4);
}

/** IpamIPAddress stores `10.0.0.1/31`; neighbors and router ids take the bare address. */
function hostPart(address: string): string {
  return address.split('/')[0]!;
}

/**
 * The device at the far end of a session: the peer session's device, which
 * is what Infrahub says outright; else the device owning the remote address,
 * when that address is assigned to an interface; else unknown, and the
 * neighbor carries none (a rollout then treats the session as outside the
 * change, never waits on a guess). The device itself is never its own far
 * end: that would be a data error, and a rollout would wait on itself.
 */
function farEndDevice(session: InfrahubBgpSession, self: string): string | undefined {
  const candidate = session.peerSession?.device ?? session.remoteIpDevice;
  return candidate === self ? undefined : candidate;
}

function sessionLabel(session: InfrahubBgpSession): string {
  return session.description ? `"${session.description}" (${session.id})` : session.id;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** ethernet-1/2 before ethernet-1/10. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function ipv4Compare(a: string, b: string): number {
  const value = (s: string) => s.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return value(a) - value(b);
}
