/**
 * A small YANG-like schema: containers, keyed lists, typed leaves and
 * leaf-lists, plus `anydata` for subtrees the simulator stores without
 * modelling. One schema instance is shared by every simulated device; it
 * drives path resolution, value validation, module prefixes (JSON_IETF) and
 * the config/state split of Get.
 */

export type LeafType =
  | { kind: 'string'; minLength?: number; maxLength?: number; pattern?: RegExp; patternHint?: string }
  | { kind: 'uint'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'identity'; module: string; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'ipv4-address' }
  | { kind: 'ip-address' }
  /** An interface address: host part allowed (`10.0.0.1/31`). */
  | { kind: 'ipv4-interface-prefix' }
  /** A route prefix: host bits must be zero (`10.0.0.0/24`, `2001:db8::/32`). */
  | { kind: 'ip-prefix' }
  | { kind: 'mask-length-range' }
  | { kind: 'interface-name' }
  | { kind: 'subinterface-name' }
  /** An interface address with its prefix length, host part allowed (`2001:db8::1/127`). */
  | { kind: 'ipv6-interface-prefix' }
  /** IPv4, or IPv6 optionally followed by `%<subinterface>` (a link-local peer's zone). */
  | { kind: 'ip-address-with-zone' }
  /** YANG `empty`: present or not; RFC 7951 writes it `[null]`. */
  | { kind: 'empty' }
  | { kind: 'union'; types: readonly LeafType[]; hint: string }
  /**
   * A leaf known to exist whose type the simulator does not check: any
   * scalar, kept exactly as given (an identity keeps the prefix it came with).
   */
  | { kind: 'any' };

interface NodeBase {
  name: string;
  /** YANG module that defines the node; JSON_IETF qualifies a name where it differs from the parent's. */
  module: string;
  /** false for `config false` (state) nodes; inherited downwards. */
  config: boolean;
}

export interface ContainerNode extends NodeBase {
  kind: 'container';
  children: Map<string, SchemaNode>;
  /** Members not in `children` are accepted as anydata defined by this module. */
  openChildrenModule?: string;
  /** A YANG presence container: meaningful when empty, so kept (and answered as `{}`). */
  presence: boolean;
}

export interface ListNode extends NodeBase {
  kind: 'list';
  keys: string[];
  children: Map<string, SchemaNode>;
  maxElements?: number;
  /** Members not in `children` are accepted as anydata defined by this module. */
  openChildrenModule?: string;
}

export interface LeafNode extends NodeBase {
  kind: 'leaf';
  type: LeafType;
  mandatory: boolean;
}

export interface LeafListNode extends NodeBase {
  kind: 'leaf-list';
  type: LeafType;
  maxElements?: number;
}

/**
 * Arbitrary JSON kept exactly as the client sent it, module prefixes inside
 * included, so a JSON_IETF Get returns it unchanged.
 */
export interface AnydataNode extends NodeBase {
  kind: 'anydata';
  /** Synthesised for an open parent's unknown member: its real module is not known. */
  open?: boolean;
}

export type SchemaNode = ContainerNode | ListNode | LeafNode | LeafListNode | AnydataNode;
export type InnerNode = ContainerNode | ListNode;

// Builder: nodes are declared without module/config and receive them from
// their parent when the tree is assembled, so only module boundaries and
// state nodes need saying.
interface Decl {
  module?: string;
  state?: boolean;
}
type ContainerDecl = Decl & { openChildrenModule?: string; presence?: boolean };
type ListDecl = Decl & { openChildrenModule?: string; maxElements?: number };
type LeafListDecl = Decl & { maxElements?: number };
export type Draft =
  | (ContainerDecl & { kind: 'container'; name: string; children: Draft[] })
  | (ListDecl & { kind: 'list'; name: string; keys: string[]; children: Draft[] })
  | (Decl & { kind: 'leaf'; name: string; type: LeafType; mandatory?: boolean })
  | (LeafListDecl & { kind: 'leaf-list'; name: string; type: LeafType })
  | (Decl & { kind: 'anydata'; name: string });

