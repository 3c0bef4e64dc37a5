import type { ManagedConfig } from '@synapse/contracts';
import { formatPath, parsePath, stripModulePrefix, type GnmiPath, type PathElem } from '@synapse/gnmi-client';
import { schemaChild, SRL_SCHEMA, type SchemaNode } from './srl-schema';
import { isObject, memberNamed, type JsonObject } from './tree';

/**
 * The canonical form two configs are compared in. The same config reads
 * differently depending on who wrote it and how it was fetched: JSON_IETF
 * qualifies member names and identity values with their YANG module, JSON
 * does not; devices order list entries as they like; a Get of a list entry
 * leaves the entry's keys out of the value; 64-bit integers are strings in
 * RFC 7951. Canonical form removes all of that:
 *
 *  - member names lose their module prefix (gnmi-client's stripModulePrefix);
 *  - identity values lose theirs, but only on leaves the schema knows are
 *    identityrefs (srl-schema.ts): a value merely containing ':' (an IPv6
 *    address, a description) is data and is left alone;
 *  - integer leaves become JSON numbers (when safe integers);
 *  - keyed lists are sorted by key and leaf-lists by value, unless they are
 *    `ordered-by user` (BGP import/export policy chains, policy statements
 *    keep their order);
 *    arrays the schema does not know are treated as YANG's default,
 *    `ordered-by system`, and sorted by their canonical JSON;
 *  - object members are sorted by name; empty containers and lists are
 *    dropped (a device may or may not report an empty non-presence container).
 */

/** A ManagedConfig maps gNMI paths to subtrees; YANG member names never start with '/'. */
export function isManagedConfig(value: unknown): value is ManagedConfig {
  if (!isObject(value)) return false;
  const paths = Object.keys(value);
  return paths.length > 0 && paths.every((path) => path.startsWith('/'));
}

/**
 * Canonical form of a ManagedConfig (paths normalised, each subtree
 * canonical) or of a whole config document (as a backup holds it).
 */
export function canonicalize(value: unknown): unknown {
  return isManagedConfig(value) ? canonicalConfig(value) : canonicalizeAt(value, '/');
}

export function canonicalConfig(config: ManagedConfig): ManagedConfig {
  const entries = Object.entries(config).map(([path, value]) => [canonicalPath(path), canonicalizeAt(value, path)] as const);
  entries.sort(([a], [b]) => compareText(a, b));
  return Object.fromEntries(entries);
}

/** The path with module prefixes removed from element names, keys printed in name order. */
export function canonicalPath(path: string): string {
  return formatPath(normalizePath(parsePath(path)));
}

export function normalizePath(path: GnmiPath): GnmiPath {
  const elem = path.elem.map((e) => (e.key ? { name: stripModulePrefix(e.name), key: { ...e.key } } : { name: stripModulePrefix(e.name) }));
  return path.origin ? { origin: path.origin, elem } : { elem };
}

/** The schema node a path leads to; undefined once the path leaves what srl-schema.ts describes. */
export function schemaAt(elems: readonly PathElem[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = SRL_SCHEMA;
  for (const elem of elems) node = schemaChild(node, stripModulePrefix(elem.name));
  return node;
}

/** Canonical form of the subtree found at `path` (a value as Get or a ManagedConfig holds it). */
export function canonicalizeAt(value: unknown, path: string): unknown {
  const parsed = normalizePath(parsePath(path));
  const last = parsed.elem[parsed.elem.length - 1];
  const node = schemaAt(parsed.elem);
  // A Get of `/interface[name=x]` answers without `name`: the key is in the path.
  const withKeys = last?.key && isObject(value) ? { ...keyLeaves(last.key, value), ...value } : value;
  return canonicalNode(node, withKeys);
}

function keyLeaves(key: Record<string, string>, entry: JsonObject): JsonObject {
  const missing: JsonObject = {};
  for (const [name, text] of Object.entries(key)) if (memberNamed(entry, name) === undefined) missing[name] = text;
  return missing;
}

export function canonicalNode(node: SchemaNode | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return canonicalArray(node, value);
  if (isObject(value)) return canonicalObject(node, value);
  return canonicalScalar(node, value);
}

function canonicalObject(node: SchemaNode | undefined, object: JsonObject): JsonObject {
  const members = Object.entries(object).map(([raw, child]) => {
    const name = stripModulePrefix(raw);
    return [name, canonicalNode(schemaChild(node, name), child)] as const;
  });
  members.sort(([a], [b]) => compareText(a, b));
  const out: JsonObject = {};
  for (const [name, child] of members) if (!isEmpty(child)) out[name] = child;
  return out;
}

function canonicalArray(node: SchemaNode | undefined, items: unknown[]): unknown[] {
  const canonical = items.map((item) => canonicalNode(node, item));
  if (node?.orderedByUser) return canonical;
  const keys = node?.keys;
  if (keys && canonical.every(isObject)) {
    return [...canonical].sort((a, b) => compareKeys(a as JsonObject, b as JsonObject, keys));
  }
  return [...canonical].sort(compareValues);
}

function canonicalScalar(node: SchemaNode | undefined, value: unknown): unknown {
  if (typeof value !== 'string' || !node) return value;
  if (node.identity) return stripModulePrefix(value);
  if (node.integer && /^-?\d+$/.test(value)) {
    const number = Number(value);
    if (Number.isSafeInteger(number)) return number;
  }
  return value;
}

function isEmpty(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numbers numerically (subinterface 2 before 10), everything else by its JSON text. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareText(JSON.stringify(a) ?? '', JSON.stringify(b) ?? '');
}

export function compareKeys(a: JsonObject, b: JsonObject, keys: readonly string[]): number {
  for (const key of keys) {
    const order = compareValues(a[key], b[key]);
    if (order !== 0) return order;
  }
  return 0;
}
