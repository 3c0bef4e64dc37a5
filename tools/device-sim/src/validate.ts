import type { PathElem } from '@synapse/gnmi-client';
import { isIPv4, isIPv6 } from 'node:net';
import { invalidArgument } from './errors';
import { breakoutParent, INTERFACE_NAME_HINT, interfaceKind, onlySubinterfaceZero, parseSubinterfaceName, type InterfaceKind } from './interface-names';
import { isIpAddress, isNetworkPrefix, parseIpv4Prefix } from './ip';
import { describePath } from './paths';
import { childNode, memberKey, type ContainerNode, type LeafType, type ListNode, type SchemaNode } from './schema';
import { DEFAULTS, SRL_SCHEMA } from './srl-model';
import { isJsonObject, keyOf, type JsonObject } from './tree';

/**
 * Whole-candidate validation, as SR Linux does at commit: leaf types and
 * ranges, mandatory leaves, list sizes, and the `must` rules and references
 * of SR Linux 25.3's YANG for the nodes modelled (libs/device-config/
 * SRLINUX-MODEL.md). The first problem found is reported as INVALID_ARGUMENT
 * naming its exact path; where the YANG has an error-message, the reason
 * says the same.
 */
export function validateConfig(root: JsonObject, schema: ContainerNode = SRL_SCHEMA): void {
  // MTU first: the per-interface-kind range is the message an operator needs, not the generic 1450..9500.
  checkInterfaceMtu(root);
  checkNode(schema, root, []);
  checkInterfaces(root);
  checkAcl(root);
  checkNetworkInstances(root);
  checkRoutingPolicy(root);
  checkSystem(root);
}

function fail(at: PathElem[], reason: string): never {
  throw invalidArgument(`${describePath(at)}: ${reason}`);
}

// ---- schema-driven checks ------------------------------------------------------

function checkNode(node: SchemaNode, value: unknown, at: PathElem[]): void {
  switch (node.kind) {
    case 'leaf':
      checkLeaf(node.type, value, at);
      return;
    case 'leaf-list': {
      if (!Array.isArray(value)) fail(at, 'expected a list of values');
      if (node.maxElements !== undefined && value.length > node.maxElements) fail(at, `at most ${node.maxElements} value(s) allowed, got ${value.length}`);
      const seen = new Set<string>();
      for (const item of value) {
        checkLeaf(node.type, item, at);
        if (seen.has(String(item))) fail(at, `${JSON.stringify(item)} is listed twice`);
        seen.add(String(item));
      }
      return;
    }
    case 'anydata':
      return;
    case 'container':
      if (!isJsonObject(value)) fail(at, 'expected an object');
      checkMembers(node, value, at);
      return;
    case 'list':
      if (!Array.isArray(value)) fail(at, 'expected a list of entries');
      if (node.maxElements !== undefined && value.length > node.maxElements) fail(at, `at most ${node.maxElements} entries allowed, got ${value.length}`);
      for (const entry of value) {
        if (!isJsonObject(entry)) fail(at, 'expected list entries to be objects');
        checkMembers(node, entry, [...at.slice(0, -1), { name: node.name, key: keyOf(node, entry) }]);
      }
      return;
  }
}

function checkMembers(node: ContainerNode | ListNode, value: JsonObject, at: PathElem[]): void {
  for (const child of node.children.values()) {
    if (child.kind === 'leaf' && child.mandatory && value[child.name] === undefined) {
      fail([...at, { name: child.name }], `mandatory leaf "${child.name}" is missing`);
    }
  }
  for (const [name, member] of Object.entries(value)) {
    const child = childNode(node, name);
    if (!child) fail([...at, { name }], `unknown element "${name}"`);
    checkNode(child, member, [...at, { name }]);
  }
}

