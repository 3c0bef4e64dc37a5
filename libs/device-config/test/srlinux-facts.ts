/**
 * The SR Linux 25.3 facts of SRLINUX-MODEL.md as a checker, written apart
 * from both the renderer and the device simulator so it can catch either
 * drifting from Nokia's published model. It reads JSON_IETF documents (a
 * config at the root, or a value at a gNMI path) and returns every breach it
 * finds, each naming its path.
 */

const TOP_LEVEL_MODULES: Record<string, string> = {
  interface: 'srl_nokia-interfaces',
  'network-instance': 'srl_nokia-network-instance',
  'routing-policy': 'srl_nokia-routing-policy',
  system: 'srl_nokia-system',
  acl: 'srl_nokia-acl',
};

/** Children of /system and the module that defines each (augmentations, so JSON_IETF qualifies them). */
const SYSTEM_MODULES: Record<string, string> = {
  name: 'srl_nokia-system-name',
  'grpc-server': 'srl_nokia-grpc',
  ntp: 'srl_nokia-ntp',
  snmp: 'srl_nokia-system-snmp',
  aaa: 'srl_nokia-aaa',
  logging: 'srl_nokia-logging',
  'ssh-server': 'srl_nokia-ssh',
  tls: 'srl_nokia-tls',
  lldp: 'srl_nokia-lldp',
  'json-rpc-server': 'srl_nokia-json-rpc',
};

const AFI_SAFI = [
  'ipv4-unicast',
  'ipv6-unicast',
  'evpn',
  'l3vpn-ipv4-unicast',
  'l3vpn-ipv6-unicast',
  'ipv4-labeled-unicast',
  'ipv6-labeled-unicast',
  'route-target',
  'srte-policy-ipv4',
  'srte-policy-ipv6',
  'link-state',
];
const PROTOCOLS = ['aggregate', 'arp-nd', 'bgp', 'bgp-evpn', 'bgp-ipvpn', 'dhcp', 'host', 'isis', 'local', 'ospfv2', 'ospfv3', 'static'];
const NI_TYPES = ['default', 'ip-vrf', 'mac-vrf', 'host', 'vpws'];

