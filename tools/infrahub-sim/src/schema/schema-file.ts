import { z } from 'zod';

/**
 * The format of an Infrahub schema file (`infrahubctl schema load`), written
 * from Infrahub's schema reference (node, generic, node extension, attribute,
 * relationship pages) and the SDK's generated write models. Stricter than the
 * server in one way on purpose: unknown keys are refused, so a typo such as
 * `optinal: true` fails here instead of being silently ignored.
 */

export const ATTRIBUTE_KINDS = [
  'ID', 'Dropdown', 'Text', 'TextArea', 'DateTime', 'Email', 'Password', 'HashedPassword', 'URL', 'File',
  'MacAddress', 'Color', 'Number', 'NumberPool', 'Bandwidth', 'IPHost', 'IPNetwork', 'IPAddress', 'Boolean',
  'Checkbox', 'List', 'JSON', 'Any',
] as const;
export const AttributeKind = z.enum(ATTRIBUTE_KINDS);
export type AttributeKind = z.infer<typeof AttributeKind>;

export const RelationshipKind = z.enum(['Generic', 'Attribute', 'Component', 'Parent', 'Group', 'Hierarchy', 'Profile', 'Template']);
export type RelationshipKind = z.infer<typeof RelationshipKind>;

export const BranchSupport = z.enum(['aware', 'agnostic', 'local']);
export type BranchSupport = z.infer<typeof BranchSupport>;
const SchemaState = z.enum(['present', 'absent']);
const AllowOverride = z.enum(['none', 'any']);
const Display = z.enum(['default', 'extra']);

/** Names Infrahub reserves for its own use on nodes (core/constants RESERVED_ATTR_REL_NAMES). */
export const RESERVED_FIELD_NAMES = ['any', 'attribute', 'attributes', 'attr', 'attrs', 'relationship', 'relationships', 'rel', 'rels', 'save', 'hfid', 'node_metadata'];

const FieldName = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and "_"')
  .refine((name) => !RESERVED_FIELD_NAMES.includes(name), { message: 'is a name Infrahub reserves' });

/** `DcimDevice`, `SynapseChangeRecord`: namespace + name. */
export const KindName = z.string().min(2).max(96).regex(/^[A-Z][a-zA-Z0-9]+$/, 'a kind in CamelCase, like DcimDevice');

export const DropdownChoice = z
  .object({
    name: z.string().min(1),
    label: z.string().max(64).optional(),
    description: z.string().max(128).optional(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'an HTML colour like #00d25b').optional(),
  })
  .strict();
export type DropdownChoice = z.infer<typeof DropdownChoice>;

export const AttributeSchema = z
  .object({
    name: FieldName,
    kind: AttributeKind,
    label: z.string().max(64).optional(),
    description: z.string().max(128).optional(),
    optional: z.boolean().default(false),
    unique: z.boolean().default(false),
    read_only: z.boolean().default(false),
    default_value: z.unknown().optional(),
    choices: z.array(DropdownChoice).optional(),
    enum: z.array(z.unknown()).optional(),
    regex: z.string().optional(),
    min_length: z.number().int().nonnegative().optional(),
    max_length: z.number().int().positive().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    computed_attribute: z.record(z.string(), z.unknown()).optional(),
    order_weight: z.number().int().optional(),
    branch: BranchSupport.optional(),
    state: SchemaState.optional(),
    allow_override: AllowOverride.optional(),
    deprecation: z.string().max(128).optional(),
    display: Display.optional(),
    ordered: z.boolean().optional(),
  })
  .strict()
  .superRefine((attribute, ctx) => {
    if (attribute.kind === 'Dropdown') {
      const names = (attribute.choices ?? []).map((c) => c.name);
      if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a Dropdown needs at least one choice' });
      if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choice names must be unique' });
      if (attribute.default_value !== undefined && !names.includes(String(attribute.default_value))) {
        ctx.addIssue({ code: 'custom', path: ['default_value'], message: `default "${String(attribute.default_value)}" is not one of the choices` });
      }
    } else if (attribute.choices) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: `choices only apply to Dropdown attributes, not ${attribute.kind}` });
    }
    if (attribute.regex !== undefined) {
      try {
        new RegExp(attribute.regex);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: 'not a valid regular expression' });
      }
    }
  });
export type AttributeSchema = z.infer<typeof AttributeSchema>;

