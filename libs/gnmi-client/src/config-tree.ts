import type { GnmiPath, PathElem } from './path';

/**
 * Targets differ in how they answer a Get of a subtree: SR Linux sends one
 * update holding the whole tree, others one update per top-level container
 * or list entry. This folds either shape into the single JSON document of
 * the requested subtree, the RFC 7951 way: a keyed element becomes a list
 * entry carrying its key leaves.
 *
 * Entries of the same list arriving in separate updates are appended, not
 * matched by key (the client has no schema to know the keys of nested
 * lists); targets do not split one entry across updates in practice.
 */
export function assembleSubtree(root: GnmiPath, updates: { path: GnmiPath; value: unknown }[]): unknown {
  let tree: unknown = undefined;
  for (const update of updates) {
    const relative = update.path.elem.slice(root.elem.length);
    tree = merge(tree, nest(relative, update.value));
  }
  return tree ?? null;
}

function nest(elems: PathElem[], value: unknown): unknown {
  return elems.reduceRight<unknown>((inner, elem) => {
    if (!elem.key) return { [elem.name]: inner };
    const entry = isObject(inner) ? { ...elem.key, ...inner } : { ...elem.key };
    return { [elem.name]: [entry] };
  }, value);
}

function merge(into: unknown, from: unknown): unknown {
  if (into === undefined) return from;
  if (Array.isArray(into) && Array.isArray(from)) return [...into, ...from];
  if (isObject(into) && isObject(from)) {
    const out: Record<string, unknown> = { ...into };
    for (const [name, child] of Object.entries(from)) out[name] = merge(out[name], child);
    return out;
  }
  // Two different values for one leaf: the later update wins, as it would on the device.
  return from;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
