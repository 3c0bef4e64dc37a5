import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
} from 'graphql';
import { newId } from '../data/ids';
import type { BranchCreateData } from '../data/sim-store';
import type { BranchInfo } from '../data/store';
import type { SimContext } from './context';

/** The version the simulator reports in InfrahubInfo; the SDK only displays it. */
export const SIMULATED_INFRAHUB_VERSION = '1.5.0';

const BranchStatus = new GraphQLEnumType({
  name: 'BranchStatus',
  values: Object.fromEntries(['OPEN', 'NEED_REBASE', 'NEED_UPGRADE_REBASE', 'DELETING', 'MERGING', 'MERGE_FAILED', 'MERGED'].map((v) => [v, { value: v }])),
});

const Branch = new GraphQLObjectType<BranchInfo>({
  name: 'Branch',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLString) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    description: { type: GraphQLString },
    origin_branch: { type: GraphQLString },
    branched_from: { type: GraphQLString },
    created_at: { type: GraphQLString },
    sync_with_git: { type: GraphQLBoolean },
    is_default: { type: GraphQLBoolean },
    is_isolated: { type: GraphQLBoolean },
    has_schema_changes: { type: GraphQLBoolean },
    graph_version: { type: GraphQLInt },
    status: { type: BranchStatus },
  },
});

const TaskInfo = new GraphQLObjectType({ name: 'TaskInfo', fields: { id: { type: GraphQLString } } });

const BranchCreateInput = new GraphQLInputObjectType({
  name: 'BranchCreateInput',
  fields: {
    id: { type: GraphQLString },
    name: { type: new GraphQLNonNull(GraphQLString) },
    description: { type: GraphQLString },
    origin_branch: { type: GraphQLString },
    branched_from: { type: GraphQLString },
    sync_with_git: { type: GraphQLBoolean },
    is_isolated: { type: GraphQLBoolean },
  },
});

const BranchNameInput = new GraphQLInputObjectType({ name: 'BranchNameInput', fields: { name: { type: GraphQLString } } });

const ContextArg = { context: { type: new GraphQLInputObjectType({ name: 'BranchContextInput', fields: { account: { type: GraphQLString } } }) } };

const InfrahubInfo = new GraphQLObjectType({
  name: 'InfrahubInfo',
  fields: { version: { type: GraphQLString }, deployment_id: { type: GraphQLString } },
});

export function branchQueryFields(deploymentId: string): GraphQLFieldConfigMap<unknown, SimContext> {
  return {
    Branch: {
      type: new GraphQLList(Branch),
      args: { ids: { type: new GraphQLList(GraphQLID) }, name: { type: GraphQLString } },
      resolve: (_root, args: { ids?: string[] | null; name?: string | null }, ctx) =>
        ctx.store.branches().filter((b) => (args.name == null || b.name === args.name) && (args.ids == null || args.ids.includes(b.id))),
    },
    InfrahubInfo: {
      type: InfrahubInfo,
      resolve: () => ({ version: SIMULATED_INFRAHUB_VERSION, deployment_id: deploymentId }),
    },
  };
}

export function branchMutationFields(): GraphQLFieldConfigMap<unknown, SimContext> {
  return {
    BranchCreate: {
      type: new GraphQLObjectType({ name: 'BranchCreate', fields: { ok: { type: GraphQLBoolean }, object: { type: Branch }, task: { type: TaskInfo } } }),
      args: {
        ...ContextArg,
        data: { type: new GraphQLNonNull(BranchCreateInput) },
        background_execution: { type: GraphQLBoolean },
        wait_until_completion: { type: GraphQLBoolean },
      },
      // The copy is made at once; a caller that asked not to wait still gets a task id, as from Infrahub.
      resolve: (_root, args: { data: BranchCreateData }, ctx) => ({ ok: true, object: { ...ctx.store.createBranch(args.data, ctx.now).info }, task: { id: newId() } }),
    },
    BranchDelete: {
      type: new GraphQLObjectType({ name: 'BranchDelete', fields: { ok: { type: GraphQLBoolean }, task: { type: TaskInfo } } }),
      args: { ...ContextArg, data: { type: new GraphQLNonNull(BranchNameInput) }, wait_until_completion: { type: GraphQLBoolean } },
      resolve: (_root, args: { data: { name?: string | null } }, ctx) => {
        ctx.store.deleteBranch(args.data.name ?? '');
        return { ok: true, task: { id: newId() } };
      },
    },
  };
}