function checkLeaf(type: LeafType, value: unknown, at: PathElem[]): void {
  const problem = leafProblem(type, value);
  if (problem !== undefined) fail(at, problem);
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** What is wrong with a leaf value, or undefined when it is valid. */
function leafProblem(type: LeafType, value: unknown): string | undefined {
  const shown = JSON.stringify(value);
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${shown}`;
      if (type.minLength !== undefined && value.length < type.minLength) return `must be at least ${type.minLength} character(s) long`;
      if (type.maxLength !== undefined && value.length > type.maxLength) return `length ${value.length} exceeds the maximum of ${type.maxLength}`;
      if (type.pattern && !type.pattern.test(value)) return `${shown} is not valid (${type.patternHint ?? type.pattern.source})`;
      return undefined;
    case 'uint':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return `expected an unsigned integer, got ${shown}`;
      if (value < type.min || value > type.max) return `${value} is out of range ${type.min}..${type.max}`;
      return undefined;
    case 'enum':
    case 'identity':
      // RFC 7951: enumerations and identities are JSON strings (`"4"`, never `4`).
      if (typeof value !== 'string') return `expected one of ${type.values.join(', ')} as a JSON string, got ${shown}`;
      return type.values.includes(value) ? undefined : `${shown} is not one of: ${type.values.join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${shown}`;
    case 'ipv4-address':
      return typeof value === 'string' && isIPv4(value) ? undefined : `${shown} is not an IPv4 address`;
    case 'ip-address':
      return typeof value === 'string' && isIpAddress(value) ? undefined : `${shown} is not an IP address`;
    case 'ip-address-with-zone':
      return typeof value === 'string' && isAddressWithZone(value) ? undefined : `${shown} is not an IP address (IPv4, or IPv6 optionally followed by %<subinterface>)`;
    case 'ipv4-interface-prefix':
      return typeof value === 'string' && parseIpv4Prefix(value) ? undefined : `${shown} is not a valid IPv4 address with prefix length (a.b.c.d/0..32)`;
    case 'ipv6-interface-prefix':
      return typeof value === 'string' && isIpv6InterfacePrefix(value) ? undefined : `${shown} is not a valid IPv6 address with prefix length (x:x::x/0..128)`;
    case 'ip-prefix':
      return typeof value === 'string' && isNetworkPrefix(value) ? undefined : `${shown} is not a valid IP prefix (address/length with no host bits set)`;
    case 'mask-length-range':
      return typeof value === 'string' && /^(exact|[0-9]+\.\.[0-9]+)$/.test(value) ? undefined : `${shown} is not "exact" or "<min>..<max>"`;
    case 'interface-name':
      return typeof value === 'string' && interfaceKind(value) ? undefined : `${shown} is not a valid interface name (expected ${INTERFACE_NAME_HINT})`;
    case 'subinterface-name':
      return typeof value === 'string' && parseSubinterfaceName(value)
        ? undefined
        : `${shown} is not a subinterface name (expected <interface>.<index 0..9999>, e.g. ethernet-1/1.0; mgmt0, system0 and sync0 take only .0)`;
    case 'empty':
      return Array.isArray(value) && value.length === 1 && value[0] === null ? undefined : `an empty leaf is written [null], got ${shown}`;
    case 'union':
      return type.types.some((member) => leafProblem(member, value) === undefined) ? undefined : `${shown} is not valid (expected ${type.hint})`;
    case 'any':
      return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : `expected a single value, got ${shown}`;
  }
}

function isAddressWithZone(text: string): boolean {
  const percent = text.indexOf('%');
  if (percent < 0) return isIpAddress(text);
  // Only IPv6 takes a zone, and it names the subinterface a link-local peer is reached over.
  return isIPv6(text.slice(0, percent)) && parseSubinterfaceName(text.slice(percent + 1)) !== undefined;
}

function isIpv6InterfacePrefix(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const length = text.slice(slash + 1);
  return isIPv6(text.slice(0, slash)) && DECIMAL.test(length) && Number(length) <= 128;
}

// ---- tree helpers ----------------------------------------------------------------

function entries(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function object(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** A member of carried (anydata) JSON, whatever prefix it was sent with. */
function carried(value: JsonObject | undefined, name: string): unknown {
  const key = value && memberKey(value, name);
  return key === undefined ? undefined : value?.[key];
}

// ---- interfaces ------------------------------------------------------------------

const interfacePath = (name: string): PathElem[] => [{ name: 'interface', key: { name } }];
const subinterfacePath = (name: string, index: unknown): PathElem[] => [...interfacePath(name), { name: 'subinterface', key: { index: String(index) } }];
const elems = (base: PathElem[], ...names: string[]): PathElem[] => [...base, ...names.map((name) => ({ name }))];

const KIND_LABEL: Record<InterfaceKind, string> = {
  ethernet: 'ethernet ports',
  lag: 'lag interfaces',
  mgmt: 'mgmt interfaces',
  sync: 'sync0',
  system: 'system0',
  loopback: 'loopback interfaces',
  irb: 'irb interfaces',
};

/** SR Linux's mtu must-rules: at least 1500 (only lif/vhn go lower), at most 9216 on mgmt, none on loopback, irb or system0. */
function checkInterfaceMtu(root: JsonObject): void {
  for (const itf of entries(root.interface)) {
    const name = String(itf.name);
    const mtu = itf.mtu;
    const kind = interfaceKind(name);
    if (typeof mtu !== 'number' || !kind) continue;
    const at = elems(interfacePath(name), 'mtu');
    if (kind === 'loopback' || kind === 'irb' || kind === 'system') fail(at, `mtu is not configurable on ${KIND_LABEL[kind]}`);
    const max = kind === 'mgmt' ? 9216 : 9500;
    if (mtu < 1500 || mtu > max) fail(at, `${mtu} is out of range 1500..${max} for ${KIND_LABEL[kind]}`);
    if (itf['breakout-mode'] !== undefined) fail(at, 'mtu not configurable when breakout-mode is enabled');
  }
}

/** Leaves a port with breakout-mode refuses: the connector is configured through its breakout ports. */
const REFUSED_WITH_BREAKOUT: string[][] = [
  ['ethernet', 'port-speed'],
  ['ethernet', 'aggregate-id'],
  ['ethernet', 'forward-error-correction', 'fec-option'],
  ['ethernet', 'mac-address'],
  ['ethernet', 'lacp-port-priority'],
  ['ethernet', 'standby-signaling'],
  ['ethernet', 'link-loss-forwarding'],
  ['ethernet', 'reload-delay'],
  ['ethernet', 'flow-control', 'receive'],
  ['ethernet', 'flow-control', 'transmit'],
  ['transceiver', 'tx-laser'],
  ['transceiver', 'ddm-events'],
  ['transceiver', 'forward-error-correction'],
  ['loopback-mode'],
  ['vlan-tagging'],
];

function valueAt(value: JsonObject, path: string[]): unknown {
  let current: unknown = value;
  for (const name of path) current = isJsonObject(current) ? current[name] : undefined;
  return current;
}

function checkInterfaces(root: JsonObject): void {
  const interfaces = new Map(entries(root.interface).map((itf) => [String(itf.name), itf]));
  for (const [name, itf] of interfaces) {
    const kind = interfaceKind(name)!;
    const at = interfacePath(name);
    if (kind === 'system' && itf['admin-state'] === 'disable') fail(elems(at, 'admin-state'), 'admin-state must be enable');
    checkBreakout(itf, name, kind, interfaces);
    checkEthernetContainer(itf, name, kind, interfaces);
    checkTransceiver(itf, name, kind);
    if (itf['loopback-mode'] !== undefined && kind !== 'ethernet') fail(elems(at, 'loopback-mode'), 'physical loopback not supported on this interface');
    if (itf['swap-src-dst-mac'] === true && itf['loopback-mode'] !== 'facility') {
      fail(elems(at, 'swap-src-dst-mac'), 'MAC SWAP is only supported when interface loopback mode is facility');
    }
    if (itf['vlan-tagging'] !== undefined && kind !== 'ethernet' && kind !== 'lag') fail(elems(at, 'vlan-tagging'), 'vlan-tagging is supported on ethernet and lag interfaces only');
    checkLagContainer(itf, name, kind);
    for (const sub of entries(itf.subinterface)) checkSubinterface(itf, name, kind, sub);
  }
}

function checkBreakout(itf: JsonObject, name: string, kind: InterfaceKind, interfaces: Map<string, JsonObject>): void {
  const at = interfacePath(name);
  const breakout = object(itf['breakout-mode']);
  if (breakout) {
    const modeAt = elems(at, 'breakout-mode');
    if (kind !== 'ethernet') fail(modeAt, 'Breakout not supported for this port type');
    const ports = breakout['num-breakout-ports'];
    const speed = breakout['breakout-port-speed'];
    const functionalType = valueAt(itf, ['transceiver', 'functional-type']);
    const numAt = elems(modeAt, 'num-breakout-ports');
    if ((ports === '1' || ports === '3') && speed !== '100G') fail(numAt, `breakout-port-speed must be 100G when num-breakout-ports is ${ports}`);
    // XPath `!=` on an absent leaf is false: without a configured functional-type these rules do not fire.
    if ((ports === '1' || ports === '3') && functionalType !== undefined && functionalType !== 'digital-coherent-optics') {
      fail(numAt, `transceiver functional-type must be digital-coherent-optics when breakout-port-speed is 100G and num-breakout-ports is ${ports}`);
    }
    if (ports === '8' && functionalType === 'digital-coherent-optics') fail(numAt, 'transceiver functional-type must not be digital-coherent-optics when num-breakout-ports is 8');
    if (speed !== '100G' && speed !== '1G' && functionalType === 'digital-coherent-optics') {
      fail(elems(modeAt, 'breakout-port-speed'), `digital-coherent-optics do not support ${String(speed)} breakout-port-speed`);
    }
    for (const path of REFUSED_WITH_BREAKOUT) {
      if (valueAt(itf, path) !== undefined) fail(elems(at, ...path), `${path[path.length - 1]} not configurable when breakout-mode is enabled`);
    }
    for (const direction of ['up', 'down']) {
      const value = valueAt(itf, ['ethernet', 'hold-time', direction]);
      if (value !== undefined && value !== 0) fail(elems(at, 'ethernet', 'hold-time', direction), `hold-time ${direction} not configurable when breakout-mode is enabled`);
    }
  }
  const child = breakoutParent(name);
  if (child) {
    const parent = interfaces.get(child.parent);
    const parentMode = object(parent?.['breakout-mode']);
    if (!parentMode) {
      fail(at, `${name} is breakout port ${child.index} of ${child.parent}, which has no breakout-mode (configure /interface[name=${child.parent}]/breakout-mode first)`);
    }
    const count = Number(parentMode['num-breakout-ports']);
    if (child.index > count) fail(at, `${name} does not exist: ${child.parent} is broken out into ${count} port(s)`);
  }
}

function checkEthernetContainer(itf: JsonObject, name: string, kind: InterfaceKind, interfaces: Map<string, JsonObject>): void {
  const ethernet = object(itf.ethernet);
  if (!ethernet) return;
  const at = elems(interfacePath(name), 'ethernet');
  const aggregateId = ethernet['aggregate-id'];
  if (aggregateId !== undefined) {
    const idAt = elems(at, 'aggregate-id');
    const lag = String(aggregateId);
    if (!interfaces.has(lag)) fail(idAt, `interface "${lag}" does not exist (configure /interface[name=${lag}] first)`);
    if (interfaceKind(lag) !== 'lag') fail(idAt, `"${lag}" is not a LAG interface`);
    if (kind !== 'ethernet') fail(idAt, 'only ethernet ports can be LAG members');
    // The must rules of aggregate-id, with SR Linux's messages.
    if (itf.mtu !== undefined) fail(idAt, 'mtu and aggregate-id can not be configured together');
    if (itf['vlan-tagging'] !== undefined) fail(idAt, 'vlan-tagging and aggregate-id can not be configured together');
    if (valueAt(ethernet, ['flow-control', 'receive']) !== undefined) fail(idAt, 'flow-control receive and aggregate-id can not be configured together');
    if (valueAt(ethernet, ['flow-control', 'transmit']) !== undefined) fail(idAt, 'flow-control transmit and aggregate-id can not be configured together');
    if (ethernet['standby-signaling'] !== undefined) fail(idAt, 'standby-signaling and aggregate-id cannot be configured together');
    if (ethernet['link-loss-forwarding'] !== undefined) fail(idAt, 'link-loss-forwarding and aggregate-id cannot be configured together');
  }
  if (ethernet['forwarding-viable'] !== undefined && aggregateId === undefined) fail(elems(at, 'forwarding-viable'), 'aggregate-id must be configured');
  const ethernetOnly: Array<[string[], string]> = [
    [['port-speed'], 'port speed not configurable on this interface'],
    [['forward-error-correction', 'fec-option'], 'forward-error-correction not supported on this interface'],
    [['lacp-port-priority'], 'lacp-port-priority not supported on this interface'],
    [['reload-delay'], 'reload-delay not supported on this interface'],
  ];
  for (const [path, message] of ethernetOnly) if (valueAt(ethernet, path) !== undefined && kind !== 'ethernet') fail(elems(at, ...path), message);
  if (ethernet['mac-address'] !== undefined && (kind === 'loopback' || kind === 'system')) fail(elems(at, 'mac-address'), 'mac-address not configurable on this interface');
  const ethernetOrLag = kind === 'ethernet' || kind === 'lag';
  const signaling = ethernet['standby-signaling'];
  if (signaling !== undefined) {
    if (!ethernetOrLag) fail(elems(at, 'standby-signaling'), 'standby-signaling not supported on this interface');
    if (signaling === 'lacp' && valueAt(itf, ['lag', 'lag-type']) !== 'lacp') {
      fail(elems(at, 'standby-signaling'), 'lacp-based standby-signaling supported only on lacp enabled lag interfaces');
    }
  }
  if (ethernet['link-loss-forwarding'] !== undefined) {
    const llfAt = elems(at, 'link-loss-forwarding');
    if (!ethernetOrLag) fail(llfAt, 'link-loss-forwarding not supported on this interface');
    if (itf['vlan-tagging'] === true) fail(llfAt, 'vlan-tagging true and link-loss-forwarding can not be configured together');
    if (signaling === undefined) fail(llfAt, 'link-loss-forwarding requires the configuration of standby-signaling');
  }
  if (valueAt(ethernet, ['flow-control', 'receive']) !== undefined && !ethernetOrLag && kind !== 'mgmt') {
    fail(elems(at, 'flow-control', 'receive'), 'flow-control receive not supported on this interface');
  }
  if (valueAt(ethernet, ['flow-control', 'transmit']) !== undefined && !ethernetOrLag) fail(elems(at, 'flow-control', 'transmit'), 'flow-control transmit not supported on this interface');
  for (const direction of ['up', 'down']) {
    const value = valueAt(ethernet, ['hold-time', direction]);
    if (typeof value !== 'number') continue;
    const holdAt = elems(at, 'hold-time', direction);
    if (value > 0 && value < 100) fail(holdAt, `${value} is out of range 0 | 100..86400000`);
    if (value % 50 !== 0) fail(holdAt, `hold-time ${direction} must be a multiple of 50`);
    if (value !== 0 && kind !== 'ethernet') fail(holdAt, `hold-time ${direction} not supported on this interface`);
  }
}

function checkTransceiver(itf: JsonObject, name: string, kind: InterfaceKind): void {
  const transceiver = object(itf.transceiver);
  if (!transceiver) return;
  const at = elems(interfacePath(name), 'transceiver');
  for (const leafName of ['functional-type', 'tx-laser', 'ddm-events', 'forward-error-correction']) {
    if (transceiver[leafName] !== undefined && kind !== 'ethernet') fail(elems(at, leafName), `${leafName} not supported on this interface`);
  }
  // Feature forward-error-correction-ethernet moves FEC under ethernet; a platform has one leaf or the other, never both.
  if (transceiver['forward-error-correction'] !== undefined && valueAt(itf, ['ethernet', 'forward-error-correction', 'fec-option']) !== undefined) {
    fail(elems(interfacePath(name), 'ethernet', 'forward-error-correction', 'fec-option'), 'FEC is configured under transceiver as well; a platform supports only one of the two');
  }
}

function checkLagContainer(itf: JsonObject, name: string, kind: InterfaceKind): void {
  const lag = object(itf.lag);
  if (!lag) return;
  const at = elems(interfacePath(name), 'lag');
  if (kind !== 'lag') fail(at, 'lag container can only be configured on LAG interfaces');
  const lacp = (lag['lag-type'] ?? DEFAULTS.lagType) === 'lacp';
  for (const leafName of ['lacp-fallback-mode', 'lacp-fallback-timeout']) {
    if (lag[leafName] !== undefined && !lacp) fail(elems(at, leafName), 'precondition failed: lag type should be lacp');
  }
}

function checkSubinterface(itf: JsonObject, name: string, kind: InterfaceKind, sub: JsonObject): void {
  const at = subinterfacePath(name, sub.index);
  if (kind === 'sync') fail(at, 'subinterfaces not supported on sync0 port');
  if (onlySubinterfaceZero(name) && sub.index !== 0) fail(at, `${name} supports only subinterface 0`);
  if (kind === 'system' && sub['admin-state'] === 'disable') fail(elems(at, 'admin-state'), 'admin-state must be enable');
  const ethernetOrLag = kind === 'ethernet' || kind === 'lag';
  const type = sub.type;
  if (type !== undefined && !ethernetOrLag) fail(elems(at, 'type'), 'type not supported on this interface');
  const bridgedOrMirror = type === 'bridged' || type === 'local-mirror-dest';
  if (sub['ip-mtu'] !== undefined) {
    if (kind === 'system' || kind === 'loopback') fail(elems(at, 'ip-mtu'), 'ip-mtu not supported on this interface');
    if (bridgedOrMirror) fail(elems(at, 'ip-mtu'), 'ip-mtu not allowed with type bridged or type local-mirror-dest');
  }
  if (sub['l2-mtu'] !== undefined) {
    if (type !== 'bridged') fail(elems(at, 'l2-mtu'), 'l2-mtu only allowed with type bridged');
    if (Number(sub['l2-mtu']) < 1500) fail(elems(at, 'l2-mtu'), 'minimum l2-mtu is 1500 for this interface type');
  }
  if (sub['mpls-mtu'] !== undefined) {
    if (kind === 'system' || kind === 'loopback' || kind === 'mgmt') fail(elems(at, 'mpls-mtu'), 'mpls-mtu not supported on this interface');
    if (bridgedOrMirror) fail(elems(at, 'mpls-mtu'), 'mpls-mtu not allowed with type bridged or type local-mirror-dest');
  }
  if (type === 'bridged') {
    for (const family of ['ipv4', 'ipv6']) if (sub[family] !== undefined) fail(elems(at, family), `${family} is not supported on a bridged subinterface`);
  }
  const encap = object(valueAt(sub, ['vlan', 'encap']));
  if (encap?.['single-tagged'] !== undefined && itf['vlan-tagging'] !== true) {
    fail(elems(at, 'vlan', 'encap', 'single-tagged'), `single-tagged encapsulation needs vlan-tagging true on ${name}`);
  }
  if (encap?.untagged !== undefined && type !== 'bridged') fail(elems(at, 'vlan', 'encap', 'untagged'), 'untagged encapsulation is only supported on bridged subinterfaces');
}

function findSubinterface(root: JsonObject, itfName: string, index: number): JsonObject | undefined {
  const itf = entries(root.interface).find((i) => i.name === itfName);
  return entries(itf?.subinterface).find((s) => s.index === index);
}

// ---- ACLs ------------------------------------------------------------------------

/** Filter names SR Linux reserves for its own filters; a binding may not name them. */
const RESERVED_FILTER_NAMES = new Set(['system', 'capture']);

function checkAcl(root: JsonObject): void {
  const acl = object(root.acl);
  if (!acl) return;
  const filters = new Set<string>();
  for (const filter of entries(acl['acl-filter'])) {
    const filterName = String(filter.name);
    const filterType = String(filter.type);
    filters.add(`${filterName}\u0000${filterType}`);
    for (const entry of entries(filter.entry)) {
      const match = object(carried(entry, 'match'));
      for (const family of ['ipv4', 'ipv6']) {
        if (carried(match, family) !== undefined && filterType !== family) {
          fail(
            [{ name: 'acl' }, { name: 'acl-filter', key: { name: filterName, type: filterType } }, { name: 'entry', key: { 'sequence-id': String(entry['sequence-id']) } }, { name: 'match' }, { name: family }],
            `an ${family} match needs a filter of type ${family}`,
          );
        }
      }
    }
  }
  for (const binding of entries(acl.interface)) {
    const at: PathElem[] = [{ name: 'acl' }, { name: 'interface', key: { 'interface-id': String(binding['interface-id']) } }];
    const ref = object(binding['interface-ref']);
    if (ref) {
      const itfName = ref.interface;
      const refAt = elems(at, 'interface-ref');
      if (itfName === undefined && ref.subinterface !== undefined) fail(elems(refAt, 'subinterface'), 'interface-ref/interface must be set with the subinterface');
      if (itfName !== undefined) {
        const itf = entries(root.interface).find((i) => i.name === itfName);
        if (!itf) fail(elems(refAt, 'interface'), `interface "${String(itfName)}" does not exist`);
        if (ref.subinterface !== undefined && !findSubinterface(root, String(itfName), Number(ref.subinterface))) {
          fail(elems(refAt, 'subinterface'), `subinterface ${String(itfName)}.${String(ref.subinterface)} does not exist`);
        }
      }
    }
    for (const direction of ['input', 'output']) {
      for (const filter of entries(object(binding[direction])?.['acl-filter'])) {
        const filterAt: PathElem[] = [...at, { name: direction }, { name: 'acl-filter', key: { name: String(filter.name), type: String(filter.type) } }];
        if (RESERVED_FILTER_NAMES.has(String(filter.name))) fail(filterAt, `the ${String(filter.name)} filter cannot be bound to an interface`);
        if (!filters.has(`${String(filter.name)}\u0000${String(filter.type)}`)) {
          fail(filterAt, `acl-filter "${String(filter.name)}" of type ${String(filter.type)} does not exist under /acl`);
        }
      }
    }
  }
}

// ---- network-instances and BGP -----------------------------------------------------

function policyNames(root: JsonObject): Set<string> {
  return new Set(entries(object(root['routing-policy'])?.policy).map((p) => String(p.name)));
}

function checkPolicyRefs(value: JsonObject, at: PathElem[], policies: Set<string>): void {
  for (const leafName of ['export-policy', 'import-policy']) {
    const refs = value[leafName];
    if (!Array.isArray(refs)) continue;
    for (const ref of refs) {
      if (!policies.has(String(ref))) fail([...at, { name: leafName }], `policy "${ref}" does not exist under /routing-policy`);
    }
  }
}

const niType = (ni: JsonObject | undefined): string => String(ni?.type ?? DEFAULTS.networkInstanceType);

function checkNetworkInstances(root: JsonObject): void {
  const owner = new Map<string, string>();
  const policies = policyNames(root);
  let defaultTyped: string | undefined;
  for (const ni of entries(root['network-instance'])) {
    const niName = String(ni.name);
    const niAt: PathElem[] = [{ name: 'network-instance', key: { name: niName } }];
    const type = niType(ni);
    if (type === 'default') {
      if (defaultTyped !== undefined) fail([...niAt, { name: 'type' }], `only one network-instance can be of type default ("${defaultTyped}" already is)`);
      defaultTyped = niName;
    }
    if (ni['router-id'] !== undefined && type !== 'default' && type !== 'ip-vrf') fail([...niAt, { name: 'router-id' }], 'router-id is only supported in default and ip-vrf network-instances');
    for (const member of entries(ni.interface)) {
      const name = String(member.name);
      const memberAt: PathElem[] = [...niAt, { name: 'interface', key: { name } }];
      const parsed = parseSubinterfaceName(name)!;
      const sub = findSubinterface(root, parsed.interface, parsed.index);
      if (!sub) fail(memberAt, `subinterface ${name} does not exist (configure /interface[name=${parsed.interface}]/subinterface[index=${parsed.index}] first)`);
      const kind = interfaceKind(parsed.interface);
      if (kind === 'system' && type !== 'default') fail(memberAt, `${name} can only be used in a network-instance of type default`);
      if (kind === 'loopback' && type === 'mac-vrf') fail(memberAt, `loopback subinterface ${name} cannot be used in a mac-vrf`);
      if (sub.type === 'local-mirror-dest') fail(memberAt, `${name} is a local-mirror-dest subinterface and cannot be in a network-instance`);
      const previous = owner.get(name);
      if (previous !== undefined) fail(memberAt, `subinterface ${name} already belongs to network-instance "${previous}"`);
      owner.set(name, niName);
    }
    const bgp = object(object(ni.protocols)?.bgp);
    if (bgp) {
      const bgpAt: PathElem[] = [...niAt, { name: 'protocols' }, { name: 'bgp' }];
      if (type === 'mac-vrf' || type === 'host' || type === 'vpws') fail(bgpAt, `BGP is not supported in a network-instance of type ${type}`);
      checkBgp(bgp, bgpAt, policies);
    }
  }
}

function checkBgp(bgp: JsonObject, at: PathElem[], policies: Set<string>): void {
  const afiSafis = entries(bgp['afi-safi']);
  if (!afiSafis.some((a) => a['admin-state'] === 'enable')) {
    fail([...at, { name: 'afi-safi' }], 'at least one afi-safi must have admin-state enable');
  }
  checkPolicyRefs(bgp, at, policies);
  const groups = new Map(entries(bgp.group).map((g) => [String(g['group-name']), g]));
  for (const [groupName, group] of groups) {
    checkPolicyRefs(group, [...at, { name: 'group', key: { 'group-name': groupName } }], policies);
  }
  for (const neighbor of entries(bgp.neighbor)) {
    const peer = String(neighbor['peer-address']);
    const neighborAt: PathElem[] = [...at, { name: 'neighbor', key: { 'peer-address': peer } }];
    const groupName = String(neighbor['peer-group']);
    const group = groups.get(groupName);
    if (!group) fail([...neighborAt, { name: 'peer-group' }], `group "${groupName}" does not exist`);
    if (neighbor['peer-as'] === undefined && group['peer-as'] === undefined) {
      fail([...neighborAt, { name: 'peer-as' }], `no peer-as is configured on the neighbor or on its group "${groupName}"`);
    }
    checkPolicyRefs(neighbor, neighborAt, policies);
  }
}

// ---- routing policy ----------------------------------------------------------------

function checkRoutingPolicy(root: JsonObject): void {
  const routingPolicy = object(root['routing-policy']);
  if (!routingPolicy) return;
  const prefixSets = new Set<string>();
  for (const set of entries(routingPolicy['prefix-set'])) {
    prefixSets.add(String(set.name));
    for (const prefix of entries(set.prefix)) checkMaskLengthRange(set, prefix);
  }
  const policies = policyNames(root);
  const instances = new Map(entries(root['network-instance']).map((ni) => [String(ni.name), ni]));
  for (const policy of entries(routingPolicy.policy)) {
    for (const statement of entries(policy.statement)) {
      const matchAt: PathElem[] = [
        { name: 'routing-policy' },
        { name: 'policy', key: { name: String(policy.name) } },
        { name: 'statement', key: { name: String(statement.name) } },
        { name: 'match' },
      ];
      const match = object(statement.match);
      const prefixSet = valueAt(match ?? {}, ['prefix', 'prefix-set']);
      if (prefixSet !== undefined && !prefixSets.has(String(prefixSet))) fail(elems(matchAt, 'prefix', 'prefix-set'), `prefix-set "${String(prefixSet)}" does not exist`);
      for (const called of Array.isArray(match?.['call-policy']) ? match['call-policy'] : []) {
        if (!policies.has(String(called))) fail(elems(matchAt, 'call-policy'), `policy "${String(called)}" does not exist`);
      }
      const origin = match?.['origin-network-instance'];
      if (origin !== undefined) {
        const ni = instances.get(String(origin));
        if (!ni) fail(elems(matchAt, 'origin-network-instance'), `network-instance "${String(origin)}" does not exist`);
        if (niType(ni) !== 'default' && niType(ni) !== 'ip-vrf') {
          fail(elems(matchAt, 'origin-network-instance'), 'origin-network-instance match is only suported in the default and ip-vrf network-instances');
        }
      }
    }
  }
}

function checkMaskLengthRange(set: JsonObject, prefix: JsonObject): void {
  const range = /^([0-9]+)\.\.([0-9]+)$/.exec(String(prefix['mask-length-range']));
  if (!range) return;
  const maxLength = String(prefix['ip-prefix']).includes(':') ? 128 : 32;
  const [low, high] = [Number(range[1]), Number(range[2])];
  if (low > high || high > maxLength) {
    fail(
      [
        { name: 'routing-policy' },
        { name: 'prefix-set', key: { name: String(set.name) } },
        { name: 'prefix', key: { 'ip-prefix': String(prefix['ip-prefix']), 'mask-length-range': String(prefix['mask-length-range']) } },
        { name: 'mask-length-range' },
      ],
      `${low}..${high} is not a range of prefix lengths within 0..${maxLength}`,
    );
  }
}

// ---- system ------------------------------------------------------------------------

function checkSystem(root: JsonObject): void {
  const instances = new Map(entries(root['network-instance']).map((ni) => [String(ni.name), ni]));
  for (const server of entries(object(root.system)?.['grpc-server'])) {
    const niName = server['network-instance'];
    if (niName === undefined) continue;
    const at: PathElem[] = [{ name: 'system' }, { name: 'grpc-server', key: { name: String(server.name) } }, { name: 'network-instance' }];
    const ni = instances.get(String(niName));
    if (!ni) fail(at, `network-instance "${String(niName)}" does not exist`);
    const type = niType(ni);
    if (type === 'mac-vrf' || type === 'vpws') fail(at, `gRPC server cannot be started in a network-instance of type '${type}'`);
  }
}

