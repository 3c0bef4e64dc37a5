import { bgpSessions, indexLab, LOOPBACK_INTERFACE, portDescription, type Lab } from '@synapse/lab';
import type { SchemaModel } from '../schema/schema-model';
import { stableId } from './ids';
import { newRecord } from './records';
import type { BranchData, NodeRecord } from './store';

/** How far apart seeded statements are numbered, leaving room to insert one between two. */
export const STATEMENT_SEQUENCE_STEP = 10;

/** The description an in-band management port carries (the lab's intent says the same). */
export const INBAND_MANAGEMENT_DESCRIPTION = 'in-band management';

/**
 * Fill a branch with a lab as Infrahub would hold it after an import: one
 * DcimDevice per device (deployment state `pending`), an InterfacePhysical
 * with its IpamIPAddress per cabled port, an InterfaceVirtual `system0` with
 * the loopback (also the device's primary address), an InterfacePhysical
 * with role `management` for an in-band management port, an AS per ASN, a
 * fabric-wide peer group carrying the policy names, and a RoutingBGPSession
 * on each end of every link, the two ends pointing at each other. The
 * policies and prefix sets the lab's design defines become
 * SynapseRoutingPolicy (statements numbered 10, 20, … in the design's order)
 * and SynapsePrefixSet; a policy name the design only names stays a name.
 */
export function seedLab(model: SchemaModel, branch: BranchData, lab: Lab, at: string): void {
  const add = (kind: string, key: string, values: Record<string, unknown>): NodeRecord => {
    const record = newRecord(model, kind, stableId(kind, key), values, at);
    branch.add(record);
    return record;
  };
  const link = (from: NodeRecord, relationship: string, peer: NodeRecord) => {
    const schema = model.relationshipOf(from.kind, relationship);
    if (!schema) throw new RangeError(`${from.kind} has no relationship ${relationship}`);
    branch.link(model, from, schema, peer.id);
  };

  const platforms = new Map<string, NodeRecord>();
  const systems = new Map<number, NodeRecord>();
  const devices = new Map<string, NodeRecord>();
  const portAddresses = new Map<string, NodeRecord>();
  const design = lab.bgp;

  // A schema without Synapse's extension (a test of a bare library) has nowhere to keep them.
  const policyKinds = model.kinds.has('SynapseRoutingPolicy') && model.kinds.has('SynapsePrefixSet');
  const prefixSets = new Map<string, NodeRecord>();
  for (const set of policyKinds ? design.prefixSets : []) {
    const record = add('SynapsePrefixSet', set.name, { name: set.name });
    prefixSets.set(set.name, record);
    for (const entry of set.prefixes) {
      const child = add('SynapsePrefixSetEntry', `${set.name} ${entry.prefix} ${entry.maskLengthRange}`, { prefix: entry.prefix, mask_length_range: entry.maskLengthRange });
      link(child, 'prefix_set', record);
    }
  }
  for (const policy of policyKinds ? design.policies : []) {
    const record = add('SynapseRoutingPolicy', policy.name, { name: policy.name, default_action: policy.defaultAction });
    policy.statements.forEach((statement, i) => {
      const child = add('SynapsePolicyStatement', `${policy.name} ${statement.name}`, {
        name: statement.name,
        sequence: (i + 1) * STATEMENT_SEQUENCE_STEP,
        action: statement.action,
        match_protocol: statement.match.protocol ?? null,
      });
      link(child, 'policy', record);
      if (statement.match.prefixSet !== undefined) link(child, 'match_prefix_set', prefixSets.get(statement.match.prefixSet)!);
    });
  }

  const peerGroup = add('RoutingBGPPeerGroup', design.peerGroup, {
    name: design.peerGroup,
    description: `${design.peerGroup} eBGP sessions of lab ${lab.name}`,
    status: 'active',
    import_policies: design.importPolicy,
    export_policies: design.exportPolicy,
    address_family: design.afiSafi.includes('ipv4-unicast') ? 'ipv4' : 'ipv6',
  });

  for (const device of lab.devices) {
    let platform = platforms.get(device.platform);
    if (!platform) platforms.set(device.platform, (platform = add('DcimPlatform', device.platform, { name: device.platform })));
    let system = systems.get(device.asn);
    if (!system) systems.set(device.asn, (system = add('RoutingAutonomousSystem', String(device.asn), { name: `AS${device.asn}`, asn: device.asn })));
    const record = add('DcimDevice', device.name, {
      name: device.name,
      description: device.description ?? null,
      status: device.status,
      role: device.role,
    });
    devices.set(device.name, record);
    link(record, 'platform', platform);
    link(record, 'asn', system);

    for (const port of indexLab(lab).ports.get(device.name) ?? []) {
      const key = `${device.name} ${port.interface}`;
      const iface = add('InterfacePhysical', key, {
        name: port.interface,
        description: portDescription(port.peer.name, port.peerInterface),
        mtu: port.mtu,
        status: 'active',
        role: 'core',
      });
      link(iface, 'device', record);
      const address = add('IpamIPAddress', port.address, { address: port.address, description: key });
      link(iface, 'ip_addresses', address);
      portAddresses.set(key, address);
    }
    const loopback = add('InterfaceVirtual', `${device.name} ${LOOPBACK_INTERFACE}`, { name: LOOPBACK_INTERFACE, description: null, status: 'active' });
    link(loopback, 'device', record);
    const loopbackAddress = add('IpamIPAddress', device.loopback, { address: device.loopback, description: `${device.name} ${LOOPBACK_INTERFACE}`, role: 'loopback' });
    link(loopback, 'ip_addresses', loopbackAddress);
    link(record, 'primary_address', loopbackAddress);

    if (device.inbandManagement) {
      const { interface: name, address } = device.inbandManagement;
      const port = add('InterfacePhysical', `${device.name} ${name}`, { name, description: INBAND_MANAGEMENT_DESCRIPTION, status: 'active', role: 'management' });
      link(port, 'device', record);
      const portAddress = add('IpamIPAddress', address, { address, description: `${device.name} ${name}` });
      link(port, 'ip_addresses', portAddress);
    }
  }

  const sessions = new Map<string, NodeRecord>();
  for (const session of bgpSessions(lab)) {
    const record = add('RoutingBGPSession', `${session.device} ${session.localInterface}`, {
      description: session.description,
      status: 'active',
      session_type: 'external',
      role: 'backbone',
    });
    link(record, 'device', devices.get(session.device)!);
    link(record, 'peer_group', peerGroup);
    link(record, 'local_as', systems.get(session.localAs)!);
    link(record, 'remote_as', systems.get(session.peerAs)!);
    link(record, 'local_ip', portAddresses.get(`${session.device} ${session.localInterface}`)!);
    link(record, 'remote_ip', portAddresses.get(`${session.peerDevice} ${session.peerInterface}`)!);
    sessions.set(`${session.device} ${session.localAddress}`, record);
  }
  for (const session of bgpSessions(lab)) {
    const mirror = sessions.get(`${session.peerDevice} ${session.peerAddress}`);
    if (mirror) link(sessions.get(`${session.device} ${session.localAddress}`)!, 'peer_session', mirror);
  }
}
