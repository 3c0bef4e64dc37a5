import type { DataType, Encoding, PathElem, WireTypedValue } from '@synapse/gnmi-client';
import { invalidArgument, unimplemented } from './errors';
import { describePath } from './paths';
import { childNode, splitQualifiedName, type ContainerNode, type ListNode, type SchemaNode } from './schema';
import { isJsonObject, type JsonObject } from './tree';

/**
 * Values in and out. Input: RFC 7951 JSON with or without module prefixes
 * (SR Linux accepts both), turned into the canonical unprefixed tree; anydata
 * is the exception, kept exactly as sent. Output: JSON (unprefixed, anydata
 * included) or JSON_IETF (qualified at module boundaries, identities
 * qualified with their module, anydata as sent), filtered by Get's data type.
 */

export const SUPPORTED_ENCODINGS: Encoding[] = ['JSON', 'JSON_IETF'];

export function checkEncoding(encoding: Encoding | undefined): boolean {
  const chosen = encoding ?? 'JSON';
  if (!SUPPORTED_ENCODINGS.includes(chosen)) {
    throw unimplemented(`encoding ${chosen} is not supported by this target; supported encodings: ${SUPPORTED_ENCODINGS.join(', ')}`);
  }
  return chosen === 'JSON_IETF';
}

// ---- input -----------------------------------------------------------------

export function decodeTypedValue(value: WireTypedValue | undefined, at: string): unknown {
  const kind = value?.value;
  if (!value || !kind) throw invalidArgument(`${at}: the update carries no value`);
  switch (kind) {
    case 'json_val':
    case 'json_ietf_val': {
      const bytes = value[kind];
      const text = bytes ? Buffer.from(bytes).toString('utf8') : '';
      try {
        return JSON.parse(text);
      } catch (error) {
        throw invalidArgument(`${at}: value is not valid JSON (${(error as Error).message})`);
      }
    }
    case 'string_val':
      return value.string_val ?? '';
    case 'int_val':
    case 'uint_val': {
      const parsed = Number(value[kind] ?? 0);
      if (!Number.isSafeInteger(parsed)) throw invalidArgument(`${at}: integer ${value[kind]} is out of range`);
      return parsed;
    }
    case 'bool_val':
      return value.bool_val ?? false;
    case 'double_val':
      return value.double_val ?? 0;
    case 'float_val':
      return value.float_val ?? 0;
    case 'leaflist_val':
      return (value.leaflist_val?.element ?? []).map((element) => decodeTypedValue(element, at));
    default:
      throw unimplemented(`${at}: ${kind} values are not supported; send json_ietf_val or json_val`);
  }
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isJsonObject(value)) return 'an object';
  return JSON.stringify(value) ?? String(value);
}

function atText(at: PathElem[]): string {
  return describePath(at);
}

/**
 * Turns a client value for `node` into the canonical tree. Structure is
 * checked here (known names, objects vs arrays, keys, no state leaves); leaf
 * types and cross-references are checked on the whole candidate afterwards.
 * `pathKey` is set when the request path names one list entry.
 */
export function normalizeInput(node: SchemaNode, value: unknown, at: PathElem[], pathKey?: Record<string, string>): unknown {
  switch (node.kind) {
    case 'container':
      return normalizeObject(node, value, at);
    case 'list':
      return pathKey ? normalizeEntry(node, value, at.slice(0, -1), pathKey) : normalizeEntries(node, value, at.slice(0, -1));
    case 'leaf':
      if (node.type.kind === 'empty') return normalizeEmpty(value, at);
      return normalizeScalar(node.type.kind === 'identity' ? node.type.module : undefined, value, at);
    case 'leaf-list': {
      if (!Array.isArray(value)) throw invalidArgument(`${atText(at)}: expected a JSON array for leaf-list "${node.name}", got ${describeJson(value)}`);
      const identityModule = node.type.kind === 'identity' ? node.type.module : undefined;
      return value.map((item) => normalizeScalar(identityModule, item, at));
    }
    case 'anydata':
      // Kept byte for byte (prefixes included): a JSON_IETF Get must give back what was set.
      return structuredClone(value);
  }
}

