/**
 * What device-config needs to know about SR Linux's native YANG (release
 * 25.3 naming) to render and compare configs: module names for JSON_IETF,
 * the keys of every list in the managed subtrees, which leaves are
 * identityrefs (their values carry a module prefix), which are integers
 * (RFC 7951 writes 64-bit ones as strings, and some encoders do so for all),
 * and which leaf-lists are `ordered-by user` (order is meaning).
 *
 * Anything not described here is compared generically (see canonical.ts).
 */

export const SRL_MODULES = {
  interfaces: 'srl_nokia-interfaces',
  networkInstance: 'srl_nokia-network-instance',
  bgp: 'srl_nokia-bgp',
  routingPolicy: 'srl_nokia-routing-policy',
  common: 'srl_nokia-common',
} as const;

export interface SchemaNode {
  /** Key leaves, in YANG order, when the node is a keyed list. */
  readonly keys?: readonly string[];
  readonly children?: Readonly<Record<string, SchemaNode>>;
  /** identityref: JSON_IETF writes `module:identity`. */
  readonly identity?: true;
  /** Integer leaf; canonical form is a JSON number when it is a safe integer. */
  readonly integer?: true;
  /** `ordered-by user` leaf-list or list: the order is part of the config. */
  readonly orderedByUser?: true;
  /**
   * A list whose entries Synapse owns whole when it renders them (a policy
   * or prefix set the intent defines): deployed by replace, every leaf in
   * it compared, nothing in it anyone else's.
   */
  readonly ownedWhole?: true;
}

const leaf: SchemaNode = {};
const integer: SchemaNode = { integer: true };
const identity: SchemaNode = { identity: true };
// BGP import/export policies form a chain evaluated in the configured order:
// reordering them changes routing, so it must show as a difference.
const policyChain: SchemaNode = { orderedByUser: true };

const afiSafi: SchemaNode = {
  keys: ['afi-safi-name'],
  children: { 'afi-safi-name': identity, 'admin-state': leaf },
};

const bgp: SchemaNode = {
  children: {
    'autonomous-system': integer,
    'router-id': leaf,
    'admin-state': leaf,
    'afi-safi': afiSafi,
    group: {
      keys: ['group-name'],
      children: {
        'group-name': leaf,
        'admin-state': leaf,
        description: leaf,
        'peer-as': integer,
        'export-policy': policyChain,
        'import-policy': policyChain,
        'afi-safi': afiSafi,
      },
    },
    neighbor: {
      keys: ['peer-address'],
      children: {
        'peer-address': leaf,
        'peer-as': integer,
        'peer-group': leaf,
        'admin-state': leaf,
        description: leaf,
        'export-policy': policyChain,
        'import-policy': policyChain,
        'afi-safi': afiSafi,
      },
    },
  },
};

export const SRL_SCHEMA: SchemaNode = {
  children: {
    interface: {
      keys: ['name'],
      children: {
        name: leaf,
        description: leaf,
        'admin-state': leaf,
        mtu: integer,
        subinterface: {
          keys: ['index'],
          children: {
            index: integer,
            description: leaf,
            'admin-state': leaf,
            // routed | bridged | local-mirror-dest: identities SR Linux returns qualified.
            type: identity,
            ipv4: {
              children: {
                'admin-state': leaf,
                address: { keys: ['ip-prefix'], children: { 'ip-prefix': leaf } },
              },
            },
          },
        },
      },
    },
    'network-instance': {
      keys: ['name'],
      children: {
        name: leaf,
        type: identity,
        'admin-state': leaf,
        description: leaf,
        interface: { keys: ['name'], children: { name: leaf } },
        protocols: { children: { bgp } },
      },
    },
    // Only what a comparison must see through: the gRPC server's services are identities too.
    system: { children: { 'grpc-server': { keys: ['name'], children: { name: leaf, services: identity } } } },
    'routing-policy': {
      children: {
        'prefix-set': {
          keys: ['name'],
          ownedWhole: true,
          children: {
            name: leaf,
            prefix: { keys: ['ip-prefix', 'mask-length-range'], children: { 'ip-prefix': leaf, 'mask-length-range': leaf } },
          },
        },
        policy: {
          keys: ['name'],
          ownedWhole: true,
          children: {
            name: leaf,
            'default-action': { children: { 'policy-result': leaf } },
            // Evaluated in the configured order: reordering changes what the policy does.
            statement: {
              keys: ['name'],
              orderedByUser: true,
              children: {
                name: leaf,
                match: { children: { prefix: { children: { 'prefix-set': leaf } }, protocol: identity } },
                action: { children: { 'policy-result': leaf } },
              },
            },
          },
        },
      },
    },
  },
};

export function schemaChild(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
  return node?.children?.[name];
}
