import { formatPath, type PathElem } from '@synapse/gnmi-client';
import { compareKeys } from './canonical';
import { toDocument } from './document';
import { schemaChild, SRL_SCHEMA, type SchemaNode } from './srl-schema';
import { isObject, type JsonObject } from './tree';

/**
 * The difference between the intended and the running config, read as what
 * deploying the intended config would do to the device:
 *  - added: in the intended config only (the deploy adds it),
 *  - removed: on the device only (the deploy removes it),
 *  - changed: both, different; `before` is the running value, `after` the intended one.
 * Paths are gNMI paths with list keys (gnmi-client's formatPath), at leaf
 * granularity; a list entry present on one side only is one item holding the
 * whole entry, and a leaf-list is compared as one value (its order counts
 * only when it is ordered-by user, see canonical.ts).
 */
export interface ConfigDiff {
  added: { path: string; value: unknown }[];
  removed: { path: string; value: unknown }[];
  changed: { path: string; before: unknown; after: unknown }[];
}

/**
 * Compares two configs in canonical form. Either may be a ManagedConfig
 * (path -> subtree, as rendered) or a whole document (Get CONFIG at `/`);
 * both are compared from the root, so their path granularity need not
 * match. To compare only what Synapse owns, compare against
 * ownedView(running, intended) (ownedDiff does both).
 */
export function diffConfigs(intended: unknown, running: unknown): ConfigDiff {
  const diff: ConfigDiff = { added: [], removed: [], changed: [] };
  walkValue(SRL_SCHEMA, toDocument(intended), toDocument(running), [], diff);
  return diff;
}

export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

function same(a: unknown, b: unknown): boolean {
  // Both sides are canonical (sorted members, typed leaves), so equal configs serialise equally.
  return JSON.stringify(a) === JSON.stringify(b);
}

function walkValue(node: SchemaNode | undefined, after: unknown, before: unknown, at: PathElem[], diff: ConfigDiff): void {
  if (same(after, before)) return;
  const path = () => formatPath({ elem: at });
  // A container on one side only is reported leaf by leaf (and entry by entry), like any other container.
  if ((isObject(after) || after === undefined) && (isObject(before) || before === undefined)) {
    const a = (after ?? {}) as JsonObject;
    const b = (before ?? {}) as JsonObject;
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const name of names) walkMember(node, name, a[name], b[name], at, diff);
    return;
  }
  if (before === undefined) diff.added.push({ path: path(), value: after });
  else if (after === undefined) diff.removed.push({ path: path(), value: before });
  else diff.changed.push({ path: path(), before, after });
}

function walkMember(node: SchemaNode | undefined, name: string, after: unknown, before: unknown, at: PathElem[], diff: ConfigDiff): void {
  const child = schemaChild(node, name);
  const keys = child?.keys;
  const isList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every(isObject));
  if (keys && isList(after) && isList(before)) {
    walkList(child, keys, (after ?? []) as JsonObject[], (before ?? []) as JsonObject[], [...at], name, diff);
    return;
  }
  walkValue(child, after, before, [...at, { name }], diff);
}

function walkList(node: SchemaNode, keys: readonly string[], after: JsonObject[], before: JsonObject[], at: PathElem[], name: string, diff: ConfigDiff): void {
  const id = (entry: JsonObject) => JSON.stringify(keys.map((k) => entry[k]));
  if (node.orderedByUser) {
    // Policy statements run in list order: the same entries in another order are a change of their own.
    const shared = new Set(after.map(id).filter((k) => before.some((b) => id(b) === k)));
    const order = (entries: JsonObject[]) => entries.filter((e) => shared.has(id(e))).map((e) => (keys.length === 1 ? e[keys[0]] : keys.map((k) => e[k])));
    if (JSON.stringify(order(after)) !== JSON.stringify(order(before))) {
      diff.changed.push({ path: formatPath({ elem: [...at, { name }] }), before: order(before), after: order(after) });
    }
  }
  const beforeById = new Map(before.map((entry) => [id(entry), entry]));
  const afterById = new Map(after.map((entry) => [id(entry), entry]));
  const all = [...after, ...before.filter((entry) => !afterById.has(id(entry)))].sort((a, b) => compareKeys(a, b, keys));
  for (const entry of all) {
    const key = Object.fromEntries(keys.map((k) => [k, String(entry[k])]));
    const entryAt = [...at, { name, key }];
    const a = afterById.get(id(entry));
    const b = beforeById.get(id(entry));
    if (a && b) walkValue(node, a, b, entryAt, diff);
    else if (a) diff.added.push({ path: formatPath({ elem: entryAt }), value: a });
    else diff.removed.push({ path: formatPath({ elem: entryAt }), value: b });
  }
}