export const RelationshipSchema = z
  .object({
    name: FieldName,
    peer: KindName,
    kind: RelationshipKind.default('Generic'),
    label: z.string().max(64).optional(),
    description: z.string().max(128).optional(),
    identifier: z.string().max(128).regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and "_"').optional(),
    cardinality: z.enum(['one', 'many']).default('many'),
    min_count: z.number().int().nonnegative().optional(),
    max_count: z.number().int().nonnegative().optional(),
    optional: z.boolean().default(true),
    order_weight: z.number().int().optional(),
    branch: BranchSupport.optional(),
    direction: z.enum(['bidirectional', 'outbound', 'inbound']).optional(),
    hierarchical: z.string().optional(),
    state: SchemaState.optional(),
    on_delete: z.enum(['no-action', 'cascade']).optional(),
    allow_override: AllowOverride.optional(),
    read_only: z.boolean().optional(),
    deprecation: z.string().max(128).optional(),
    display: Display.optional(),
    common_parent: z.string().optional(),
    common_relatives: z.array(z.string()).optional(),
  })
  .strict();
export type RelationshipSchema = z.infer<typeof RelationshipSchema>;

const nodeCommon = {
  name: z.string().min(2).max(32).regex(/^[A-Z][a-zA-Z0-9]+$/, 'CamelCase, starting upper-case'),
  namespace: z.string().min(3).max(64).regex(/^[A-Z][a-z0-9]+$/, 'one capitalised word, like Synapse'),
  description: z.string().max(128).optional(),
  label: z.string().max(64).optional(),
  branch: BranchSupport.optional(),
  default_filter: z.string().regex(/^[a-z0-9_]*$/).optional(),
  human_friendly_id: z.array(z.string().min(1)).optional(),
  display_label: z.string().optional(),
  display_labels: z.array(z.string()).optional(),
  include_in_menu: z.boolean().optional(),
  menu_placement: z.string().optional(),
  icon: z.string().optional(),
  order_by: z.array(z.string()).optional(),
  uniqueness_constraints: z.array(z.array(z.string().min(1)).min(1)).optional(),
  documentation: z.string().optional(),
  state: SchemaState.optional(),
  attributes: z.array(AttributeSchema).default([]),
  relationships: z.array(RelationshipSchema).default([]),
};

/** Namespaces Infrahub keeps for itself (core/constants RESTRICTED_NAMESPACES). */
export const RESTRICTED_NAMESPACES = ['Account', 'Branch', 'Builtin', 'Core', 'Deprecated', 'Diff', 'Infrahub', 'Internal', 'Lineage', 'Schema', 'Profile', 'Template'];

export const NodeSchema = z
  .object({
    ...nodeCommon,
    inherit_from: z.array(KindName).default([]),
    generate_profile: z.boolean().optional(),
    generate_template: z.boolean().optional(),
    hierarchy: z.string().optional(),
    parent: z.string().optional(),
    children: z.string().optional(),
  })
  .strict();
export type NodeSchema = z.infer<typeof NodeSchema>;

export const GenericSchema = z
  .object({
    ...nodeCommon,
    hierarchical: z.boolean().optional(),
    generate_profile: z.boolean().optional(),
    restricted_namespaces: z.array(z.string()).optional(),
  })
  .strict();
export type GenericSchema = z.infer<typeof GenericSchema>;

export const NodeExtension = z
  .object({
    kind: z.string().min(2).max(32).regex(/^[A-Z][a-zA-Z0-9]+$/, 'an existing kind in CamelCase'),
    attributes: z.array(AttributeSchema).default([]),
    relationships: z.array(RelationshipSchema).default([]),
  })
  .strict();
export type NodeExtension = z.infer<typeof NodeExtension>;

export const SchemaFile = z
  .object({
    version: z.literal('1.0'),
    generics: z.array(GenericSchema).default([]),
    nodes: z.array(NodeSchema).default([]),
    extensions: z.object({ nodes: z.array(NodeExtension).default([]) }).strict().optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const kinds = new Set<string>();
    for (const [list, items] of [['generics', file.generics], ['nodes', file.nodes]] as const) {
      items.forEach((item, i) => {
        const kind = `${item.namespace}${item.name}`;
        if (kinds.has(kind)) ctx.addIssue({ code: 'custom', path: [list, i, 'name'], message: `${kind} is defined twice` });
        kinds.add(kind);
        if (RESTRICTED_NAMESPACES.includes(item.namespace)) ctx.addIssue({ code: 'custom', path: [list, i, 'namespace'], message: `namespace ${item.namespace} is reserved by Infrahub` });
        const fields = [...item.attributes.map((a) => a.name), ...item.relationships.map((r) => r.name)];
        const duplicate = fields.find((name, j) => fields.indexOf(name) !== j);
        if (duplicate) ctx.addIssue({ code: 'custom', path: [list, i], message: `field "${duplicate}" is defined twice` });
      });
    }
  });
export type SchemaFile = z.infer<typeof SchemaFile>;
export type SchemaFileInput = z.input<typeof SchemaFile>;
