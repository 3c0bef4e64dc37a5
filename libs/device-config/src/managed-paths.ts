import type { DeviceIntent, ManagedConfig } from '@synapse/contracts';
import { formatPath, parsePath, stripModulePrefix, type PathElem } from '@synapse/gnmi-client';
import { isManagedConfig } from './canonical';
import { toDocument } from './document';
import { SRL_SCHEMA, schemaChild, type SchemaNode } from './srl-schema';
import { isObject, memberNamed, type JsonObject } from './tree';

/**
 * What the renderer owns on a device. Deploy replaces exactly the rendered
 * subtrees, and drift compares exactly this scope, so both agree on what an
 * out-of-band change to "our" config is:
 *
 *  - every interface except management: `mgmt0` (and `mgmt0-standby`)
 *    always, plus any interface the intent gives role `management`
 *    (managedScope(intent));
 *  - the `default` network-instance, whole (type, interfaces, BGP); other
 *    network-instances (`mgmt`) are not ours;
 *  - every routing policy. Only BGP, which is ours, references policies, so
 *    a policy the intent does not name is stale and drift says so.
 *
 * System config (AAA, gNMI server, host name) is outside the scope.
 *
 * Patterns are gNMI paths whose key values may be `*`; a list element
 * without keys matches every entry. Exclusions name whole subtrees (an
 * entry or anything inside one) to leave out.
 */
export interface ManagedScope {
  include: readonly string[];
  exclude: readonly string[];
}

/** SR Linux's management ports (mgmt0-standby exists on dual-CPM chassis). */
export const MANAGEMENT_INTERFACES = ['mgmt0', 'mgmt0-standby'] as const;

export const MANAGED_SCOPE: ManagedScope = Object.freeze({
  include: Object.freeze(['/interface[name=*]', '/network-instance[name=default]', '/routing-policy/policy[name=*]']),
  exclude: Object.freeze(MANAGEMENT_INTERFACES.map(interfacePath)),
});

export function interfacePath(name: string): string {
  return formatPath({ elem: [{ name: 'interface', key: { name } }] });
}

/** The scope for one device: the fixed scope minus the interfaces its intent reserves for management. */
export function managedScope(intent?: { interfaces: ReadonlyArray<Pick<DeviceIntent['interfaces'][number], 'name'> & { role?: string }> }): ManagedScope {
  const management = (intent?.interfaces ?? []).filter((itf) => itf.role === 'management').map((itf) => interfacePath(itf.name));
  return { include: [...MANAGED_SCOPE.include], exclude: [...new Set([...MANAGED_SCOPE.exclude, ...management])] };
}

/**
 * The managed subtrees of a config, one entry per matched list entry or
 * container, keyed by its concrete path (`/interface[name=ethernet-1/1]`).
 * `config` is a whole document (Get CONFIG at `/`, prefixed or not) or a
 * ManagedConfig. Values are returned as found (not canonicalised), so the
 * view of a backup can be written back.
 */
export function managedView(config: unknown, scope: ManagedScope = MANAGED_SCOPE): ManagedConfig {
  const document = isManagedConfig(config) ? toDocument(config) : config;
  const excludes = scope.exclude.map((pattern) => parsePath(pattern).elem);
  const view: ManagedConfig = {};
  for (const pattern of scope.include) {
    for (const match of matches(document, parsePath(pattern).elem, SRL_SCHEMA, [])) {
      if (excludes.some((exclude) => covers(exclude, match.at))) continue;
      let value = match.value;
      for (const exclude of excludes) {
        if (exclude.length > match.at.length && covers(exclude.slice(0, match.at.length), match.at)) {
          value = structuredClone(value);
          prune(value, exclude.slice(match.at.length), match.node);
        }
      }
      view[formatPath({ elem: match.at })] = value;
    }
  }
  return view;
}

/** Whether a concrete path lies inside the scope (at or under an include, not under an exclude). */
export function isManagedPath(path: string, scope: ManagedScope = MANAGED_SCOPE): boolean {
  const elems = stripNames(parsePath(path).elem);
  const within = (pattern: string) => covers(stripNames(parsePath(pattern).elem), elems);
  return scope.include.some(within) && !scope.exclude.some(within);
}

interface Match {
  at: PathElem[];
  value: unknown;
  node: SchemaNode | undefined;
}

function* matches(value: unknown, pattern: PathElem[], node: SchemaNode | undefined, at: PathElem[]): Generator<Match> {
  if (pattern.length === 0) {
    yield { at, value, node };
    return;
  }
  if (!isObject(value)) return;
  const [elem, ...rest] = pattern;
  const name = stripModulePrefix(elem.name);
  const child = memberNamed(value, name);
  if (child === undefined) return;
  const childNode = schemaChild(node, name);
  const keys = childNode?.keys ?? (elem.key ? Object.keys(elem.key) : undefined);
  if (Array.isArray(child) && keys) {
    for (const entry of child) {
      if (!isObject(entry)) continue;
      const key = entryKey(entry, keys);
      if (key && keyMatches(elem.key, key)) yield* matches(entry, rest, childNode, [...at, { name, key }]);
    }
  } else if (!elem.key) {
    yield* matches(child, rest, childNode, [...at, { name }]);
  }
}

function entryKey(entry: JsonObject, keys: readonly string[]): Record<string, string> | undefined {
  const key: Record<string, string> = {};
  for (const k of keys) {
    const value = memberNamed(entry, k);
    if (value === undefined || value === null || typeof value === 'object') return undefined;
    key[k] = String(value);
  }
  return key;
}

function keyMatches(pattern: Record<string, string> | undefined, key: Record<string, string>): boolean {
  return Object.entries(pattern ?? {}).every(([k, v]) => v === '*' || key[k] === v);
}

/** `pattern` names `path` or one of its ancestors. */
function covers(pattern: PathElem[], path: PathElem[]): boolean {
  if (pattern.length > path.length) return false;
  return pattern.every((elem, i) => stripModulePrefix(elem.name) === stripModulePrefix(path[i].name) && keyMatches(elem.key, path[i].key ?? {}));
}

/** Removes what `pattern` (relative to `value`) names. */
function prune(value: unknown, pattern: PathElem[], node: SchemaNode | undefined): void {
  if (!isObject(value) || pattern.length === 0) return;
  const [elem, ...rest] = pattern;
  const name = stripModulePrefix(elem.name);
  const member = Object.keys(value).find((raw) => stripModulePrefix(raw) === name);
  if (member === undefined) return;
  const childNode = schemaChild(node, name);
  const child = value[member];
  const keys = childNode?.keys ?? (elem.key ? Object.keys(elem.key) : undefined);
  if (Array.isArray(child) && keys) {
    const kept = child.filter((entry) => {
      const key = isObject(entry) ? entryKey(entry, keys) : undefined;
      if (!key || !keyMatches(elem.key, key)) return true;
      if (rest.length === 0) return false;
      prune(entry, rest, childNode);
      return true;
    });
    value[member] = kept;
  } else if (!elem.key) {
    if (rest.length === 0) delete value[member];
    else prune(child, rest, childNode);
  }
}

function stripNames(elems: PathElem[]): PathElem[] {
  return elems.map((e) => ({ ...e, name: stripModulePrefix(e.name) }));
}
