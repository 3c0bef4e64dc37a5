import type { PathElem } from '@synapse/gnmi-client';
import { childNode, memberKey, type ContainerNode, type ListNode, type SchemaNode } from './schema';
import { SRL_SCHEMA } from './srl-model';

/**
 * The data tree in SR Linux's native JSON shape, unprefixed: containers are
 * objects, lists are arrays of entry objects that carry their key leaves,
 * leaf-lists are arrays of scalars. Running config, candidates and the
 * config+state view are all this shape.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One node of the data tree that a (possibly wildcard) path matched. */
export interface Location {
  elems: PathElem[];
  node: SchemaNode;
  value: unknown;
  /** Where the value hangs: an object member, or an entry of an array. */
  holder: JsonObject | unknown[];
  member: string | number;
}

export function keyOf(list: ListNode, entry: JsonObject): Record<string, string> {
  const key: Record<string, string> = {};
  for (const k of list.keys) key[k] = String(entry[k]);
  return key;
}

function keysMatch(entry: unknown, wanted: Record<string, string> | undefined): entry is JsonObject {
  if (!isJsonObject(entry)) return false;
  if (!wanted) return true;
  return Object.entries(wanted).every(([k, v]) => v === '*' || String(entry[k]) === v);
}

/**
 * Every node matching `elems`. A `*` name or key value, and a list element
 * missing keys, match all present members/entries (gNMI path conventions).
 * The root itself is never returned: callers treat an empty path separately.
 */
export function findLocations(root: JsonObject, elems: PathElem[], schema: ContainerNode = SRL_SCHEMA): Location[] {
  const out: Location[] = [];
  if (elems.length > 0) walk(root, schema, elems, 0, [], out);
  return out;
}

function walk(value: unknown, node: SchemaNode, elems: PathElem[], index: number, concrete: PathElem[], out: Location[]): void {
  if (!isJsonObject(value)) return;
  const e = elems[index];
  const last = index === elems.length - 1;
  // Inside anydata, members keep the prefixes they were sent with; paths name them unqualified.
  const stored = node.kind === 'anydata' ? memberKey(value, e.name) : e.name;
  const names = e.name === '*' ? Object.keys(value) : stored === undefined ? [] : [stored];
  for (const name of names) {
    const member = value[name];
    if (member === undefined) continue;
    const child: SchemaNode | undefined = node.kind === 'anydata' ? node : childNode(node, name);
    if (!child) continue;
    const listLike = child.kind === 'list' || (child.kind === 'anydata' && Array.isArray(member) && e.key !== undefined);
    if (listLike) {
      if (!Array.isArray(member)) continue;
      member.forEach((entry, position) => {
        if (!keysMatch(entry, e.key)) return;
        const key = child.kind === 'list' ? keyOf(child, entry) : concreteKey(e.key ?? {}, entry);
        const here = [...concrete, { name, key }];
        if (last) out.push({ elems: here, node: child, value: entry, holder: member, member: position });
        else walk(entry, child, elems, index + 1, here, out);
      });
      continue;
    }
    if (e.key && e.name === '*') continue;
    const here = [...concrete, { name }];
    if (last) out.push({ elems: here, node: child, value: member, holder: value, member: name });
    else if (child.kind === 'container' || child.kind === 'anydata') walk(member, child, elems, index + 1, here, out);
  }
}

function concreteKey(wanted: Record<string, string>, entry: JsonObject): Record<string, string> {
  const key: Record<string, string> = {};
  for (const k of Object.keys(wanted)) key[k] = String(entry[k]);
  return key;
}

/** A path key (always a string on the wire) as the typed value the list entry stores. */
export function typedKeyValue(list: ListNode, keyName: string, text: string): unknown {
  const keyLeaf = list.children.get(keyName);
  if (keyLeaf?.kind === 'leaf' && keyLeaf.type.kind === 'uint' && /^(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  return text;
}

function entryFromKey(list: ListNode, key: Record<string, string>): JsonObject {
  const entry: JsonObject = {};
  for (const k of list.keys) entry[k] = typedKeyValue(list, k, key[k]);
  return entry;
}

export function findEntryIndex(entries: unknown[], key: Record<string, string>): number {
  return entries.findIndex((entry) => isJsonObject(entry) && Object.entries(key).every(([k, v]) => String(entry[k]) === v));
}

export type WriteMode = 'replace' | 'update';

/**
 * Writes an already-normalised value at a concrete path, creating missing
 * parents. Returns the (possibly new) root: replacing `/` swaps the tree.
 */
export function writeAt(root: JsonObject, elems: PathElem[], value: unknown, mode: WriteMode, schema: ContainerNode = SRL_SCHEMA): JsonObject {
  if (elems.length === 0) return mode === 'replace' ? (value as JsonObject) : (mergeValue(schema, root, value) as JsonObject);
  let current: JsonObject = root;
  let node: SchemaNode = schema;
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i];
    const last = i === elems.length - 1;
    const child: SchemaNode = node.kind === 'anydata' ? node : childNode(node, e.name)!;
    if (child.kind === 'list' && !e.key) {
      current[e.name] = mode === 'replace' ? value : mergeList(child, current[e.name], value);
      return root;
    }
    if (child.kind === 'list' && e.key) {
      if (!Array.isArray(current[e.name])) current[e.name] = [];
      const entries = current[e.name] as unknown[];
      let position = findEntryIndex(entries, e.key);
      if (last) {
        if (position < 0) entries.push(value);
        else entries[position] = mode === 'replace' ? value : mergeValue(child, entries[position], value);
        return root;
      }
      if (position < 0) {
        entries.push(entryFromKey(child, e.key));
        position = entries.length - 1;
      }
      current = entries[position] as JsonObject;
      node = child;
      continue;
    }
    const key = node.kind === 'anydata' ? (memberKey(current, e.name) ?? e.name) : e.name;
    if (last) {
      const mergeable = child.kind === 'container' || child.kind === 'anydata';
      current[key] = mode === 'update' && mergeable ? mergeValue(child, current[key], value) : value;
      return root;
    }
    if (!isJsonObject(current[key])) current[key] = {};
    current = current[key] as JsonObject;
    node = child;
  }
  return root;
}

