import { InfrahubError } from '../errors';
import type { AttributeModel, KindModel, SchemaModel } from '../schema/schema-model';
import { humanFriendlyId, pathValue } from './paths';
import type { BranchData, NodeRecord } from './store';

/** Arguments of a node query or a many-relationship field: paging plus `<field>__…` filters. */
export interface ListArgs {
  offset?: number | null;
  limit?: number | null;
  ids?: (string | null)[] | null;
  hfid?: (string | null)[] | null;
  partial_match?: boolean | null;
  order?: { disable?: boolean | null } | null;
  [filter: string]: unknown;
}

const PAGING_ARGS = new Set(['offset', 'limit', 'ids', 'hfid', 'partial_match', 'order']);

type Predicate = (record: NodeRecord) => boolean;

function valueMatches(attribute: AttributeModel, stored: unknown, wanted: unknown, partial: boolean): boolean {
  if (stored === null || stored === undefined) return false;
  if (partial && typeof stored === 'string' && typeof wanted === 'string') return stored.toLowerCase().includes(wanted.toLowerCase());
  if (attribute.kind === 'IPHost' && typeof wanted === 'string' && !wanted.includes('/')) return String(stored).split('/')[0] === wanted;
  return stored === wanted;
}

/** Turn `name__value`, `role__values`, `device__name__value`, `interfaces__ids`, `x__isnull` into predicates. */
function predicates(model: SchemaModel, branch: BranchData, kind: KindModel, args: ListArgs): Predicate[] {
  const partial = args.partial_match === true;
  const result: Predicate[] = [];
  for (const [key, wanted] of Object.entries(args)) {
    if (PAGING_ARGS.has(key) || wanted === undefined || wanted === null) continue;
    const parts = key.split('__');
    const [field, ...rest] = parts;
    const attribute = kind.attributes.find((a) => a.name === field);
    if (attribute && rest.length === 1) {
      const [operator] = rest;
      if (operator === 'value') result.push((r) => valueMatches(attribute, r.attributes[field]?.value, wanted, partial));
      else if (operator === 'values') {
        const list = (wanted as unknown[]).filter((v) => v !== null);
        result.push((r) => list.some((w) => valueMatches(attribute, r.attributes[field]?.value, w, partial)));
      } else if (operator === 'isnull') result.push((r) => (r.attributes[field]?.value === null || r.attributes[field]?.value === undefined) === wanted);
      continue;
    }
    const relationship = kind.relationships.find((r) => r.name === field);
    if (relationship) {
      const peers = (r: NodeRecord) => (r.relationships[field] ?? []).map((id) => branch.get(id)).filter((p): p is NodeRecord => p !== undefined);
      if (rest.length === 1 && rest[0] === 'ids') {
        const ids = new Set((wanted as string[]).filter((v) => v !== null));
        result.push((r) => (r.relationships[field] ?? []).some((id) => ids.has(id)));
        continue;
      }
      if (rest.length === 1 && rest[0] === 'isnull') {
        result.push((r) => ((r.relationships[field] ?? []).length === 0) === wanted);
        continue;
      }
      if (rest.length === 2) {
        const [peerField, operator] = rest;
        const peerAttribute = model.get(relationship.peer).attributes.find((a) => a.name === peerField);
        if (peerAttribute && (operator === 'value' || operator === 'values')) {
          const list = operator === 'value' ? [wanted] : (wanted as unknown[]).filter((v) => v !== null);
          result.push((r) => peers(r).some((p) => list.some((w) => valueMatches(peerAttribute, p.attributes[peerField]?.value, w, partial))));
          continue;
        }
      }
    }
    // The GraphQL schema only offers filters that exist, so reaching here is a simulator bug.
    throw new InfrahubError(`filter ${key} is not supported on ${kind.kind}`, 422);
  }
  return result;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Filter, order (the kind's `order_by`, unless `order: {disable: true}`) and
 * page a set of objects. `count` is the number matching before paging, which
 * is what clients loop on.
 */
export function listObjects(model: SchemaModel, branch: BranchData, kind: KindModel, candidates: NodeRecord[], args: ListArgs): { count: number; records: NodeRecord[] } {
  const offset = args.offset ?? 0;
  const limit = args.limit ?? undefined;
  if (offset < 0) throw new InfrahubError('offset must be zero or more', 422);
  if (limit !== undefined && limit < 0) throw new InfrahubError('limit must be zero or more', 422);
  let records = candidates;
  if (args.ids) {
    const ids = new Set(args.ids.filter((id) => id !== null));
    records = records.filter((r) => ids.has(r.id));
  }
  if (args.hfid) {
    const wanted = JSON.stringify(args.hfid);
    records = records.filter((r) => JSON.stringify(humanFriendlyId(model, branch, r)) === wanted);
  }
  const tests = predicates(model, branch, kind, args);
  if (tests.length) records = records.filter((r) => tests.every((test) => test(r)));
  if (kind.orderBy?.length && args.order?.disable !== true) {
    const paths = kind.orderBy;
    const keyed = records.map((record) => ({ record, keys: paths.map((path) => pathValue(model, branch, record, path)) }));
    keyed.sort((x, y) => {
      for (let i = 0; i < paths.length; i++) {
        const order = compareValues(x.keys[i], y.keys[i]);
        if (order !== 0) return order;
      }
      return 0;
    });
    records = keyed.map((k) => k.record);
  }
  return { count: records.length, records: records.slice(offset, limit === undefined ? undefined : offset + limit) };
}
