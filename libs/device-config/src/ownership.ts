import { externalPolicyReferences, type DeviceIntent, type DeviceIntentInput, type ManagedConfig, type OwnershipScope } from '@synapse/contracts';
import { formatPath, type PathElem } from '@synapse/gnmi-client';
import { compareKeys } from './canonical';
import { parseRenderableIntent } from './intent-checks';
import { toDocument } from './document';
import { MANAGEMENT_INTERFACES, MANAGEMENT_NETWORK_INSTANCE } from './interface-names';
import { schemaChild, SRL_SCHEMA, type SchemaNode } from './srl-schema';
import { isObject, type JsonObject } from './tree';

/**
 * What Synapse owns on a device, and the one set of rules every step uses
 * (render, plan, deploy, drift, rollback verification):
 *
 *  - Synapse owns exactly what it renders: the leaves inside each interface,
 *    subinterface, BGP group and neighbor entry the intent describes, and
 *    the entries themselves (their keys). Every other leaf inside those
 *    entries (port-speed, FEC, IPv6, LAG membership, ACL bindings, …) and
 *    every entry the intent does not list belong to someone else: they are
 *    never written, never deleted, never drift.
 *  - A few entries are owned whole (schema flag `ownedWhole`): a routing
 *    policy or prefix set the intent defines is the whole truth about it,
 *    since a statement left behind would change what the policy does.
 *  - The rendered config is the template of ownership: an owned view of a
 *    running config is that config cut down to the template's shape.
 *  - Something is deleted only when an earlier deploy owned it (the
 *    device's ownership record: the config that deploy rendered) and the
 *    intent no longer has it. An entry that also holds config Synapse never
 *    owned keeps that config: only Synapse's leaves in it are deleted.
 *  - Management ports (mgmt0, interfaces the intent gives role
 *    `management`, their subinterfaces and network-instance memberships)
 *    and the management network-instance are never touched, whatever a
 *    record says.
 *
 * Documents here are canonical (document.ts): module prefixes stripped,
 * lists sorted, integers typed. Paths are gnmi-client's formatPath strings.
 */

/** The scope of one device's intent (contracts' OwnershipScope); refuses the intents renderConfig refuses. */
export function ownershipScope(input: DeviceIntentInput | DeviceIntent): OwnershipScope {
  const intent = parseRenderableIntent(input);
  return {
    protectedInterfaces: intent.interfaces.filter((itf) => itf.role === 'management').map((itf) => itf.name),
    requiredPolicies: externalPolicyReferences(intent),
  };
}

/** True when a path lies under something no change may touch. */
export function isProtectedPath(at: readonly PathElem[], scope: Pick<OwnershipScope, 'protectedInterfaces'>): boolean {
  const [first, second, third] = at;
  if (!first) return false;
  if (first.name === 'system') return true;
  const protectedInterface = (name: string | undefined) =>
    name !== undefined && ((MANAGEMENT_INTERFACES as readonly string[]).includes(name) || scope.protectedInterfaces.includes(name));
  if (first.name === 'interface') return protectedInterface(first.key?.name);
  if (first.name === 'network-instance') {
    if (first.key?.name === MANAGEMENT_NETWORK_INSTANCE) return true;
    // A membership `ethernet-1/63.0` belongs to the port it names.
    if (second?.name === 'interface' && third === undefined) return protectedInterface(second.key?.name?.replace(/\.\d+$/, ''));
  }
  return false;
}

/**
 * The owned part of a config: `config` (a whole document, prefixed or not,
 * or a ManagedConfig) cut down to the shape of `template` (a rendered config,
 * or several: a leaf owned by any of them is kept). List entries the template
 * names keep their keys even when nothing else of them is set, so an entry
 * that exists differs from one that does not.
 */
export function ownedView(config: unknown, ...templates: ManagedConfig[]): JsonObject {
  const template = mergeTemplates(templates);
  return project(template, toDocument(config), SRL_SCHEMA);
}

function project(template: JsonObject, document: JsonObject, node: SchemaNode | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [name, wanted] of Object.entries(template)) {
    const child = schemaChild(node, name);
    const present = document[name];
    if (present === undefined) continue;
    if (isKeyedList(child, wanted) && Array.isArray(present)) {
      const entries: JsonObject[] = [];
      for (const want of wanted as JsonObject[]) {
        const entry = findEntry(present, child!.keys!, want);
        if (!entry) continue;
        entries.push(child!.ownedWhole ? entry : { ...keyLeaves(entry, child!.keys!), ...project(want, entry, child) });
      }
      if (entries.length > 0) out[name] = entries;
    } else if (isObject(wanted)) {
      if (!isObject(present)) {
        out[name] = present;
        continue;
      }
      const inner = project(wanted, present, child);
      if (Object.keys(inner).length > 0) out[name] = inner;
    } else {
      out[name] = present;
    }
  }
  return out;
}