/** RFC 7951 writes a YANG `empty` leaf as `[null]`. */
function normalizeEmpty(value: unknown, at: PathElem[]): unknown[] {
  if (!Array.isArray(value) || value.length !== 1 || value[0] !== null) {
    throw invalidArgument(`${atText(at)}: an empty leaf is written [null], got ${JSON.stringify(value)}`);
  }
  return [null];
}

function normalizeObject(node: ContainerNode | ListNode, value: unknown, at: PathElem[]): JsonObject {
  if (!isJsonObject(value)) {
    throw invalidArgument(`${atText(at)}: expected a JSON object for "${node.name || '/'}", got ${describeJson(value)}`);
  }
  const out: JsonObject = {};
  for (const [rawName, member] of Object.entries(value)) {
    const qualified = splitQualifiedName(rawName);
    const name = qualified.name;
    const childAt = [...at, { name }];
    const child = childNode(node, name);
    if (!child) throw invalidArgument(`${atText(childAt)}: unknown element "${name}"`);
    if (qualified.module && !(child.kind === 'anydata' && child.open) && qualified.module !== child.module) {
      throw invalidArgument(`${atText(childAt)}: "${name}" is defined by module ${child.module}, not ${qualified.module}`);
    }
    if (!child.config) throw invalidArgument(`${atText(childAt)}: "${name}" is state data (config false) and cannot be set`);
    if (Object.prototype.hasOwnProperty.call(out, name)) throw invalidArgument(`${atText(childAt)}: "${name}" is given twice`);
    out[name] = child.kind === 'list' ? normalizeEntries(child, member, at) : normalizeInput(child, member, childAt);
  }
  return out;
}

function rawKeyValue(entry: JsonObject, keyName: string): unknown {
  for (const [rawName, value] of Object.entries(entry)) {
    if (splitQualifiedName(rawName).name === keyName) return value;
  }
  return undefined;
}

/** `at` is the path of the list's parent; entries' own paths get their keys. */
function normalizeEntries(list: ListNode, value: unknown, at: PathElem[]): JsonObject[] {
  const listAt = [...at, { name: list.name }];
  if (!Array.isArray(value)) throw invalidArgument(`${atText(listAt)}: expected a JSON array for list "${list.name}", got ${describeJson(value)}`);
  const seen = new Set<string>();
  return value.map((entry) => {
    const normalized = normalizeEntry(list, entry, at, undefined);
    const identity = JSON.stringify(list.keys.map((k) => String(normalized[k])));
    if (seen.has(identity)) throw invalidArgument(`${atText(entryPath(list, at, normalized))}: duplicate entry in list "${list.name}"`);
    seen.add(identity);
    return normalized;
  });
}

function entryPath(list: ListNode, at: PathElem[], entry: JsonObject): PathElem[] {
  const key: Record<string, string> = {};
  for (const k of list.keys) key[k] = entry[k] === undefined ? '?' : String(entry[k]);
  return [...at, { name: list.name, key }];
}

function normalizeEntry(list: ListNode, value: unknown, at: PathElem[], pathKey: Record<string, string> | undefined): JsonObject {
  if (!isJsonObject(value)) {
    throw invalidArgument(`${atText([...at, { name: list.name }])}: expected a JSON object for an entry of list "${list.name}", got ${describeJson(value)}`);
  }
  const provisionalKey: JsonObject = {};
  for (const k of list.keys) provisionalKey[k] = pathKey?.[k] ?? rawKeyValue(value, k);
  const here = entryPath(list, at, provisionalKey);
  const body = normalizeObject(list, value, here);
  const entry: JsonObject = {};
  for (const k of list.keys) {
    const keyLeaf = list.children.get(k);
    if (pathKey) {
      if (body[k] !== undefined && String(body[k]) !== pathKey[k]) {
        throw invalidArgument(`${atText(here)}: key "${k}" is ${JSON.stringify(body[k])} in the value but "${pathKey[k]}" in the path`);
      }
      entry[k] = body[k] ?? typedKey(keyLeaf, pathKey[k]);
    } else {
      if (body[k] === undefined) throw invalidArgument(`${atText(here)}: list entry lacks its key "${k}"`);
      entry[k] = body[k];
    }
  }
  for (const [name, member] of Object.entries(body)) if (!list.keys.includes(name)) entry[name] = member;
  return entry;
}