/** gNMI update semantics: containers and list entries merge, lists merge by key, leaves and leaf-lists are overwritten. */
export function mergeValue(node: SchemaNode, existing: unknown, incoming: unknown): unknown {
  if (node.kind === 'anydata') return mergeJson(existing, incoming);
  if (node.kind === 'leaf' || node.kind === 'leaf-list') return incoming;
  if (node.kind === 'list' && Array.isArray(incoming)) return mergeList(node, existing, incoming);
  if (!isJsonObject(existing) || !isJsonObject(incoming)) return incoming;
  for (const [name, value] of Object.entries(incoming)) {
    const child = childNode(node, name);
    existing[name] = child ? mergeValue(child, existing[name], value) : value;
  }
  return existing;
}

function mergeList(list: ListNode, existing: unknown, incoming: unknown): unknown {
  if (!Array.isArray(incoming)) return incoming;
  const entries = Array.isArray(existing) ? existing : [];
  for (const entry of incoming) {
    if (!isJsonObject(entry)) continue;
    const position = findEntryIndex(entries, keyOf(list, entry));
    if (position < 0) entries.push(entry);
    else entries[position] = mergeValue(list, entries[position], entry);
  }
  return entries;
}

/**
 * Update inside anydata: objects merge member by member (matched by
 * unqualified name, the incoming spelling wins); anything else, arrays
 * included, is replaced, since without a schema there are no list keys.
 */
function mergeJson(existing: unknown, incoming: unknown): unknown {
  if (!isJsonObject(existing) || !isJsonObject(incoming)) return incoming;
  for (const [name, value] of Object.entries(incoming)) {
    const key = memberKey(existing, name);
    const merged = mergeJson(key === undefined ? undefined : existing[key], value);
    if (key !== undefined && key !== name) delete existing[key];
    existing[name] = merged;
  }
  return existing;
}

/** Removes every matched node; list entries are removed from their arrays. */
export function removeLocations(locations: Location[]): void {
  const doomedEntries = new Map<unknown[], Set<number>>();
  for (const location of locations) {
    if (Array.isArray(location.holder)) {
      const set = doomedEntries.get(location.holder) ?? new Set<number>();
      set.add(location.member as number);
      doomedEntries.set(location.holder, set);
    } else {
      delete location.holder[location.member as string];
    }
  }
  for (const [entries, positions] of doomedEntries) {
    const kept = entries.filter((_, position) => !positions.has(position));
    entries.length = 0;
    entries.push(...kept);
  }
}

/**
 * Drops empty non-presence containers and empty lists, which YANG does not
 * distinguish from absent ones, so that equal configs have one shape.
 * Presence containers and anydata are kept as given. Returns true when the
 * node itself ended up empty (and may go).
 */
export function pruneEmpty(node: SchemaNode, value: unknown): boolean {
  if (node.kind === 'leaf' || node.kind === 'anydata') return false;
  if (node.kind === 'leaf-list') return Array.isArray(value) && value.length === 0;
  if (node.kind === 'list' && Array.isArray(value)) {
    for (const entry of value) pruneMembers(node, entry);
    return value.length === 0;
  }
  if (!isJsonObject(value)) return false;
  pruneMembers(node, value);
  return Object.keys(value).length === 0 && !(node.kind === 'container' && node.presence);
}

function pruneMembers(node: ContainerNode | ListNode, value: unknown): void {
  if (!isJsonObject(value)) return;
  for (const [name, member] of Object.entries(value)) {
    const child = childNode(node, name);
    if (child && pruneEmpty(child, member)) delete value[name];
  }
}

export function cloneTree<T>(value: T): T {
  return structuredClone(value);
}
