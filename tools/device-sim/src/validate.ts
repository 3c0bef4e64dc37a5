import type { PathElem } from '@synapse/gnmi-client';
import { invalidArgument } from './errors';
import { INTERFACE_NAME_HINT, interfaceKind, parseSubinterfaceName } from './interface-names';
import { isIpAddress, isNetworkPrefix, parseIpv4Prefix } from './ip';
import { isIPv4 } from 'node:net';
import { describePath } from './paths';
import { childNode, type ContainerNode, type LeafType, type ListNode, type SchemaNode } from './schema';
import { SRL_SCHEMA } from './srl-model';
import { isJsonObject, keyOf, type JsonObject } from './tree';

/**
 * Whole-candidate validation, as SR Linux does at commit: leaf types and
 * ranges, mandatory leaves, and the references between subtrees. The first
 * problem found is reported as INVALID_ARGUMENT naming its exact path.
 */
export function validateConfig(root: JsonObject, schema: ContainerNode = SRL_SCHEMA): void {
  // Ethernet MTU first: its narrower range is the message an operator needs, not the generic one.
  checkEthernetMtu(root);
  checkNode(schema, root, []);
  checkInterfaces(root);
  checkNetworkInstances(root);
  checkRoutingPolicy(root);
}

function fail(at: PathElem[], reason: string): never {
  throw invalidArgument(`${describePath(at)}: ${reason}`);
}