export const container = (name: string, children: Draft[], decl: ContainerDecl = {}): Draft => ({
  kind: 'container',
  name,
  children,
  ...decl,
});
export const list = (name: string, keys: string[], children: Draft[], decl: ListDecl = {}): Draft => ({ kind: 'list', name, keys, children, ...decl });
export const leaf = (name: string, type: LeafType, decl: Decl & { mandatory?: boolean } = {}): Draft => ({ kind: 'leaf', name, type, ...decl });
export const leafList = (name: string, type: LeafType, decl: LeafListDecl = {}): Draft => ({ kind: 'leaf-list', name, type, ...decl });
export const anydata = (name: string, decl: Decl = {}): Draft => ({ kind: 'anydata', name, ...decl });

function build(draft: Draft, parentModule: string, parentConfig: boolean): SchemaNode {
  const module = draft.module ?? parentModule;
  const config = parentConfig && !draft.state;
  switch (draft.kind) {
    case 'container':
    case 'list': {
      const children = new Map<string, SchemaNode>();
      for (const child of draft.children) children.set(child.name, build(child, module, config));
      if (draft.kind === 'list') {
        for (const key of draft.keys) {
          if (children.get(key)?.kind !== 'leaf') throw new Error(`schema: key ${key} of ${draft.name} is not a leaf`);
        }
        return { kind: 'list', name: draft.name, module, config, keys: draft.keys, children, maxElements: draft.maxElements, openChildrenModule: draft.openChildrenModule };
      }
      return { kind: 'container', name: draft.name, module, config, children, openChildrenModule: draft.openChildrenModule, presence: draft.presence ?? false };
    }
    case 'leaf':
      return { kind: 'leaf', name: draft.name, module, config, type: draft.type, mandatory: draft.mandatory ?? false };
    case 'leaf-list':
      return { kind: 'leaf-list', name: draft.name, module, config, type: draft.type, maxElements: draft.maxElements };
    case 'anydata':
      return { kind: 'anydata', name: draft.name, module, config };
  }
}

/** The root is a nameless container with no module, so every top-level member is qualified. */
export function buildSchema(topLevel: Draft[]): ContainerNode {
  const root = build(container('', topLevel), '', true);
  return root as ContainerNode;
}

/** Child lookup by unqualified name, including open (anydata) members. */
export function childNode(parent: SchemaNode, name: string): SchemaNode | undefined {
  if (parent.kind !== 'container' && parent.kind !== 'list') return undefined;
  const known = parent.children.get(name);
  if (known) return known;
  if (parent.openChildrenModule) {
    return { kind: 'anydata', name, module: parent.openChildrenModule, config: parent.config, open: true };
  }
  return undefined;
}

/** Every module the schema names, for Capabilities. */
export function schemaModules(node: SchemaNode, into = new Set<string>()): Set<string> {
  if (node.module) into.add(node.module);
  if (node.kind === 'container' || node.kind === 'list') {
    if (node.openChildrenModule) into.add(node.openChildrenModule);
    for (const child of node.children.values()) schemaModules(child, into);
  }
  if ((node.kind === 'leaf' || node.kind === 'leaf-list') && node.type.kind === 'identity') into.add(node.type.module);
  return into;
}

/** The stored member of `object` whose unqualified name is `name` (anydata keeps prefixes as given). */
export function memberKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return name;
  return Object.keys(object).find((key) => splitQualifiedName(key).name === name);
}

export function isInner(node: SchemaNode): node is InnerNode {
  return node.kind === 'container' || node.kind === 'list';
}

const MODULE_PREFIX = /^([A-Za-z_][A-Za-z0-9_.-]*):(.+)$/;

/** Splits `module:name` into its parts; a bare name has no module. */
export function splitQualifiedName(qualified: string): { module?: string; name: string } {
  const match = MODULE_PREFIX.exec(qualified);
  return match ? { module: match[1], name: match[2] } : { name: qualified };
}
