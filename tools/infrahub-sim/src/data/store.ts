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

const MAX_VIEWS = 8;

/** An object as it was until a write at `until` (ms since the epoch); absent: it did not exist yet. */
interface PastVersion {
  until: number;
  record: NodeRecord | undefined;
}

/**
 * One branch's objects. A branch starts as a full copy of its origin, so
 * writes on either side stay invisible to the other (Infrahub's isolation as
 * a client sees it; no rebase or merge here).
 *
 * Like Infrahub's graph, it keeps what every object was before each write,
 * so a query can read the branch as it was at a point in time (`?at=`,
 * `asOf`). Writes are stamped by `writeAt`; the lab's seed is the oldest
 * state there is (a time before it reads the seed).
 */
export class BranchData {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly byKind = new Map<string, Set<string>>();
  private readonly past = new Map<string, PastVersion[]>();
  /** The time of the write being applied (set around a mutation); none while seeding. */
  private writing: number | undefined;
  /**
   * Views already built, by time: a rollout's plan reads hundreds of intents
   * at one instant. A view shares unchanged objects with the branch, so any
   * write drops them all.
   */
  private readonly views = new Map<number, BranchData>();

  constructor(readonly info: BranchInfo) {}

  cloneAs(info: BranchInfo): BranchData {
    const copy = new BranchData(info);
    for (const record of this.nodes.values()) copy.add(cloneRecord(record));
    // A branch read before it was created reads its origin's past.
    for (const [id, versions] of this.past) copy.past.set(id, [...versions]);
    return copy;
  }

  /** Runs `write` as one write at `now`: every object it touches keeps its prior version. */
  writeAt<T>(now: string, write: () => T): T {
    this.views.clear();
    const previous = this.writing;
    this.writing = Date.parse(now);
    try {
      return write();
    } finally {
      this.writing = previous;
    }
  }

  /** Keeps `id` as it is now, before the current write changes it (once per write). */
  remember(id: string): void {
    if (this.writing === undefined) return;
    const versions = this.past.get(id) ?? [];
    if (versions.length > 0 && versions[versions.length - 1]!.until === this.writing) return;
    const current = this.nodes.get(id);
    versions.push({ until: this.writing, record: current && cloneRecord(current) });
    this.past.set(id, versions);
  }

  /**
   * The branch as it was at `at` (ms since the epoch), for reading: every
   * object in the version it had then; objects created later are absent,
   * objects deleted since are back.
   */
  asOf(at: number): BranchData {
    const cached = this.views.get(at);
    if (cached) return cached;
    const view = new BranchData(this.info);
    const versionAt = (id: string): NodeRecord | undefined => {
      const later = this.past.get(id)?.find((v) => v.until > at);
      return later ? later.record : this.nodes.get(id);
    };
    for (const id of this.nodes.keys()) {
      const record = versionAt(id);
      if (record) view.add(record);
    }
    for (const id of this.past.keys()) {
      if (this.nodes.has(id)) continue;
      const record = versionAt(id);
      if (record) view.add(record);
    }
    // Only a time already past is final: a write stamped later cannot change what it reads.
    if (at < Date.now()) {
      if (this.views.size >= MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
      this.views.set(at, view);
    }
    return view;
  }

  add(record: NodeRecord): void {
    this.remember(record.id);
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
    this.remember(from.id);
    this.remember(peer.id);
    append(from, relationship.name, peer.id);
    if (reverse) append(peer, reverse.name, from.id);
  }

  /** Remove every peer of `relationship` on `from`, on both ends. */
  clear(model: SchemaModel, from: NodeRecord, relationship: RelationshipModel): void {
    this.remember(from.id);
    for (const peerId of from.relationships[relationship.name] ?? []) {
      const peer = this.nodes.get(peerId);
      const reverse = peer && model.reverse(relationship, from.kind, peer.kind);
      if (peer && reverse) {
        this.remember(peer.id);
        peer.relationships[reverse.name] = (peer.relationships[reverse.name] ?? []).filter((id) => id !== from.id);
      }
    }
    from.relationships[relationship.name] = [];
  }

  delete(model: SchemaModel, record: NodeRecord): void {
    for (const relationship of model.get(record.kind).relationships) this.clear(model, record, relationship);
    this.remember(record.id);
    this.nodes.delete(record.id);
    this.byKind.get(record.kind)?.delete(record.id);
  }
}

function append(record: NodeRecord, name: string, id: string): void {
  const ids = (record.relationships[name] ??= []);
  if (!ids.includes(id)) ids.push(id);
}
