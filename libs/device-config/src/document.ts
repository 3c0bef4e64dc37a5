import { parsePath, type PathElem } from '@synapse/gnmi-client';
import { canonicalizeAt, canonicalPath, isManagedConfig } from './canonical';
import { isObject, type JsonObject } from './tree';

/**
 * One canonical root document from either a ManagedConfig (each subtree
 * grafted at its path, the way a Set replace would place it) or a whole
 * config document. Comparing two configs from the root means their paths
 * need not have the same granularity: `/routing-policy` on one side and
 * `/routing-policy/policy[name=x]` on the other still line up.
 */
export function toDocument(config: unknown): JsonObject {
  if (!isManagedConfig(config)) {
    const canonical = canonicalizeAt(config ?? {}, '/');
    return isObject(canonical) ? canonical : {};
  }
  const pieces = Object.entries(config)
    .map(([path, value]) => ({ elems: parsePath(canonicalPath(path)).elem, value: canonicalizeAt(value, path) }))
    // Outer subtrees first, so a deeper path lands inside them rather than being overwritten.
    .sort((a, b) => a.elems.length - b.elems.length);
  let root: JsonObject = {};
  for (const { elems, value } of pieces) {
    if (elems.length === 0) root = isObject(value) ? structuredClone(value) : {};
    else graft(root, elems, value);
  }
  // Grafting appends list entries; one more pass restores canonical order and key types.
  return canonicalizeAt(root, '/') as JsonObject;
}

function graft(root: JsonObject, elems: PathElem[], value: unknown): void {
  let here = root;
  elems.forEach((elem, i) => {
    const last = i === elems.length - 1;
    if (!elem.key) {
      if (last) here[elem.name] = value;
      else here = isObject(here[elem.name]) ? (here[elem.name] as JsonObject) : (here[elem.name] = {});
      return;
    }
    const key = elem.key;
    const list = Array.isArray(here[elem.name]) ? (here[elem.name] as unknown[]) : (here[elem.name] = []);
    const index = list.findIndex((entry) => isObject(entry) && Object.entries(key).every(([k, v]) => String(entry[k]) === v));
    if (last) {
      const entry = { ...key, ...(isObject(value) ? value : {}) };
      if (index >= 0) list[index] = entry;
      else list.push(entry);
      return;
    }
    if (index >= 0) here = list[index] as JsonObject;
    else {
      here = { ...key };
      list.push(here);
    }
  });
}
