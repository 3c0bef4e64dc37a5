import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
} from 'graphql';
import { displayLabel, humanFriendlyId } from '../data/paths';
import { listObjects, type ListArgs } from '../data/query';
import type { NodeRecord } from '../data/store';
import type { KindModel, RelationshipModel, SchemaModel } from '../schema/schema-model';
import { attributeView, filterScalar, LineageOwner, LineageSource, outputType } from './attribute-types';
import type { SimContext } from './context';

/**
 * GraphQL types of the schema's kinds, named as Infrahub names them: a node
 * kind is an object type, a generic an interface its nodes implement;
 * `Paginated<Kind>`/`Edged<Kind>` wrap top-level results, and
 * `NestedPaginated<Kind>`/`NestedEdged<Kind>` wrap relationship peers.
 */

interface RelationshipProperties {
  is_protected: boolean;
  updated_at: string;
  source: null;
  owner: null;
}

interface NestedEdge {
  node: NodeRecord;
  properties: RelationshipProperties;
}

const RelationshipProperty = new GraphQLObjectType({
  name: 'RelationshipProperty',
  fields: {
    is_protected: { type: GraphQLBoolean },
    updated_at: { type: GraphQLString },
    source: { type: LineageSource },
    owner: { type: LineageOwner },
  },
});

const OrderInput = new GraphQLInputObjectType({
  name: 'OrderInput',
  fields: { disable: { type: GraphQLBoolean } },
});

function edge(node: NodeRecord): NestedEdge {
  return { node, properties: { is_protected: false, updated_at: node.updatedAt, source: null, owner: null } };
}

export class NodeTypes {
  private readonly types = new Map<string, GraphQLObjectType | GraphQLInterfaceType>();
  private readonly paginatedTypes = new Map<string, GraphQLObjectType>();
  private readonly nestedPaginatedTypes = new Map<string, GraphQLObjectType>();
  private readonly nestedEdgedTypes = new Map<string, GraphQLObjectType>();

  constructor(private readonly model: SchemaModel) {
    for (const kind of model.genericKinds()) {
      this.types.set(
        kind.kind,
        new GraphQLInterfaceType({
          name: kind.kind,
          description: kind.description,
          fields: () => this.fields(kind),
          resolveType: (record: NodeRecord) => record.kind,
        }),
      );
    }
    for (const kind of model.nodeKinds()) {
      this.types.set(
        kind.kind,
        new GraphQLObjectType<NodeRecord, SimContext>({
          name: kind.kind,
          description: kind.description,
          interfaces: () => kind.inheritFrom.map((generic) => this.types.get(generic) as GraphQLInterfaceType),
          fields: () => this.fields(kind),
          isTypeOf: (record: NodeRecord) => record.kind === kind.kind,
        }),
      );
    }
  }

  type(kind: string): GraphQLObjectType | GraphQLInterfaceType {
    const type = this.types.get(kind);
    if (!type) throw new RangeError(`no GraphQL type for ${kind}`);
    return type;
  }

  objectType(kind: string): GraphQLObjectType {
    return this.type(kind) as GraphQLObjectType;
  }