/** srl_nokia-common's interface names, 25.3 ranges. */
export function isSrlInterfaceName(name: string): boolean {
  if (name.length < 3 || name.length > 21) return false;
  const ethernet = /^ethernet-([1-9]\d?)(?:\/m[1-6])?(?:\/([1-9]\d?))?\/([1-9]\d{0,2})$/.exec(name);
  if (ethernet) return Number(ethernet[3]) <= 128;
  if (/^(system0|mgmt0|mgmt0-standby|sync0)$/.test(name)) return true;
  const numbered = /^(lo|irb|lag)(\d+)$/.exec(name);
  if (!numbered || (numbered[2].length > 1 && numbered[2].startsWith('0'))) return false;
  const n = Number(numbered[2]);
  return numbered[1] === 'lag' ? n >= 1 && n <= 1000 : n <= 255;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function member(object: Json, name: string): { key: string; value: unknown } | undefined {
  for (const [key, value] of Object.entries(object)) if (key === name || key.endsWith(`:${name}`)) return { key, value };
  return undefined;
}

function moduleOf(key: string): string | undefined {
  const colon = key.indexOf(':');
  return colon < 0 ? undefined : key.slice(0, colon);
}

export class FactCheck {
  readonly problems: string[] = [];

  private fail(at: string, what: string): void {
    this.problems.push(`${at}: ${what}`);
  }

  /** A whole config at the root (a backup, a lab's initial config). */
  root(config: Json): this {
    for (const [key, value] of Object.entries(config)) {
      const name = key.slice(key.indexOf(':') + 1);
      const expected = TOP_LEVEL_MODULES[name];
      if (!expected) this.fail(`/${key}`, 'not a top-level node Synapse or the labs should write');
      else if (moduleOf(key) !== expected) this.fail(`/${key}`, `top-level nodes are module-qualified in JSON_IETF: expected ${expected}:${name}`);
      this.topLevel(name, value, `/${name}`);
    }
    return this;
  }

  /** A value written at a gNMI path (a Set's replace or update). */
  at(path: string, value: unknown): this {
    const elems = path.split('/').filter(Boolean);
    const first = elems[0]?.replace(/\[.*$/, '');
    if (!first) return this.root(value as Json);
    if (elems.length === 1 && !elems[0].includes('[')) return this.topLevel(first, value, path);
    if (first === 'interface' && elems.length === 1) this.interface(value as Json, path);
    else if (first === 'network-instance' && elems.length === 1) this.networkInstance(value as Json, path);
    else if (path.startsWith('/routing-policy/policy[') && elems.length === 2) this.policy(value as Json, path);
    else if (path.startsWith('/routing-policy/prefix-set[') && elems.length === 2) this.prefixSet(value as Json, path);
    else if (/\/(export|import)-policy$/.test(path)) this.policyChain(value, path);
    else if (!isObject(value) && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') this.fail(path, 'a leaf value must be a scalar');
    return this;
  }

  private topLevel(name: string, value: unknown, at: string): this {
    const entries = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
    if (name === 'interface') for (const itf of entries(value)) this.interface(itf, `${at}[name=${String(itf.name)}]`);
    if (name === 'network-instance') for (const ni of entries(value)) this.networkInstance(ni, `${at}[name=${String(ni.name)}]`);
    if (name === 'routing-policy' && isObject(value)) {
      for (const policy of entries(member(value, 'policy')?.value)) this.policy(policy, `${at}/policy[name=${String(policy.name)}]`);
      for (const set of entries(member(value, 'prefix-set')?.value)) this.prefixSet(set, `${at}/prefix-set[name=${String(set.name)}]`);
    }
    if (name === 'system' && isObject(value)) this.system(value, at);
    return this;
  }

  private interface(itf: Json, at: string): void {
    const name = String(itf.name ?? at.replace(/^.*\[name=(.*)\]$/, '$1'));
    if (!isSrlInterfaceName(name)) this.fail(at, `"${name}" is not an SR Linux 25.3 interface name`);
    const mtu = itf.mtu;
    if (mtu !== undefined) {
      if (/^(system0|lo\d+|irb\d+)$/.test(name)) this.fail(`${at}/mtu`, 'loopback, system and irb interfaces have no MTU');
      // 1500 is 25.3's floor on every interface with an MTU; mgmt ports stop at 9216.
      const ceiling = /^mgmt/.test(name) ? 9216 : 9500;
      if (typeof mtu !== 'number' || mtu < 1500 || mtu > ceiling) this.fail(`${at}/mtu`, `${JSON.stringify(mtu)} outside 1500..${ceiling}`);
      if (isObject(itf['breakout-mode'])) this.fail(`${at}/mtu`, 'not allowed with breakout-mode');
    }
    if (member(itf, 'gnmi-server')) this.fail(at, 'stray gnmi-server');
    for (const sub of Array.isArray(itf.subinterface) ? itf.subinterface.filter(isObject) : []) {
      const index = sub.index;
      if (typeof index !== 'number' || index < 0 || index > 9999) this.fail(`${at}/subinterface`, `index ${JSON.stringify(index)} outside 0..9999`);
      if (/^(system0|mgmt0)$/.test(name) && index !== 0) this.fail(`${at}/subinterface`, `${name} has only subinterface 0`);
      for (const family of ['ipv4', 'ipv6']) {
        const found = member(sub, family);
        if (found && moduleOf(found.key) !== undefined) this.fail(`${at}/subinterface[index=${String(index)}]/${found.key}`, `${family} is in the interfaces module's namespace: no prefix`);
      }
    }
  }

  private networkInstance(ni: Json, at: string): void {
    const type = ni.type;
    if (type !== undefined) this.identity(type, 'srl_nokia-network-instance', NI_TYPES, `${at}/type`);
    for (const ref of Array.isArray(ni.interface) ? ni.interface.filter(isObject) : []) {
      const name = String(ref.name);
      const dot = name.lastIndexOf('.');
      if (dot < 0 || !isSrlInterfaceName(name.slice(0, dot)) || !/^\d{1,4}$/.test(name.slice(dot + 1))) this.fail(`${at}/interface[name=${name}]`, 'not a subinterface name <interface>.<index>');
    }
    const protocols = ni.protocols;
    if (!isObject(protocols)) return;
    for (const key of Object.keys(protocols)) {
      if (key.endsWith('bgp') && key !== 'srl_nokia-bgp:bgp') this.fail(`${at}/protocols/${key}`, 'BGP augments network-instance: it must be written srl_nokia-bgp:bgp');
    }
    const bgp = protocols['srl_nokia-bgp:bgp'];
    if (!isObject(bgp)) return;
    const bgpAt = `${at}/protocols/bgp`;
    if (bgp['autonomous-system'] === undefined || bgp['router-id'] === undefined) this.fail(bgpAt, 'autonomous-system and router-id are mandatory');
    for (const afi of Array.isArray(bgp['afi-safi']) ? bgp['afi-safi'].filter(isObject) : []) this.identity(afi['afi-safi-name'], 'srl_nokia-common', AFI_SAFI, `${bgpAt}/afi-safi`);
    for (const list of ['group', 'neighbor'] as const) {
      for (const entry of Array.isArray(bgp[list]) ? bgp[list].filter(isObject) : []) {
        const entryAt = `${bgpAt}/${list}[${list === 'group' ? String(entry['group-name']) : String(entry['peer-address'])}]`;
        if (list === 'group' && (typeof entry['group-name'] !== 'string' || entry['group-name'].length > 64)) this.fail(entryAt, 'group-name: 1..64 characters');
        if (list === 'neighbor' && entry['peer-group'] === undefined) this.fail(entryAt, 'peer-group is mandatory');
        for (const chain of ['export-policy', 'import-policy']) if (entry[chain] !== undefined) this.policyChain(entry[chain], `${entryAt}/${chain}`);
      }
    }
  }

  private policyChain(value: unknown, at: string): void {
    if (!Array.isArray(value)) return this.fail(at, 'a leaf-list since 24.7: write a JSON array');
    if (value.length > 14) this.fail(at, 'at most 14 policies');
    if (new Set(value).size !== value.length) this.fail(at, 'a policy listed twice');
  }

  private policy(policy: Json, at: string): void {
    const result = isObject(policy['default-action']) ? policy['default-action']['policy-result'] : undefined;
    if (result !== undefined && !['accept', 'reject', 'next-policy'].includes(String(result))) this.fail(`${at}/default-action`, `policy-result ${JSON.stringify(result)}`);
    for (const statement of Array.isArray(policy.statement) ? policy.statement.filter(isObject) : []) {
      const statementAt = `${at}/statement[name=${String(statement.name)}]`;
      if (typeof statement.name !== 'string') this.fail(statementAt, 'statements are keyed by name');
      const match = statement.match;
      if (isObject(match)) {
        if (match['prefix-set'] !== undefined) this.fail(`${statementAt}/match/prefix-set`, "24.10's leaf: 25.3 matches a prefix set through match/prefix/prefix-set");
        if (match.protocol !== undefined) this.identity(match.protocol, 'srl_nokia-common', PROTOCOLS, `${statementAt}/match/protocol`);
      }
      const action = isObject(statement.action) ? statement.action['policy-result'] : undefined;
      if (!['accept', 'reject', 'next-statement', 'next-policy'].includes(String(action))) this.fail(`${statementAt}/action`, `policy-result ${JSON.stringify(action)}`);
    }
  }

  private prefixSet(set: Json, at: string): void {
    for (const prefix of Array.isArray(set.prefix) ? set.prefix.filter(isObject) : []) {
      const range = String(prefix['mask-length-range']);
      if (!/^(exact|\d{1,3}\.\.\d{1,3})$/.test(range)) this.fail(`${at}/prefix`, `mask-length-range ${range}`);
    }
  }

  private system(system: Json, at: string): void {
    for (const key of Object.keys(system)) {
      const name = key.slice(key.indexOf(':') + 1);
      if (name === 'gnmi-server') {
        this.fail(`${at}/${key}`, 'srl_nokia-gnmi-server is not published since 23.10: 24.3+ configure /system/grpc-server[name] (srl_nokia-grpc)');
        continue;
      }
      const expected = SYSTEM_MODULES[name];
      if (expected && moduleOf(key) !== expected) this.fail(`${at}/${key}`, `defined by ${expected}: write ${expected}:${name}`);
    }
    const grpc = member(system, 'grpc-server')?.value;
    if (grpc !== undefined && !Array.isArray(grpc)) this.fail(`${at}/grpc-server`, 'a list keyed by name');
  }

  private identity(value: unknown, module: string, allowed: string[], at: string): void {
    const text = String(value);
    const colon = text.indexOf(':');
    const bare = colon < 0 ? text : text.slice(colon + 1);
    if (colon >= 0 && text.slice(0, colon) !== module) this.fail(at, `${text}: the identity is defined in ${module}`);
    if (colon < 0 && module !== 'srl_nokia-network-instance') this.fail(at, `${text}: an identity from ${module} must carry its module in JSON_IETF`);
    if (!allowed.includes(bare)) this.fail(at, `${text} is not one of ${allowed.join(', ')}`);
  }
}
