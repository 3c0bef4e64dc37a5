import {
  GraphQLBoolean,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import { InfrahubError, nodeNotFound, validationError } from '../errors';
import { shareCreated, shareDeleted, shareUpdated } from '../data/branch-support';
import { newId } from '../data/ids';
import { humanFriendlyId, pathValue } from '../data/paths';
import { newRecord } from '../data/records';
import type { NodeRecord } from '../data/store';
import { checkAttributeValue } from '../data/values';
import type { KindModel, SchemaModel } from '../schema/schema-model';
import { attributeInputType } from './attribute-types';
import type { SimContext } from './context';
import type { NodeTypes } from './node-types';

/**
 * `<Kind>Create`, `<Kind>Update`, `<Kind>Upsert` and `<Kind>Delete` for every
 * node kind, checked as Infrahub checks them: dropdown choices, required
 * values, unique attributes and uniqueness constraints, peers that exist and
 * are of the right kind. Writes go to the branch the request addressed;
 * their branch-agnostic parts to every branch (data/branch-support.ts).
 * Deleting an object deletes its components too (on_delete cascade).
 */

interface RelatedNodeInputValue {
  id?: string | null;
  hfid?: (string | null)[] | null;
  kind?: string | null;
}

type MutationData = Record<string, unknown> & { id?: string | null; hfid?: string[] | null };

export const RelatedNodeInput = new GraphQLInputObjectType({
  name: 'RelatedNodeInput',
  fields: {
    id: { type: GraphQLString },
    hfid: { type: new GraphQLList(GraphQLString) },
    kind: { type: GraphQLString },
    _relation__is_protected: { type: GraphQLBoolean },
    _relation__source: { type: GraphQLString },
    _relation__owner: { type: GraphQLString },
  },
});

const ContextInput = new GraphQLInputObjectType({
  name: 'ContextInput',
  fields: { account: { type: new GraphQLInputObjectType({ name: 'ContextAccountInput', fields: { id: { type: new GraphQLNonNull(GraphQLString) } } }) } },
});

const DeleteInput = new GraphQLInputObjectType({
  name: 'DeleteInput',
  fields: { id: { type: GraphQLString }, hfid: { type: new GraphQLList(GraphQLString) } },
});

function inputFields(kind: KindModel, mode: 'create' | 'update' | 'upsert'): GraphQLInputFieldConfigMap {
  const fields: GraphQLInputFieldConfigMap = { id: { type: GraphQLString } };
  if (mode !== 'create') fields.hfid = { type: new GraphQLList(GraphQLString) };
  for (const attribute of kind.attributes) {
    const type = attributeInputType(attribute, mode === 'update' ? 'update' : 'create');
    const required = mode === 'create' && !attribute.optional && attribute.defaultValue === undefined;
    fields[attribute.name] = { type: required ? new GraphQLNonNull(type) : type };
  }
  for (const relationship of kind.relationships) {
    if (relationship.cardinality === 'many') fields[relationship.name] = { type: new GraphQLList(RelatedNodeInput) };
    else fields[relationship.name] = { type: mode === 'create' && !relationship.optional ? new GraphQLNonNull(RelatedNodeInput) : RelatedNodeInput };
  }
  return fields;
}

/** Find the peer a relationship input names, by id or human-friendly id. */
function resolvePeer(ctx: SimContext, peerKind: string, input: RelatedNodeInputValue): NodeRecord {
  const kind = input.kind ?? peerKind;
  if (input.id) {
    const peer = ctx.branch.get(input.id);
    if (!peer || !ctx.model.isA(peer.kind, peerKind)) throw nodeNotFound(input.id, kind);
    return peer;
  }
  if (input.hfid?.length) {
    const wanted = JSON.stringify(input.hfid);
    const peer = ctx.branch.ofKinds(ctx.model.concreteKinds(kind)).find((r) => JSON.stringify(humanFriendlyId(ctx.model, ctx.branch, r)) === wanted);
    if (!peer || !ctx.model.isA(peer.kind, peerKind)) throw nodeNotFound(`[${input.hfid.map((p) => `'${p}'`).join(', ')}]`, kind);
    return peer;
  }
  throw new InfrahubError(`Either id or hfid must be provided for a related ${peerKind}`, 422);
}

function findTarget(ctx: SimContext, kind: KindModel, data: MutationData): NodeRecord | undefined {
  if (data.id) {
    const record = ctx.branch.get(data.id);
    return record && record.kind === kind.kind ? record : undefined;
  }
  if (data.hfid?.length) {
    const wanted = JSON.stringify(data.hfid);
    return ctx.branch.ofKinds([kind.kind]).find((r) => JSON.stringify(humanFriendlyId(ctx.model, ctx.branch, r)) === wanted);
  }
  return undefined;
}

/** Peers named in the input, resolved before anything is written so a bad one leaves no trace. */
function resolveRelationships(ctx: SimContext, kind: KindModel, data: MutationData): Map<string, NodeRecord[] | null> {
  const resolved = new Map<string, NodeRecord[] | null>();
  for (const relationship of kind.relationships) {
    if (!(relationship.name in data)) continue;
    const value = data[relationship.name] as RelatedNodeInputValue | RelatedNodeInputValue[] | null;
    if (value === null) {
      if (!relationship.optional) throw validationError(relationship.name, `A value must be provided for ${relationship.name}`);
      resolved.set(relationship.name, null);
    } else if (Array.isArray(value)) {
      resolved.set(relationship.name, value.filter((v) => v !== null).map((v) => resolvePeer(ctx, relationship.peer, v)));
    } else {
      resolved.set(relationship.name, [resolvePeer(ctx, relationship.peer, value)]);
    }
  }
  return resolved;
}

/** Unique attributes and the kind's uniqueness constraints, over `record` as it would be after the write. */
function checkUniqueness(ctx: SimContext, kind: KindModel, record: NodeRecord, peers: Map<string, NodeRecord[] | null>): void {
  const valueOf = (r: NodeRecord, path: string): unknown => {
    if (r === record) {
      const [name, property] = path.split('__');
      if (property === undefined && peers.has(name)) return peers.get(name)?.[0]?.id;
      if (property === 'value' && path.split('__').length === 2) return r.attributes[name]?.value;
    }
    return pathValue(ctx.model, ctx.branch, r, path);
  };
  const others = ctx.branch.ofKinds([kind.kind]).filter((r) => r.id !== record.id);
  for (const attribute of kind.attributes.filter((a) => a.unique)) {
    const value = record.attributes[attribute.name]?.value;
    if (value === null || value === undefined) continue;
    if (others.some((r) => r.attributes[attribute.name]?.value === value)) throw new InfrahubError(`Violates uniqueness constraint '${attribute.name}'`, 422);
  }
  for (const constraint of kind.uniquenessConstraints ?? []) {
    const mine = JSON.stringify(constraint.map((path) => valueOf(record, path)));
    if (others.some((r) => JSON.stringify(constraint.map((path) => valueOf(r, path))) === mine)) {
      throw new InfrahubError(`Violates uniqueness constraint '${constraint.map((p) => p.split('__')[0]).join('-')}'`, 422);
    }
  }
}

function applyRelationships(ctx: SimContext, kind: KindModel, record: NodeRecord, peers: Map<string, NodeRecord[] | null>): void {
  for (const [name, list] of peers) {
    const relationship = kind.relationships.find((r) => r.name === name)!;
    ctx.branch.clear(ctx.model, record, relationship);
    for (const peer of list ?? []) ctx.branch.link(ctx.model, record, relationship, peer.id);
  }
}

function create(ctx: SimContext, kind: KindModel, data: MutationData): NodeRecord {
  if (data.id && ctx.branch.get(data.id)) throw new InfrahubError(`An object already exists with the id ${data.id}`, 422);
  const values: Record<string, unknown> = {};
  for (const attribute of kind.attributes) {
    const input = data[attribute.name] as { value?: unknown } | null | undefined;
    if (input && 'value' in input) values[attribute.name] = input.value;
  }
  const record = newRecord(ctx.model, kind.kind, data.id ?? newId(), values, ctx.now);
  const peers = resolveRelationships(ctx, kind, data);
  for (const relationship of kind.relationships) {
    if (!relationship.optional && !peers.get(relationship.name)?.length) throw validationError(relationship.name, `A value must be provided for ${relationship.name}`);
  }
  checkUniqueness(ctx, kind, record, peers);
  ctx.branch.add(record);
  applyRelationships(ctx, kind, record, peers);
  shareCreated(ctx, record);
  return record;
}

function update(ctx: SimContext, kind: KindModel, record: NodeRecord, data: MutationData): NodeRecord {
  const staged = { ...record, attributes: { ...record.attributes } };
  const written: string[] = [];
  for (const attribute of kind.attributes) {
    const input = data[attribute.name] as { value?: unknown; is_default?: boolean | null } | null | undefined;
    if (!input) continue;
    if (input.is_default === true && !('value' in input)) {
      staged.attributes[attribute.name] = { value: checkAttributeValue(attribute, undefined), isDefault: attribute.defaultValue !== undefined, updatedAt: ctx.now };
      written.push(attribute.name);
    } else if ('value' in input) {
      if (attribute.readOnly) throw validationError(attribute.name, `${attribute.name} is read-only`);
      staged.attributes[attribute.name] = { value: checkAttributeValue(attribute, input.value), isDefault: false, updatedAt: ctx.now };
      written.push(attribute.name);
    }
  }
  const peers = resolveRelationships(ctx, kind, data);
  checkUniqueness(ctx, kind, staged, peers);
  ctx.branch.remember(record.id);
  record.attributes = staged.attributes;
  record.updatedAt = ctx.now;
  applyRelationships(ctx, kind, record, peers);
  shareUpdated(ctx, record, { attributes: written, relationships: [...peers.keys()] });
  return record;
}

/** The object and, depth first, every object its cascading relationships (components) hold. */
function deleteCascading(ctx: SimContext, record: NodeRecord, seen = new Set<string>()): void {
  if (seen.has(record.id)) return;
  seen.add(record.id);
  for (const relationship of ctx.model.get(record.kind).relationships) {
    if (relationship.onDelete !== 'cascade') continue;
    for (const peerId of [...(record.relationships[relationship.name] ?? [])]) {
      const peer = ctx.branch.get(peerId);
      if (peer) deleteCascading(ctx, peer, seen);
    }
  }
  ctx.branch.delete(ctx.model, record);
  shareDeleted(ctx, record);
}

export function mutationFields(model: SchemaModel, types: NodeTypes): GraphQLFieldConfigMap<unknown, SimContext> {
  const fields: GraphQLFieldConfigMap<unknown, SimContext> = {};
  for (const kind of model.nodeKinds()) {
    const object = types.objectType(kind.kind);
    const payload = (verb: string) =>
      new GraphQLObjectType({ name: `${kind.kind}${verb}`, fields: { ok: { type: GraphQLBoolean }, object: { type: object } } });
    const input = (verb: string, mode: 'create' | 'update' | 'upsert') =>
      new GraphQLNonNull(new GraphQLInputObjectType({ name: `${kind.kind}${verb}Input`, fields: () => inputFields(kind, mode) }));
    const common = { context: { type: ContextInput } };

    fields[`${kind.kind}Create`] = {
      type: payload('Create'),
      args: { ...common, data: { type: input('Create', 'create') } },
      resolve: (_root, args: { data: MutationData }, ctx) => ({ ok: true, object: create(ctx, kind, args.data) }),
    };
    fields[`${kind.kind}Update`] = {
      type: payload('Update'),
      args: { ...common, data: { type: input('Update', 'update') } },
      resolve: (_root, args: { data: MutationData }, ctx) => {
        const record = findTarget(ctx, kind, args.data);
        if (!record) throw nodeNotFound(args.data.id ?? JSON.stringify(args.data.hfid ?? null), kind.kind);
        return { ok: true, object: update(ctx, kind, record, args.data) };
      },
    };
    fields[`${kind.kind}Upsert`] = {
      type: payload('Upsert'),
      args: { ...common, data: { type: input('Upsert', 'upsert') } },
      resolve: (_root, args: { data: MutationData }, ctx) => {
        const record = findTarget(ctx, kind, args.data);
        return { ok: true, object: record ? update(ctx, kind, record, args.data) : create(ctx, kind, args.data) };
      },
    };
    fields[`${kind.kind}Delete`] = {
      type: new GraphQLObjectType({ name: `${kind.kind}Delete`, fields: { ok: { type: GraphQLBoolean } } }),
      args: { ...common, data: { type: new GraphQLNonNull(DeleteInput) } },
      resolve: (_root, args: { data: MutationData }, ctx) => {
        const record = findTarget(ctx, kind, args.data);
        if (!record) throw nodeNotFound(args.data.id ?? JSON.stringify(args.data.hfid ?? null), kind.kind);
        deleteCascading(ctx, record);
        return { ok: true };
      },
    };
  }
  return fields;
}