  /** `<field>__value`, `<field>__values`, `<rel>__<peer field>__value`, … as Infrahub offers them. */
  filterArgs(kind: KindModel): GraphQLFieldConfigArgumentMap {
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const attribute of kind.attributes) {
      const scalar = filterScalar(attribute);
      args[`${attribute.name}__value`] = { type: scalar };
      args[`${attribute.name}__values`] = { type: new GraphQLList(scalar) };
      args[`${attribute.name}__isnull`] = { type: GraphQLBoolean };
    }
    for (const relationship of kind.relationships) {
      args[`${relationship.name}__ids`] = { type: new GraphQLList(GraphQLID) };
      args[`${relationship.name}__isnull`] = { type: GraphQLBoolean };
      for (const attribute of this.model.get(relationship.peer).attributes) {
        const scalar = filterScalar(attribute);
        args[`${relationship.name}__${attribute.name}__value`] = { type: scalar };
        args[`${relationship.name}__${attribute.name}__values`] = { type: new GraphQLList(scalar) };
      }
    }
    return args;
  }

  listArgs(kind: KindModel): GraphQLFieldConfigArgumentMap {
    return {
      offset: { type: GraphQLInt },
      limit: { type: GraphQLInt },
      ids: { type: new GraphQLList(GraphQLID) },
      hfid: { type: new GraphQLList(GraphQLString) },
      partial_match: { type: GraphQLBoolean },
      order: { type: OrderInput },
      ...this.filterArgs(kind),
    };
  }

  private fields(kind: KindModel): GraphQLFieldConfigMap<NodeRecord, SimContext> {
    const fields: GraphQLFieldConfigMap<NodeRecord, SimContext> = {
      id: { type: new GraphQLNonNull(GraphQLString) },
      hfid: { type: new GraphQLList(GraphQLString), resolve: (record, _args, ctx) => humanFriendlyId(ctx.model, ctx.branch, record) },
      display_label: { type: GraphQLString, resolve: (record, _args, ctx) => displayLabel(ctx.model, ctx.branch, record) },
    };
    for (const attribute of kind.attributes) {
      fields[attribute.name] = { type: outputType(attribute), description: attribute.description, resolve: (record) => attributeView(record, attribute) };
    }
    for (const relationship of kind.relationships) fields[relationship.name] = this.relationshipField(relationship);
    return fields;
  }

  private relationshipField(relationship: RelationshipModel): GraphQLFieldConfigMap<NodeRecord, SimContext>[string] {
    const peerKind = this.model.get(relationship.peer);
    if (relationship.cardinality === 'one') {
      return {
        type: this.nestedEdged(peerKind.kind),
        description: relationship.description,
        resolve: (record, _args, ctx) => {
          const peerId = record.relationships[relationship.name]?.[0];
          const peer = peerId === undefined ? undefined : ctx.branch.get(peerId);
          return peer ? edge(peer) : null;
        },
      };
    }
    return {
      type: new GraphQLNonNull(this.nestedPaginated(peerKind.kind)),
      description: relationship.description,
      args: { offset: { type: GraphQLInt }, limit: { type: GraphQLInt }, ids: { type: new GraphQLList(GraphQLID) }, ...this.filterArgs(peerKind) },
      resolve: (record, args: ListArgs, ctx) => {
        const peers = (record.relationships[relationship.name] ?? []).map((id) => ctx.branch.get(id)).filter((p): p is NodeRecord => p !== undefined);
        const { count, records } = listObjects(ctx.model, ctx.branch, peerKind, peers, args);
        return { count, edges: records.map(edge) };
      },
    };
  }

  private nestedEdged(kind: string): GraphQLObjectType {
    let type = this.nestedEdgedTypes.get(kind);
    if (!type) {
      type = new GraphQLObjectType({
        name: `NestedEdged${kind}`,
        fields: () => ({ node: { type: this.type(kind) }, properties: { type: RelationshipProperty } }),
      });
      this.nestedEdgedTypes.set(kind, type);
    }
    return type;
  }

  private nestedPaginated(kind: string): GraphQLObjectType {
    let type = this.nestedPaginatedTypes.get(kind);
    if (!type) {
      type = new GraphQLObjectType({
        name: `NestedPaginated${kind}`,
        fields: () => ({
          count: { type: new GraphQLNonNull(GraphQLInt) },
          edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(this.nestedEdged(kind)))) },
        }),
      });
      this.nestedPaginatedTypes.set(kind, type);
    }
    return type;
  }

  private paginated(kind: string): GraphQLObjectType {
    let type = this.paginatedTypes.get(kind);
    if (!type) {
      const edged = new GraphQLObjectType({ name: `Edged${kind}`, fields: () => ({ node: { type: this.type(kind) } }) });
      type = new GraphQLObjectType({
        name: `Paginated${kind}`,
        fields: () => ({
          count: { type: new GraphQLNonNull(GraphQLInt) },
          edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edged))) },
        }),
      });
      this.paginatedTypes.set(kind, type);
    }
    return type;
  }

  /** `DcimDevice(name__value: …, offset: …, limit: …) { count edges { node { … } } }` for every kind. */
  queryFields(): GraphQLFieldConfigMap<unknown, SimContext> {
    const fields: GraphQLFieldConfigMap<unknown, SimContext> = {};
    for (const kind of this.model.kinds.values()) {
      fields[kind.kind] = {
        type: new GraphQLNonNull(this.paginated(kind.kind)),
        description: kind.description,
        args: this.listArgs(kind),
        resolve: (_root, args: ListArgs, ctx) => {
          const candidates = ctx.branch.ofKinds(ctx.model.concreteKinds(kind.kind));
          const { count, records } = listObjects(ctx.model, ctx.branch, kind, candidates, args);
          return { count, edges: records.map((node) => ({ node })) };
        },
      };
    }
    return fields;
  }
}
