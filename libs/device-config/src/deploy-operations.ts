import type { DeployedChangeInput } from '@synapse/contracts';
import { formatPath, parsePath, stripModulePrefix, type PathElem, type PathValueInput } from '@synapse/gnmi-client';
import { normalizePath, schemaAt } from './canonical';
import { keyOf } from './ownership';
import { schemaChild, type SchemaNode } from './srl-schema';
import { isObject, type JsonObject } from './tree';

export interface DeployOperations {
  delete: string[];
  replace: PathValueInput[];
  update: PathValueInput[];
}

/**
 * The one Set that puts a change on a device, touching only what the change
 * owns:
 *
 *  - each rendered entry is merged (gNMI update) with just the leaves the
 *    intent describes, so every leaf the device has that Synapse does not
 *    render (port-speed, FEC, IPv6, ACL bindings, a neighbor someone else
 *    configured) stays exactly as it is;
 *  - leaf-lists (BGP policy chains) are replaced at their own path: their
 *    value is the whole ordered list, and a merge could keep stale names;
 *  - entries owned whole (a policy or prefix set the intent defines) are
 *    replaced, so a statement left over from someone else cannot change
 *    what the policy does;
 *  - deletes (the plan's stale owned entries and leaves, or an emergency
 *    patch's) and a patch's updates ride in the same Set.
 *
 * The device applies deletes, then replaces, then updates, and validates
 * the result as one transaction: a refused Set changes nothing.
 */
export function deployOperations(change: DeployedChangeInput): DeployOperations {
  const ops: DeployOperations = { delete: [...(change.delete ?? [])], replace: [], update: [] };
  for (const [path, value] of Object.entries(change.config ?? {})) {
    const elems = normalizePath(parsePath(path)).elem;
    const node = schemaAt(elems);
    if (node?.ownedWhole) {
      ops.replace.push({ path, value });
      continue;
    }
    const merge = isObject(value) ? split(value, node, elems, ops) : value;
    ops.update.push({ path, value: merge });
  }
  for (const update of change.update ?? []) ops.update.push({ path: update.path, value: update.value });
  return ops;
}

/** The part of a rendered subtree that is merged; leaf-lists and owned-whole entries go to replaces. */
function split(value: JsonObject, node: SchemaNode | undefined, at: PathElem[], ops: DeployOperations): JsonObject {
  const merged: JsonObject = {};
  for (const [rawName, member] of Object.entries(value)) {
    const name = stripModulePrefix(rawName);
    const child = schemaChild(node, name);
    if (child?.keys && Array.isArray(member) && member.every(isObject)) {
      const entries: JsonObject[] = [];
      for (const entry of member as JsonObject[]) {
        const entryAt: PathElem[] = [...at, { name, key: keyOf(entry, child.keys) }];
        if (child.ownedWhole) ops.replace.push({ path: formatPath({ elem: entryAt }), value: entry });
        else entries.push(split(entry, child, entryAt, ops));
      }
      if (entries.length > 0) merged[rawName] = entries;
    } else if (Array.isArray(member)) {
      ops.replace.push({ path: formatPath({ elem: [...at, { name }] }), value: member });
    } else if (isObject(member)) {
      const inner = split(member, child, [...at, { name }], ops);
      if (Object.keys(inner).length > 0) merged[rawName] = inner;
    } else {
      merged[rawName] = member;
    }
  }
  return merged;
}
