import { GraphQLObjectType, GraphQLSchema } from 'graphql';
import type { SchemaModel } from '../schema/schema-model';
import { branchMutationFields, branchQueryFields } from './branch-types';
import type { SimContext } from './context';
import { mutationFields } from './mutations';
import { NodeTypes } from './node-types';

/** The executable GraphQL schema for the simulator's schema model; built once per simulator. */
export function buildGraphqlSchema(model: SchemaModel, deploymentId: string): GraphQLSchema {
  const types = new NodeTypes(model);
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, SimContext>({ name: 'Query', fields: () => ({ ...types.queryFields(), ...branchQueryFields(deploymentId) }) }),
    mutation: new GraphQLObjectType<unknown, SimContext>({ name: 'Mutation', fields: () => ({ ...mutationFields(model, types), ...branchMutationFields() }) }),
    // Every node type, also the ones only reachable through an interface.
    types: model.nodeKinds().map((kind) => types.objectType(kind.kind)),
  });
}