/**
 * What a deploy of `rendered` deletes on a device running `running`, given
 * what the last deploy owned (`previous`, the device's ownership record):
 * every entry and leaf `previous` owned that `rendered` no longer has and
 * the device still has. An entry holding nothing but what `previous` owned
 * is deleted whole; one that also holds someone else's config keeps it, and
 * only Synapse's leaves and entries inside are deleted. Protected paths are
 * never deleted. Outermost first, in document order.
 */
export function staleDeletions(running: unknown, previous: ManagedConfig | undefined, rendered: ManagedConfig, scope: Pick<OwnershipScope, 'protectedInterfaces'>): string[] {
  if (!previous || Object.keys(previous).length === 0) return [];
  const out: string[] = [];
  stale(toDocument(previous), toDocument(rendered), toDocument(running), SRL_SCHEMA, [], scope, out);
  return out;
}

function stale(previous: JsonObject, next: JsonObject, running: JsonObject, node: SchemaNode | undefined, at: PathElem[], scope: Pick<OwnershipScope, 'protectedInterfaces'>, out: string[]): void {
  for (const [name, owned] of Object.entries(previous)) {
    const child = schemaChild(node, name);
    const present = running[name];
    if (present === undefined) continue;
    const here: PathElem[] = [...at, { name }];
    if (isKeyedList(child, owned) && Array.isArray(present)) {
      const keys = child!.keys!;
      const kept = Array.isArray(next[name]) ? (next[name] as JsonObject[]) : [];
      for (const entry of owned as JsonObject[]) {
        const onDevice = findEntry(present, keys, entry);
        if (!onDevice) continue;
        const entryAt: PathElem[] = [...at, { name, key: keyOf(entry, keys) }];
        if (isProtectedPath(entryAt, scope)) continue;
        const stillOwned = findEntry(kept, keys, entry);
        if (stillOwned) {
          // Owned whole and still rendered: the deploy's replace covers it.
          if (!child!.ownedWhole) stale(entry, stillOwned, onDevice, child, entryAt, scope, out);
        } else if (child!.ownedWhole || holdsOnly(onDevice, entry, child)) {
          out.push(formatPath({ elem: entryAt }));
        } else {
          stale(entry, keyLeaves(entry, keys), onDevice, child, entryAt, scope, out);
        }
      }
    } else if (isObject(owned)) {
      if (isObject(present)) stale(owned, isObject(next[name]) ? next[name] : {}, present, child, here, scope, out);
    } else if (next[name] === undefined && !isKeyLeaf(node, name)) {
      out.push(formatPath({ elem: here }));
    }
  }
}

/** The entry on the device holds nothing the owned template does not name. */
function holdsOnly(onDevice: JsonObject, owned: JsonObject, list: SchemaNode | undefined): boolean {
  const foreign: string[] = [];
  unowned(withoutKeys(onDevice, list?.keys ?? []), owned, list, [], foreign);
  return foreign.length === 0;
}

/**
 * The complement of ownedView: `config` with everything the templates own
 * taken out (owned leaves, wholly owned entries, and entries left with
 * nothing but their keys). Two configs whose unowned parts are equal differ
 * only in what Synapse owns: what a change, a remediation or a rollback may
 * touch, and all it may touch.
 */
export function unownedPart(config: unknown, ...templates: ManagedConfig[]): JsonObject {
  const document = structuredClone(toDocument(config));
  strip(document, mergeTemplates(templates), SRL_SCHEMA);
  return document;
}

function strip(document: JsonObject, template: JsonObject, node: SchemaNode | undefined): void {
  for (const [name, owned] of Object.entries(template)) {
    const child = schemaChild(node, name);
    const present = document[name];
    if (present === undefined) continue;
    if (isKeyedList(child, owned) && Array.isArray(present)) {
      const keys = child!.keys!;
      const kept = present.filter((entry) => {
        if (!isObject(entry)) return true;
        const want = (owned as JsonObject[]).find((o) => keys.every((k) => String(o[k]) === String(entry[k])));
        if (!want) return true;
        if (child!.ownedWhole) return false;
        strip(entry, withoutKeys(want, keys), child);
        return Object.keys(entry).some((k) => !keys.includes(k));
      });
      if (kept.length > 0) document[name] = kept;
      else delete document[name];
    } else if (isObject(owned) && isObject(present)) {
      strip(present, owned, child);
      if (Object.keys(present).length === 0) delete document[name];
    } else {
      delete document[name];
    }
  }
}

/** Config Synapse does not own, as the outermost paths that hold it (an entry, not its leaves). */
export interface Unmanaged {
  count: number;
  paths: string[];
}