function checkNode(node: SchemaNode, value: unknown, at: PathElem[]): void {
  switch (node.kind) {
    case 'leaf':
      checkLeaf(node.type, value, at);
      return;
    case 'leaf-list': {
      if (!Array.isArray(value)) fail(at, 'expected a list of values');
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
  const shown = JSON.stringify(value);
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') fail(at, `expected a string, got ${shown}`);
      if (type.minLength !== undefined && value.length < type.minLength) fail(at, `must be at least ${type.minLength} character(s) long`);
      if (type.maxLength !== undefined && value.length > type.maxLength) fail(at, `length ${value.length} exceeds the maximum of ${type.maxLength}`);
      if (type.pattern && !type.pattern.test(value)) fail(at, `${shown} is not valid (${type.patternHint ?? type.pattern.source})`);
      return;
    case 'uint':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(at, `expected an unsigned integer, got ${shown}`);
      if (value < type.min || value > type.max) fail(at, `${value} is out of range ${type.min}..${type.max}`);
      return;
    case 'enum':
    case 'identity':
      if (typeof value !== 'string' || !type.values.includes(value)) fail(at, `${shown} is not one of: ${type.values.join(', ')}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(at, `expected true or false, got ${shown}`);
      return;
    case 'ipv4-address':
      if (typeof value !== 'string' || !isIPv4(value)) fail(at, `${shown} is not an IPv4 address`);
      return;
    case 'ip-address':
      if (typeof value !== 'string' || !isIpAddress(value)) fail(at, `${shown} is not an IP address`);
      return;
    case 'ipv4-interface-prefix':
      if (typeof value !== 'string' || !parseIpv4Prefix(value)) fail(at, `${shown} is not a valid IPv4 address with prefix length (a.b.c.d/0..32)`);
      return;
    case 'ip-prefix':
      if (typeof value !== 'string' || !isNetworkPrefix(value)) fail(at, `${shown} is not a valid IP prefix (address/length with no host bits set)`);
      return;
    case 'mask-length-range':
      if (typeof value !== 'string' || !/^(exact|([0-9]{1,3})\.\.([0-9]{1,3}))$/.test(value)) fail(at, `${shown} is not "exact" or "<min>..<max>"`);
      return;
    case 'interface-name':
      if (typeof value !== 'string' || !interfaceKind(value)) fail(at, `${shown} is not a valid interface name (expected ${INTERFACE_NAME_HINT})`);
      return;
    case 'subinterface-name':
      if (typeof value !== 'string' || !parseSubinterfaceName(value)) {
        fail(at, `${shown} is not a subinterface name (expected <interface>.<index 0..9999>, e.g. ethernet-1/1.0)`);
      }
      return;
  }
}

function entries(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function checkEthernetMtu(root: JsonObject): void {
  for (const itf of entries(root.interface)) {
    const name = String(itf.name);
    const mtu = itf.mtu;
    if (interfaceKind(name) === 'ethernet' && typeof mtu === 'number' && (mtu < 1500 || mtu > 9500)) {
      fail([{ name: 'interface', key: { name } }, { name: 'mtu' }], `${mtu} is out of range 1500..9500 for ethernet ports`);
    }
  }
}

function checkInterfaces(root: JsonObject): void {
  for (const itf of entries(root.interface)) {
    const name = String(itf.name);
    const at: PathElem[] = [{ name: 'interface', key: { name } }];
    if (interfaceKind(name) === 'system') {
      for (const sub of entries(itf.subinterface)) {
        if (sub.index !== 0) fail([...at, { name: 'subinterface', key: { index: String(sub.index) } }], 'system0 supports only subinterface 0');
      }
    }
  }
}

function subinterfaceExists(root: JsonObject, name: string): boolean {
  const parsed = parseSubinterfaceName(name);
  if (!parsed) return false;
  const itf = entries(root.interface).find((i) => i.name === parsed.interface);
  return entries(itf?.subinterface).some((s) => s.index === parsed.index);
}

function policyNames(root: JsonObject): Set<string> {
  const policy = isJsonObject(root['routing-policy']) ? root['routing-policy'].policy : undefined;
  return new Set(entries(policy).map((p) => String(p.name)));
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

function checkNetworkInstances(root: JsonObject): void {
  const owner = new Map<string, string>();
  const policies = policyNames(root);
  let defaultTyped: string | undefined;
  for (const ni of entries(root['network-instance'])) {
    const niName = String(ni.name);
    const niAt: PathElem[] = [{ name: 'network-instance', key: { name: niName } }];
    if (ni.type === 'default') {
      if (defaultTyped !== undefined) fail([...niAt, { name: 'type' }], `only one network-instance can be of type default ("${defaultTyped}" already is)`);
      defaultTyped = niName;
    }
    for (const member of entries(ni.interface)) {
      const name = String(member.name);
      const memberAt: PathElem[] = [...niAt, { name: 'interface', key: { name } }];
      if (!subinterfaceExists(root, name)) {
        const parsed = parseSubinterfaceName(name);
        const hint = parsed ? ` (configure /interface[name=${parsed.interface}]/subinterface[index=${parsed.index}] first)` : '';
        fail(memberAt, `subinterface ${name} does not exist${hint}`);
      }
      const previous = owner.get(name);
      if (previous !== undefined) fail(memberAt, `subinterface ${name} already belongs to network-instance "${previous}"`);
      owner.set(name, niName);
    }
    const protocols = isJsonObject(ni.protocols) ? ni.protocols : undefined;
    if (protocols && isJsonObject(protocols.bgp)) checkBgp(protocols.bgp, [...niAt, { name: 'protocols' }, { name: 'bgp' }], policies);
  }
}

function checkBgp(bgp: JsonObject, at: PathElem[], policies: Set<string>): void {
  const afiSafis = entries(bgp['afi-safi']);
  if (!afiSafis.some((a) => a['admin-state'] === 'enable')) {
    fail([...at, { name: 'afi-safi' }], 'at least one afi-safi must have admin-state enable');
  }
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

function checkRoutingPolicy(root: JsonObject): void {
  const routingPolicy = isJsonObject(root['routing-policy']) ? root['routing-policy'] : undefined;
  if (!routingPolicy) return;
  const prefixSets = new Set(entries(routingPolicy['prefix-set']).map((p) => String(p.name)));
  for (const policy of entries(routingPolicy.policy)) {
    for (const statement of entries(policy.statement)) {
      const match = isJsonObject(statement.match) ? statement.match : undefined;
      const ref = match?.['prefix-set'];
      if (ref !== undefined && !prefixSets.has(String(ref))) {
        fail(
          [
            { name: 'routing-policy' },
            { name: 'policy', key: { name: String(policy.name) } },
            { name: 'statement', key: { name: String(statement.name) } },
            { name: 'match' },
            { name: 'prefix-set' },
          ],
          `prefix-set "${ref}" does not exist`,
        );
      }
    }
  }
}
