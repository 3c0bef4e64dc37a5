import { createHash } from 'node:crypto';
import { stableId } from '../data/ids';
import type { AttributeModel, KindModel, RelationshipModel, SchemaModel } from './schema-model';

/**
 * The schema as `GET /api/schema?branch=…` returns it (the SDK's
 * SchemaRootAPI: `main` hash, `nodes`, `generics`, `profiles`, `templates`),
 * which the Python SDK fetches before `client.all()` or `client.get()`.
 */

function attributeJson(kind: string, a: AttributeModel) {
  return {
    id: stableId('schema-attribute', kind, a.name),
    name: a.name,
    kind: a.kind,
    label: a.label,
    description: a.description ?? null,
    optional: a.optional,
    unique: a.unique,
    read_only: a.readOnly,
    default_value: a.defaultValue ?? null,
    choices: a.choices ?? null,
    enum: null,
    regex: a.regex ?? null,
    min_length: a.minLength ?? null,
    max_length: a.maxLength ?? null,
    inherited: a.inherited,
    order_weight: a.orderWeight ?? null,
    branch: a.branch,
    state: 'present',
    allow_override: 'any',
    parameters: a.regex ? { regex: a.regex } : null,
    deprecation: null,
    display: 'default',
  };
}

function relationshipJson(kind: string, r: RelationshipModel) {
  return {
    id: stableId('schema-relationship', kind, r.name),
    name: r.name,
    peer: r.peer,
    kind: r.kind,
    label: r.label,
    description: r.description ?? null,
    identifier: r.identifier,
    cardinality: r.cardinality,
    min_count: r.optional ? 0 : 1,
    max_count: r.cardinality === 'one' ? 1 : 0,
    optional: r.optional,
    inherited: r.inherited,
    order_weight: r.orderWeight ?? null,
    branch: r.branch,
    direction: 'bidirectional',
    hierarchical: null,
    state: 'present',
    on_delete: r.onDelete,
    allow_override: 'any',
    read_only: false,
    deprecation: null,
    display: 'default',
  };
}

function kindJson(k: KindModel) {
  const common = {
    id: stableId('schema', k.kind),
    name: k.name,
    namespace: k.namespace,
    kind: k.kind,
    description: k.description ?? null,
    label: k.label,
    branch: k.branch,
    default_filter: k.defaultFilter ?? null,
    human_friendly_id: k.humanFriendlyId ?? null,
    display_label: k.displayLabel ?? null,
    include_in_menu: k.includeInMenu ?? null,
    menu_placement: k.menuPlacement ?? null,
    icon: k.icon ?? null,
    order_by: k.orderBy ?? null,
    uniqueness_constraints: k.uniquenessConstraints ?? null,
    documentation: null,
    state: 'present',
    attributes: k.attributes.map((a) => attributeJson(k.kind, a)),
    relationships: k.relationships.map((r) => relationshipJson(k.kind, r)),
  };
  const specific = k.isGeneric
    ? { hierarchical: false, generate_profile: false, used_by: k.usedBy, restricted_namespaces: null }
    : { inherit_from: k.inheritFrom, generate_profile: false, generate_template: false, hierarchy: null, parent: null, children: null };
  const json = { ...common, ...specific };
  return { ...json, hash: createHash('md5').update(JSON.stringify(json)).digest('hex') };
}

export function schemaApiResponse(model: SchemaModel, namespaces?: string[]) {
  const wanted = (k: KindModel) => !namespaces?.length || namespaces.includes(k.namespace);
  return {
    main: model.hash,
    nodes: model.nodeKinds().filter(wanted).map(kindJson),
    generics: model.genericKinds().filter(wanted).map(kindJson),
    profiles: [],
    templates: [],
  };
}

export function kindApiResponse(model: SchemaModel, kind: string) {
  const k = model.kinds.get(kind);
  return k ? kindJson(k) : undefined;
}
