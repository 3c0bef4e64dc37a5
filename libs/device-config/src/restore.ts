import type { DeployedChangeInput, ManagedConfig } from '@synapse/contracts';
import { formatPath, parsePath, type PathElem } from '@synapse/gnmi-client';
import { normalizePath } from './canonical';
import type { DeployOperations } from './deploy-operations';
import { diffConfigs } from './diff';
import { toDocument } from './document';
import { findEntry, isKeyedList, keyOf, ownedView } from './ownership';
import { schemaChild, SRL_SCHEMA, type SchemaNode } from './srl-schema';
import { isObject, memberNamed, type JsonObject } from './tree';

/**
 * What a change touched, as a rollback and its verification see it: the
 * owned leaves and entries of the rendered config it deployed, and whole
 * subtrees at the paths it updated (a patch) or deleted.
 */
export interface Touched {
  config: ManagedConfig;
  /** Subtrees written or deleted as a whole. */
  subtrees: string[];
}

export function touchedBy(change: DeployedChangeInput): Touched {
  return {
    config: (change.config ?? {}) as ManagedConfig,
    subtrees: [...(change.update ?? []).map((u) => u.path), ...(change.delete ?? [])],
  };
}

/** The touched part of a config, in canonical form; see touchedView. */
export interface TouchedView {
  /** The owned leaves and entries of the deployed config, as ownedView shows them. */
  owned: JsonObject;
  /** Each whole subtree by path; null where the config has nothing. */
  subtrees: Record<string, unknown>;
}

/**
 * The touched part of a config: what must equal the backup after a
 * rollback. Config outside it is someone else's and is not compared.
 */
export function touchedView(config: unknown, touched: Touched): TouchedView {
  const document = toDocument(config);
  const subtrees: Record<string, unknown> = {};
  for (const path of touched.subtrees) {
    const elems = normalizePath(parsePath(path)).elem;
    subtrees[formatPath({ elem: elems })] = locate(document, elems, SRL_SCHEMA)?.canonical ?? null;
  }
  return { owned: Object.keys(touched.config).length > 0 ? ownedView(document, touched.config) : {}, subtrees };
}

/** The paths where two touched views differ (empty when a rollback put everything back). */
export function touchedDifferences(expected: TouchedView, actual: TouchedView): string[] {
  const diff = diffConfigs({ '/': expected.owned }, { '/': actual.owned });
  const paths = [...diff.added, ...diff.removed, ...diff.changed].map((d) => d.path);
  for (const [path, value] of Object.entries(expected.subtrees)) {
    if (JSON.stringify(value) !== JSON.stringify(actual.subtrees[path] ?? null)) paths.push(path);
  }
  return [...new Set(paths)].sort();
}

/**
 * The Set that puts the backup's values back on exactly the touched paths:
 * an owned leaf the backup had gets its old value, one it did not have is
 * deleted; an entry the change created is deleted whole; a subtree written
 * or deleted whole is put back whole from the backup (or deleted if the
 * backup had none). Values come from the backup document as the device
 * returned it (module prefixes and all), so they are written back exactly.
 * Nothing outside the touched paths is in the Set: config someone else
 * changed since the backup is not reverted.
 */
export function restoreOperations(backup: unknown, touched: Touched): DeployOperations {
  const ops: DeployOperations = { delete: [], replace: [], update: [] };
  const canonical = toDocument(backup);
  if (Object.keys(touched.config).length > 0) restoreOwned(toDocument(touched.config), canonical, backup, SRL_SCHEMA, [], ops);
  for (const path of touched.subtrees) {
    const elems = normalizePath(parsePath(path)).elem;
    const found = locate(canonical, elems, SRL_SCHEMA, backup);
    if (found === undefined) ops.delete.push(formatPath({ elem: elems }));
    else ops.replace.push({ path: formatPath({ elem: elems }), value: found.raw });
  }
  return ops;
}

function restoreOwned(template: JsonObject, backup: JsonObject | undefined, raw: unknown, node: SchemaNode | undefined, at: PathElem[], ops: DeployOperations): void {
  for (const [name, owned] of Object.entries(template)) {
    const child = schemaChild(node, name);
    const here: PathElem[] = [...at, { name }];
    const before = backup?.[name];
    const rawBefore = isObject(raw) ? memberNamed(raw, name) : undefined;
    if (isKeyedList(child, owned)) {
      const keys = child!.keys!;
      for (const entry of owned as JsonObject[]) {
        const entryAt: PathElem[] = [...at, { name, key: keyOf(entry, keys) }];
        const had = Array.isArray(before) ? findEntry(before, keys, entry) : undefined;
        if (!had) {
          ops.delete.push(formatPath({ elem: entryAt }));
          continue;
        }
        const rawEntry = Array.isArray(rawBefore) ? findEntry(rawBefore, keys, entry) ?? findRaw(rawBefore, keys, entry) : undefined;
        if (child!.ownedWhole) ops.replace.push({ path: formatPath({ elem: entryAt }), value: rawEntry ?? had });
        else restoreOwned(withoutKeys(entry, keys), had, rawEntry, child, entryAt, ops);
      }
    } else if (isObject(owned)) {
      restoreOwned(owned, isObject(before) ? before : undefined, rawBefore, child, here, ops);
    } else if (before === undefined) {
      ops.delete.push(formatPath({ elem: here }));
    } else {
      ops.replace.push({ path: formatPath({ elem: here }), value: rawBefore ?? before });
    }
  }
}

/** The canonical subtree at a concrete path of a canonical document, or undefined. */
export function canonicalAt(document: JsonObject, path: string): unknown {
  return locate(document, normalizePath(parsePath(path)).elem, SRL_SCHEMA)?.canonical;
}

/** The subtree at a concrete path: canonical (for comparing) and as the document holds it (for writing back). */
function locate(canonical: JsonObject, elems: PathElem[], root: SchemaNode, raw?: unknown): { canonical: unknown; raw: unknown } | undefined {
  let here: unknown = canonical;
  let rawHere: unknown = raw;
  let node: SchemaNode | undefined = root;
  for (const elem of elems) {
    if (!isObject(here)) return undefined;
    node = schemaChild(node, elem.name);
    let next = here[elem.name];
    let rawNext = isObject(rawHere) ? memberNamed(rawHere, elem.name) : undefined;
    if (elem.key) {
      if (!Array.isArray(next)) return undefined;
      const keys = Object.keys(elem.key);
      next = findEntry(next, keys, elem.key);
      rawNext = Array.isArray(rawNext) ? findRaw(rawNext, keys, elem.key) : undefined;
    }
    if (next === undefined) return undefined;
    here = next;
    rawHere = rawNext;
  }
  return { canonical: here, raw: rawHere ?? here };
}

/** An entry of a raw (possibly module-prefixed, string-typed) list by its key values. */
function findRaw(entries: unknown[], keys: readonly string[], key: Record<string, unknown>): JsonObject | undefined {
  return entries.find((e): e is JsonObject => isObject(e) && keys.every((k) => String(memberNamed(e, k)) === String(key[k])));
}

function withoutKeys(entry: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !keys.includes(k)));
}
