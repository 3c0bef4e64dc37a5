import type { BgpSessionNode, DeviceDetailNode, DeviceNode, InterfaceNode, RoutingPolicyNode } from './responses';

/**
 * A device as Infrahub holds it, flattened out of GraphQL's {value}/{node}/
 * {edges} wrapping. Dropdown values stay strings: Infrahub accepts whatever
 * choices its schema declares, and refusing an unfamiliar one is the job of
 * the intent mapping, which knows what it needs.
 */

export interface DeploymentInfo {
  /** Synapse's deployment_state dropdown (pending, deploying, deployed, …). */
  state?: string;
  lastChangeId?: string;
  lastConfigChecksum?: string;
  lastDeployedAt?: string;
}

export interface DeviceSummary {
  id: string;
  name: string;
  description?: string;
  role?: string;
  status?: string;
  platform?: string;
  asn?: number;
  deployment: DeploymentInfo;
}

export interface InfrahubInterface {
  id: string;
  /** Concrete kind, e.g. InterfacePhysical or InterfaceVirtual. */
  kind?: string;
  name: string;
  description?: string;
  mtu?: number;
  status?: string;
  role?: string;
  /** With prefix length, e.g. `10.0.0.0/31`. */
  ipAddresses: string[];
}

export interface InfrahubBgpPeerGroup {
  name: string;
  importPolicies: string[];
  exportPolicies: string[];
}

export interface InfrahubBgpSession {
  id: string;
  description?: string;
  status?: string;
  sessionType?: string;
  role?: string;
  localAs?: number;
  remoteAs?: number;
  /** With prefix length, as IpamIPAddress stores it. */
  localIp?: string;
  remoteIp?: string;
  peerGroup?: InfrahubBgpPeerGroup;
  /** The session at the other end (`peer_session`) and the device it belongs to, when Infrahub links one. */
  peerSession?: { id: string; device?: string };
  /** The device whose interface holds `remoteIp`, when the address is assigned to one. */
  remoteIpDevice?: string;
  /** Session-level policies, overriding the peer group's when set. */
  importPolicies: string[];
  exportPolicies: string[];
}

export interface InfrahubPrefixSet {
  id: string;
  name: string;
  prefixes: { prefix: string; maskLengthRange?: string }[];
}

export interface InfrahubPolicyStatement {
  id: string;
  name: string;
  /** Evaluation order within the policy, lowest first. */
  sequence?: number;
  action?: string;
  matchProtocol?: string;
  matchPrefixSet?: InfrahubPrefixSet;
}

/** A SynapseRoutingPolicy: a policy the source of truth defines in full. */
export interface InfrahubRoutingPolicy {
  id: string;
  name: string;
  defaultAction?: string;
  /** In the order Infrahub returned them; the intent mapping orders them by sequence. */
  statements: InfrahubPolicyStatement[];
}

export interface InfrahubDevice extends DeviceSummary {
  /** The branch the device was read from. */
  branch: string;
  interfaces: InfrahubInterface[];
  bgpSessions: InfrahubBgpSession[];
}

export function toDeviceSummary(node: DeviceNode): DeviceSummary {
  return {
    id: node.id,
    name: node.name.value,
    description: present(node.description.value),
    role: present(node.role.value),
    status: present(node.status.value),
    platform: node.platform?.node?.name.value,
    asn: node.asn?.node?.asn.value,
    deployment: {
      state: present(node.deployment_state.value),
      lastChangeId: present(node.last_change_id.value),
      lastConfigChecksum: present(node.last_config_checksum.value),
      lastDeployedAt: present(node.last_deployed_at.value),
    },
  };
}

export function toDevice(node: DeviceDetailNode, sessions: BgpSessionNode[], branch: string): InfrahubDevice {
  return {
    ...toDeviceSummary(node),
    branch,
    interfaces: node.interfaces.edges.map((e) => toInterface(e.node)),
    bgpSessions: sessions.map(toBgpSession),
  };
}

function toInterface(node: InterfaceNode): InfrahubInterface {
  return {
    id: node.id,
    kind: node.__typename,
    name: node.name.value,
    description: present(node.description.value),
    mtu: node.mtu.value ?? undefined,
    status: present(node.status.value),
    role: present(node.role.value),
    ipAddresses: (node.ip_addresses?.edges ?? []).map((e) => e.node.address.value),
  };
}

function toBgpSession(node: BgpSessionNode): InfrahubBgpSession {
  const group = node.peer_group?.node;
  const peer = node.peer_session?.node;
  const remoteDevice = node.remote_ip?.node?.interface?.node?.device?.node?.name.value;
  return {
    id: node.id,
    description: present(node.description.value),
    status: present(node.status.value),
    sessionType: present(node.session_type.value),
    role: present(node.role.value),
    localAs: node.local_as?.node?.asn.value,
    remoteAs: node.remote_as?.node?.asn.value,
    localIp: node.local_ip?.node?.address.value,
    remoteIp: node.remote_ip?.node?.address.value,
    ...(peer ? { peerSession: { id: peer.id, ...(peer.device?.node ? { device: peer.device.node.name.value } : {}) } } : {}),
    ...(remoteDevice === undefined ? {} : { remoteIpDevice: remoteDevice }),
    peerGroup: group
      ? { name: group.name.value, importPolicies: policyNames(group.import_policies.value), exportPolicies: policyNames(group.export_policies.value) }
      : undefined,
    importPolicies: policyNames(node.import_policies.value),
    exportPolicies: policyNames(node.export_policies.value),
  };
}

export function toRoutingPolicy(node: RoutingPolicyNode): InfrahubRoutingPolicy {
  return {
    id: node.id,
    name: node.name.value,
    defaultAction: present(node.default_action.value),
    statements: node.statements.edges.map(({ node: statement }) => {
      const set = statement.match_prefix_set?.node;
      return {
        id: statement.id,
        name: statement.name.value,
        sequence: statement.sequence.value ?? undefined,
        action: present(statement.action.value),
        matchProtocol: present(statement.match_protocol.value),
        matchPrefixSet: set
          ? {
              id: set.id,
              name: set.name.value,
              prefixes: set.prefixes.edges.map((e) => ({ prefix: e.node.prefix.value, maskLengthRange: present(e.node.mask_length_range.value) })),
            }
          : undefined,
      };
    }),
  };
}

/**
 * The schema library keeps policies as free text on peer groups and
 * sessions; several are written separated by commas or spaces, the way
 * device CLIs chain them.
 */
export function policyNames(text: string | null): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function present(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}
