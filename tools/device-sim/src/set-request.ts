import { type GnmiPath, type WireSetRequest, type WireUpdate, type WireUpdateResult } from '@synapse/gnmi-client';
import { decodeTypedValue, normalizeInput } from './encoding';
import { invalidArgument, unimplemented } from './errors';
import { fromWirePath, resolvePath, withPrefix, type ResolvedPath } from './paths';
import { SRL_SCHEMA } from './srl-model';
import { cloneTree, findLocations, isJsonObject, pruneEmpty, removeLocations, writeAt, type JsonObject, type WriteMode } from './tree';
import { validateConfig } from './validate';

/**
 * A SetRequest as one transaction (gNMI 3.4.3): deletes, then replaces, then
 * updates, in request order, on a copy of the running config; the copy is
 * validated as a whole and only returned when valid. The caller swaps it in.
 */
export interface SetOutcome {
  config: JsonObject;
  results: WireUpdateResult[];
}

export function applySetOperations(running: JsonObject, request: WireSetRequest): SetOutcome {
  if ((request.union_replace?.length ?? 0) > 0) throw unimplemented('union_replace is not supported by this target');
  const prefix = fromWirePath(request.prefix);
  const full = (path: GnmiPath) => withPrefix(prefix, path);
  let candidate = cloneTree(running);
  const results: WireUpdateResult[] = [];

  for (const wirePath of request.delete ?? []) {
    const resolved = resolvePath(full(fromWirePath(wirePath)));
    candidate = deleteAt(candidate, resolved);
    results.push({ path: wirePath, op: 'DELETE' });
  }
  for (const update of request.replace ?? []) {
    candidate = write(candidate, full(fromWirePath(update.path)), update, 'replace');
    results.push({ path: update.path ?? { elem: [] }, op: 'REPLACE' });
  }
  for (const update of request.update ?? []) {
    candidate = write(candidate, full(fromWirePath(update.path)), update, 'update');
    results.push({ path: update.path ?? { elem: [] }, op: 'UPDATE' });
  }

  pruneEmpty(SRL_SCHEMA, candidate);
  validateConfig(candidate);
  return { config: candidate, results };
}

function isKeyLeaf(resolved: ResolvedPath): boolean {
  const last = resolved.elems[resolved.elems.length - 1];
  return resolved.node?.kind === 'leaf' && resolved.parent?.kind === 'list' && last !== undefined && resolved.parent.keys.includes(last.name);
}

function deleteAt(candidate: JsonObject, resolved: ResolvedPath): JsonObject {
  if (resolved.elems.length === 0) return {};
  if (resolved.node && !resolved.node.config) throw invalidArgument(`${resolved.text}: state data (config false) cannot be deleted`);
  if (isKeyLeaf(resolved)) throw invalidArgument(`${resolved.text}: a list key cannot be deleted on its own; delete the list entry`);
  // Deleting what is not there is not an error (gNMI 3.4.6).
  removeLocations(findLocations(candidate, resolved.elems));
  return candidate;
}

function write(candidate: JsonObject, path: GnmiPath, update: WireUpdate, mode: WriteMode): JsonObject {
  const resolved = resolvePath(path);
  if (resolved.notWritable) throw invalidArgument(`${resolved.text}: ${resolved.notWritable}`);
  const node = resolved.node!;
  if (!node.config) throw invalidArgument(`${resolved.text}: state data (config false) cannot be set`);
  const raw = decodeTypedValue(update.val, resolved.text);
  const last = resolved.elems[resolved.elems.length - 1];
  const value = normalizeInput(node, raw, resolved.elems, node.kind === 'list' ? last?.key : undefined);
  if (isKeyLeaf(resolved) && String(value) !== resolved.elems[resolved.elems.length - 2]?.key?.[last.name]) {
    throw invalidArgument(`${resolved.text}: cannot change a list key (the path says "${resolved.elems[resolved.elems.length - 2]?.key?.[last.name]}")`);
  }
  if (node.kind === 'container' && resolved.elems.length === 0 && !isJsonObject(value)) {
    throw invalidArgument('/: the root can only be replaced or updated with a JSON object');
  }
  return writeAt(candidate, resolved.elems, value, mode);
}

/** A whole config document (a topology's initial config, a backup): normalised, pruned and validated. */
export function loadConfigDocument(document: unknown): JsonObject {
  const config = normalizeInput(SRL_SCHEMA, document ?? {}, []) as JsonObject;
  pruneEmpty(SRL_SCHEMA, config);
  validateConfig(config);
  return config;
}
