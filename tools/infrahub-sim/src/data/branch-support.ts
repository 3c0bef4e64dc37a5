import type { SchemaModel } from '../schema/schema-model';
import type { SimStore } from './sim-store';
import type { BranchData, NodeRecord } from './store';

/**
 * Infrahub keeps branch-agnostic data once, outside every branch: an
 * agnostic node, an agnostic attribute of an aware node, or a relationship
 * between two agnostic kinds is written from whichever branch the request
 * names, is read the same on all of them, and outlives the deletion of the
 * branch it was written from. The simulator holds one copy of the objects
 * per branch (store.ts), so it makes each agnostic write on every branch at
 * once. Aware parts stay where they were written: a record created on a
 * branch exists everywhere, but its aware relationship to a device only on
 * that branch.
 */

export interface SharedWrite {
  store: SimStore;
  model: SchemaModel;
  branch: BranchData;
}

/** A node just created on `write.branch`: an agnostic kind exists on every branch from now on. */
export function shareCreated(write: SharedWrite, record: NodeRecord): void {
  const kind = write.model.get(record.kind);
  if (kind.branch !== 'agnostic') return;
  for (const other of write.store.otherBranches(write.branch)) {
    if (other.get(record.id)) continue;
    const relationships: Record<string, string[]> = {};
    for (const relationship of kind.relationships) relationships[relationship.name] = [];
    const attributes: NodeRecord['attributes'] = {};
    for (const [name, attribute] of Object.entries(record.attributes)) attributes[name] = { ...attribute };
    const copy: NodeRecord = { ...record, attributes, relationships };
    other.add(copy);
    linkAgnostic(write.model, other, record, copy, kind.relationships.map((r) => r.name));
  }
}

/** Attributes and relationships just written on `record`: their agnostic ones take the same value on every branch. */
export function shareUpdated(write: SharedWrite, record: NodeRecord, written: { attributes: string[]; relationships: string[] }): void {
  const kind = write.model.get(record.kind);
  const attributes = written.attributes.filter((name) => kind.attributes.find((a) => a.name === name)?.branch === 'agnostic');
  const relationships = written.relationships.filter((name) => kind.relationships.find((r) => r.name === name)?.branch === 'agnostic');
  if (attributes.length === 0 && relationships.length === 0) return;
  for (const other of write.store.otherBranches(write.branch)) {
    const copy = other.get(record.id);
    if (!copy) continue;
    other.remember(copy.id);
    for (const name of attributes) copy.attributes[name] = { ...record.attributes[name]! };
    for (const name of relationships) other.clear(write.model, copy, kind.relationships.find((r) => r.name === name)!);
    linkAgnostic(write.model, other, record, copy, relationships);
    copy.updatedAt = record.updatedAt;
  }
}

/** A node just deleted on `write.branch`: an agnostic one is gone from every branch. */
export function shareDeleted(write: SharedWrite, record: NodeRecord): void {
  if (write.model.get(record.kind).branch !== 'agnostic') return;
  for (const other of write.store.otherBranches(write.branch)) {
    const copy = other.get(record.id);
    if (copy) other.delete(write.model, copy);
  }
}

function linkAgnostic(model: SchemaModel, branch: BranchData, source: NodeRecord, copy: NodeRecord, names: string[]): void {
  for (const name of names) {
    const relationship = model.relationshipOf(source.kind, name)!;
    if (relationship.branch !== 'agnostic') continue;
    for (const peerId of source.relationships[name] ?? []) if (branch.get(peerId)) branch.link(model, copy, relationship, peerId);
  }
}