/**
 * Everything in `running` outside the templates (the rendered config and
 * the ownership record): whole entries and containers no template names,
 * and the leaves inside owned entries that no template renders. Counted in
 * full; the first `limit` paths listed.
 */
export function unmanagedConfig(running: unknown, templates: ManagedConfig[], limit = 50): Unmanaged {
  const found: string[] = [];
  unowned(toDocument(running), mergeTemplates(templates), SRL_SCHEMA, [], found);
  return { count: found.length, paths: found.slice(0, limit) };
}

function unowned(document: JsonObject, template: JsonObject, node: SchemaNode | undefined, at: PathElem[], out: string[]): void {
  for (const [name, value] of Object.entries(document)) {
    const child = schemaChild(node, name);
    const owned = template[name];
    const keys = child?.keys;
    if (keys && Array.isArray(value) && value.every(isObject)) {
      for (const entry of value as JsonObject[]) {
        const entryAt: PathElem[] = [...at, { name, key: keyOf(entry, keys) }];
        const want = Array.isArray(owned) ? findEntry(owned, keys, entry) : undefined;
        if (!want) out.push(formatPath({ elem: entryAt }));
        else if (!child.ownedWhole) unowned(withoutKeys(entry, keys), want, child, entryAt, out);
      }
    } else if (owned === undefined) {
      out.push(formatPath({ elem: [...at, { name }] }));
    } else if (isObject(value) && isObject(owned)) {
      unowned(value, owned, child, [...at, { name }], out);
    }
  }
}

/** The intent's policy references (scope.requiredPolicies) that the device does not have. */
export function missingPolicies(running: unknown, scope: Pick<OwnershipScope, 'requiredPolicies'>): OwnershipScope['requiredPolicies'] {
  if (scope.requiredPolicies.length === 0) return [];
  const routingPolicy = toDocument(running)['routing-policy'];
  const policies = isObject(routingPolicy) && Array.isArray(routingPolicy.policy) ? routingPolicy.policy : [];
  const present = new Set(policies.filter(isObject).map((p) => String(p.name)));
  return scope.requiredPolicies.filter((ref) => !present.has(ref.policy));
}

// ── template helpers ──

/** One template from several rendered configs: a leaf owned by any of them is owned. */
export function mergeTemplates(templates: readonly ManagedConfig[]): JsonObject {
  const documents = templates.filter((t) => Object.keys(t).length > 0).map((t) => toDocument(t));
  if (documents.length === 0) return {};
  return documents.slice(1).reduce((merged, doc) => mergeInto(merged, doc, SRL_SCHEMA), structuredClone(documents[0]));
}

function mergeInto(target: JsonObject, source: JsonObject, node: SchemaNode | undefined): JsonObject {
  for (const [name, value] of Object.entries(source)) {
    const child = schemaChild(node, name);
    const existing = target[name];
    if (existing === undefined) target[name] = structuredClone(value);
    else if (isKeyedList(child, value) && Array.isArray(existing)) {
      // `existing` grows here, so no cached index (findEntry) over it.
      const byKey = new Map(existing.filter(isObject).map((e) => [entryId(e, child!.keys!), e]));
      for (const entry of value as JsonObject[]) {
        const match = byKey.get(entryId(entry, child!.keys!));
        if (match && !child!.ownedWhole) mergeInto(match, entry, child);
        else if (!match) existing.push(structuredClone(entry));
      }
      existing.sort((a, b) => compareKeys(a as JsonObject, b as JsonObject, child!.keys!));
    } else if (isObject(existing) && isObject(value)) mergeInto(existing, value, child);
  }
  return target;
}

export function isKeyedList(node: SchemaNode | undefined, value: unknown): boolean {
  return node?.keys !== undefined && Array.isArray(value) && value.every(isObject);
}

// A spine's interface and neighbor lists run to a thousand entries: look entries up by key, not by
// scan. The index is kept per array, so only arrays that are no longer changed may be searched here.
const entryIndexes = new WeakMap<readonly unknown[], Map<string, JsonObject>>();

export function findEntry(entries: readonly unknown[], keys: readonly string[], like: JsonObject): JsonObject | undefined {
  let index = entryIndexes.get(entries);
  if (!index) {
    index = new Map();
    for (const entry of entries) if (isObject(entry)) index.set(entryId(entry, keys), entry);
    entryIndexes.set(entries, index);
  }
  return index.get(entryId(like, keys));
}

function entryId(entry: JsonObject, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => String(entry[k])));
}

export function keyOf(entry: JsonObject, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, String(entry[k])]));
}

function keyLeaves(entry: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(keys.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]));
}

function withoutKeys(entry: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !keys.includes(k)));
}

function isKeyLeaf(node: SchemaNode | undefined, name: string): boolean {
  return node?.keys?.includes(name) ?? false;
}