function typedKey(keyLeaf: SchemaNode | undefined, text: string): unknown {
  if (keyLeaf?.kind === 'leaf' && keyLeaf.type.kind === 'uint' && /^(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  return text;
}

function normalizeScalar(identityModule: string | undefined, value: unknown, at: PathElem[]): unknown {
  if (value === null || typeof value === 'object') {
    throw invalidArgument(`${atText(at)}: expected a single value, got ${describeJson(value)}`);
  }
  if (identityModule && typeof value === 'string') {
    const qualified = splitQualifiedName(value);
    if (qualified.module && qualified.module !== identityModule) {
      throw invalidArgument(`${atText(at)}: identity ${JSON.stringify(value)} is not from module ${identityModule}`);
    }
    return qualified.name;
  }
  return value;
}

function stripNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNames);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [name, member] of Object.entries(value)) out[splitQualifiedName(name).name] = stripNames(member);
    return out;
  }
  return value;
}

// ---- output ----------------------------------------------------------------

export interface RenderOptions {
  ietf: boolean;
  type: DataType;
}

function visible(node: SchemaNode, isKey: boolean, type: DataType): boolean {
  if (type === 'ALL') return true;
  if (type === 'CONFIG') return node.config;
  return !node.config || isKey;
}

function renderScalar(node: SchemaNode, value: unknown, ietf: boolean): unknown {
  if (ietf && (node.kind === 'leaf' || node.kind === 'leaf-list') && node.type.kind === 'identity' && typeof value === 'string') {
    return `${node.type.module}:${value}`;
  }
  return value;
}

/**
 * The rendering of one node's value, or undefined when the data type filters
 * it away entirely. Names inside are qualified where their module differs
 * from the enclosing node's.
 */
export function renderNode(node: SchemaNode, value: unknown, options: RenderOptions, isKey = false): unknown {
  switch (node.kind) {
    case 'leaf':
      return visible(node, isKey, options.type) ? renderScalar(node, value, options.ietf) : undefined;
    case 'leaf-list':
      if (!visible(node, false, options.type) || !Array.isArray(value)) return undefined;
      return value.map((item) => renderScalar(node, item, options.ietf));
    case 'anydata':
      if (!visible(node, false, options.type)) return undefined;
      return options.ietf ? structuredClone(value) : stripNames(value);
    case 'container':
      return renderObject(node, value, options);
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const entries = value.map((entry) => renderObject(node, entry, options)).filter((entry) => entry !== undefined);
      return entries.length > 0 ? entries : undefined;
    }
  }
}

function renderObject(node: ContainerNode | ListNode, value: unknown, options: RenderOptions): JsonObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const out: JsonObject = {};
  let contentful = false;
  for (const [name, member] of Object.entries(value)) {
    const child = childNode(node, name);
    if (!child) continue;
    const isKey = node.kind === 'list' && node.keys.includes(name);
    const rendered = renderNode(child, member, options, isKey);
    if (rendered === undefined) continue;
    const qualify = options.ietf && child.module !== node.module;
    out[qualify ? `${child.module}:${name}` : name] = rendered;
    // An entry whose only survivors are its keys carries no state.
    if (!isKey || options.type === 'ALL' || options.type === 'CONFIG') contentful = true;
  }
  // A presence container means something even when empty (`"lag": {}`); state has none of its own.
  const presentEmpty = node.kind === 'container' && node.presence && (options.type === 'ALL' || options.type === 'CONFIG');
  return contentful || presentEmpty ? out : undefined;
}

/**
 * The value of a Get match. A list entry's own keys are left out (they are in
 * the path), as SR Linux answers; nested entries keep theirs.
 */
export function renderMatch(node: SchemaNode, value: unknown, options: RenderOptions): unknown {
  if (node.kind !== 'list' || !isJsonObject(value)) return renderNode(node, value, options);
  const rendered = renderObject(node, value, options);
  if (rendered) for (const k of node.keys) delete rendered[k];
  return rendered;
}

export function encodeJsonValue(value: unknown, ietf: boolean): WireTypedValue {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  return ietf ? { json_ietf_val: bytes } : { json_val: bytes };
}
