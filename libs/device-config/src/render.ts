import type { BgpIntent, DeviceIntent, DeviceIntentInput, InterfaceIntent, ManagedConfig, PolicyStatementIntent, PrefixSetIntent, RoutingPolicyIntent } from '@synapse/contracts';
import { formatPath } from '@synapse/gnmi-client';
import { configuredInterfaces, parseRenderableIntent } from './intent-checks';
import { ROUTED_SUBINTERFACE_INDEX, subinterfaceName } from './interface-names';
import { SRL_MODULES } from './srl-schema';
import type { JsonObject } from './tree';

/**
 * A device's rendered config: gNMI path -> the SR Linux JSON_IETF subtree a
 * deploy REPLACES at that path (contracts' ManagedConfig).
 */
export type RenderedConfig = ManagedConfig;

export const DEFAULT_NETWORK_INSTANCE = 'default';
export const NETWORK_INSTANCE_PATH = formatPath({ elem: [{ name: 'network-instance', key: { name: DEFAULT_NETWORK_INSTANCE } }] });

export function routingPolicyPath(name: string): string {
  return formatPath({ elem: [{ name: 'routing-policy' }, { name: 'policy', key: { name } }] });
}

export function interfacePath(name: string): string {
  return formatPath({ elem: [{ name: 'interface', key: { name } }] });
}

export function prefixSetPath(name: string): string {
  return formatPath({ elem: [{ name: 'routing-policy' }, { name: 'prefix-set', key: { name } }] });
}

/**
 * Intent -> SR Linux native config: path -> the subtree of that entry the
 * intent describes, `/interface[name=…]` per configured interface,
 * `/network-instance[name=default]` (type, member subinterfaces, BGP), and
 * `/routing-policy/policy[name=…]` and `/routing-policy/prefix-set[name=…]`
 * per policy and prefix set the intent defines. Exactly these leaves are
 * what Synapse owns (ownership.ts): a deploy merges them into the device's
 * entries and leaves every other leaf as it is; policies and prefix sets,
 * being fully defined, are owned whole. A policy a peer group only names is
 * the device's own and is not rendered.
 *
 * Values are RFC 7951 JSON relative to their path: members in the path's own
 * module are unqualified, `srl_nokia-bgp:bgp` (an augmentation) and identity
 * values carry their module. SR Linux defaults are written out where the
 * product relies on them (admin-state enable), so an out-of-band disable
 * shows as drift rather than as a missing leaf.
 *
 * Throws a non-retryable InvalidInput naming the field for an intent SR Linux
 * would refuse (see intent-checks.ts).
 */
export function renderConfig(input: DeviceIntentInput | DeviceIntent): RenderedConfig {
  const intent = parseRenderableIntent(input);
  const config: RenderedConfig = {};
  const members: string[] = [];
  for (const itf of configuredInterfaces(intent)) {
    config[interfacePath(itf.name)] = renderInterface(itf);
    if (itf.ipv4Addresses.length > 0) members.push(subinterfaceName(itf.name));
  }
  config[NETWORK_INSTANCE_PATH] = renderNetworkInstance(members, intent.bgp);
  for (const set of intent.prefixSets) config[prefixSetPath(set.name)] = renderPrefixSet(set);
  for (const policy of intent.routingPolicies) config[routingPolicyPath(policy.name)] = renderPolicy(policy);
  return config;
}

const adminState = (enabled: boolean) => (enabled ? 'enable' : 'disable');

function renderInterface(itf: InterfaceIntent): JsonObject {
  const out: JsonObject = { name: itf.name };
  if (itf.description !== undefined) out.description = itf.description;
  out['admin-state'] = adminState(itf.enabled);
  if (itf.mtu !== undefined) out.mtu = itf.mtu;
  // Routed interfaces get one untagged subinterface; its state follows the
  // port's admin-state, which is what the intent's `enabled` means.
  if (itf.ipv4Addresses.length > 0) {
    out.subinterface = [
      {
        index: ROUTED_SUBINTERFACE_INDEX,
        'admin-state': 'enable',
        ipv4: { 'admin-state': 'enable', address: itf.ipv4Addresses.map((prefix) => ({ 'ip-prefix': prefix })) },
      },
    ];
  }
  return out;
}

function renderNetworkInstance(members: string[], bgp: BgpIntent | undefined): JsonObject {
  const out: JsonObject = {
    name: DEFAULT_NETWORK_INSTANCE,
    type: `${SRL_MODULES.networkInstance}:default`,
    'admin-state': 'enable',
  };
  if (members.length > 0) out.interface = members.map((name) => ({ name }));
  // No BGP in the intent means none on the device: the replace removes it.
  if (bgp) out.protocols = { [`${SRL_MODULES.bgp}:bgp`]: renderBgp(bgp) };
  return out;
}

function renderBgp(bgp: BgpIntent): JsonObject {
  const out: JsonObject = {
    'autonomous-system': bgp.asn,
    'router-id': bgp.routerId,
    'admin-state': 'enable',
    // SR Linux refuses BGP without an enabled address family.
    'afi-safi': bgp.afiSafi.map((name) => ({ 'afi-safi-name': `${SRL_MODULES.common}:${name}`, 'admin-state': 'enable' })),
  };
  if (bgp.groups.length > 0) {
    out.group = bgp.groups.map((group) => {
      const entry: JsonObject = { 'group-name': group.name, 'admin-state': 'enable' };
      // Leaf-lists since SR Linux 24.7; the order is the policy chain's order.
      if (group.exportPolicies.length > 0) entry['export-policy'] = [...group.exportPolicies];
      if (group.importPolicies.length > 0) entry['import-policy'] = [...group.importPolicies];
      return entry;
    });
  }
  if (bgp.neighbors.length > 0) {
    out.neighbor = bgp.neighbors.map((neighbor) => {
      const entry: JsonObject = {
        'peer-address': neighbor.peerAddress,
        'peer-as': neighbor.peerAs,
        'peer-group': neighbor.peerGroup,
        'admin-state': 'enable',
      };
      if (neighbor.description !== undefined) entry.description = neighbor.description;
      // localAddress is not rendered: single-hop eBGP sources from the link
      // address anyway, and the simulator does not model transport/local-address.
      return entry;
    });
  }
  return out;
}

function renderPrefixSet(set: PrefixSetIntent): JsonObject {
  return { name: set.name, prefix: set.prefixes.map((p) => ({ 'ip-prefix': p.prefix, 'mask-length-range': p.maskLengthRange })) };
}

function renderPolicy(policy: RoutingPolicyIntent): JsonObject {
  const out: JsonObject = { name: policy.name, 'default-action': { 'policy-result': policy.defaultAction } };
  // Statements are ordered-by user: the list order is the evaluation order.
  if (policy.statements.length > 0) out.statement = policy.statements.map(renderStatement);
  return out;
}

function renderStatement(statement: PolicyStatementIntent): JsonObject {
  const match: JsonObject = {};
  // 25.3 matches a prefix set through the `prefix` container (24.10's `match/prefix-set` leaf is gone).
  if (statement.match.prefixSet !== undefined) match.prefix = { 'prefix-set': statement.match.prefixSet };
  if (statement.match.protocol !== undefined) match.protocol = `${SRL_MODULES.common}:${statement.match.protocol}`;
  return {
    name: statement.name,
    ...(Object.keys(match).length > 0 ? { match } : {}),
    action: { 'policy-result': statement.action },
  };
}
