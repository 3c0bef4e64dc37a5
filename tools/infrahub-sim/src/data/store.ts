import type { RelationshipModel, SchemaModel } from '../schema/schema-model';

export interface StoredAttribute {
  value: unknown;
  /** The value came from the schema's default, not from a write. */
  isDefault: boolean;
  updatedAt: string;
}

export interface NodeRecord {
  id: string;
  kind: string;
  attributes: Record<string, StoredAttribute>;
  /** Peer ids per relationship name; a cardinality-one relationship holds at most one. */
  relationships: Record<string, string[]>;
  createdAt: string;
  updatedAt: string;
}

export type BranchStatus = 'OPEN' | 'NEED_REBASE' | 'NEED_UPGRADE_REBASE' | 'DELETING' | 'MERGING' | 'MERGE_FAILED' | 'MERGED';

/** What Infrahub tells about a branch (its `Branch` GraphQL type). */
export interface BranchInfo {
  id: string;
  name: string;
  description: string | null;
  origin_branch: string | null;
  branched_from: string;
  created_at: string;
  is_default: boolean;
  sync_with_git: boolean;
  is_isolated: boolean;
  has_schema_changes: boolean;
  graph_version: number | null;
  status: BranchStatus;
}

function cloneRecord(record: NodeRecord): NodeRecord {
  const relationships: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(record.relationships)) relationships[name] = [...ids];
  const attributes: Record<string, StoredAttribute> = {};
  for (const [name, attribute] of Object.entries(record.attributes)) attributes[name] = { ...attribute };
  return { ...record, attributes, relationships };
}

/**
 * One branch's objects. A branch starts as a full copy of its origin, so
 * writes on either side stay invisible to the other (Infrahub's isolation as
 * a client sees it; no rebase or merge here).
 */
export class BranchData {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly byKind = new Map<string, Set<string>>();

  constructor(readonly info: BranchInfo) {}

  cloneAs(info: BranchInfo): BranchData {
    const copy = new BranchData(info);
    for (const record of this.nodes.values()) copy.add(cloneRecord(record));
    return copy;
  }

  add(record: NodeRecord): void {
    this.nodes.set(record.id, record);
    let ids = this.byKind.get(record.kind);
    if (!ids) this.byKind.set(record.kind, (ids = new Set()));
    ids.add(record.id);
  }

  get(id: string): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Objects of the given node kinds, in creation order. */
  ofKinds(kinds: string[]): NodeRecord[] {
    const records: NodeRecord[] = [];
    for (const kind of kinds) for (const id of this.byKind.get(kind) ?? []) records.push(this.nodes.get(id)!);
    return records;
  }

  /** Point `relationship` of `from` at `peerId` too, and the peer's matching relationship back at `from`. */
  link(model: SchemaModel, from: NodeRecord, relationship: RelationshipModel, peerId: string): void {
    const peer = this.nodes.get(peerId);
    if (!peer) throw new RangeError(`no object ${peerId}`);
    // A cardinality-one end holds one peer: taking a new one releases the old one on both ends.
    if (relationship.cardinality === 'one') this.clear(model, from, relationship);
    const reverse = model.reverse(relationship, from.kind, peer.kind);
    if (reverse?.cardinality === 'one' && !(peer.relationships[reverse.name] ?? []).includes(from.id)) this.clear(model, peer, reverse);
    append(from, relationship.name, peer.id);
    if (reverse) append(peer, reverse.name, from.id);
  }

  /** Remove every peer of `relationship` on `from`, on both ends. */
  clear(model: SchemaModel, from: NodeRecord, relationship: RelationshipModel): void {
    for (const peerId of from.relationships[relationship.name] ?? []) {
      const peer = this.nodes.get(peerId);
      const reverse = peer && model.reverse(relationship, from.kind, peer.kind);
      if (peer && reverse) peer.relationships[reverse.name] = (peer.relationships[reverse.name] ?? []).filter((id) => id !== from.id);
    }
    from.relationships[relationship.name] = [];
  }

  delete(model: SchemaModel, record: NodeRecord): void {
    for (const relationship of model.get(record.kind).relationships) this.clear(model, record, relationship);
    this.nodes.delete(record.id);
    this.byKind.get(record.kind)?.delete(record.id);
  }
}

function append(record: NodeRecord, name: string, id: string): void {
  const ids = (record.relationships[name] ??= []);
  if (!ids.includes(id)) ids.push(id);
}
