import { createHash } from 'node:crypto';
import type { AttributeKind, BranchSupport, DropdownChoice, RelationshipKind, SchemaFile } from './schema-file';

/**
 * The schema the simulator serves, resolved the way Infrahub resolves loaded
 * schema files: extensions applied to their kinds, generics' attributes and
 * relationships copied into the nodes that inherit them, identifiers filled
 * in so both ends of a relationship can find each other, branch support
 * settled for every attribute and relationship.
 */

export interface AttributeModel {
  name: string;
  kind: AttributeKind;
  label: string;
  description?: string;
  optional: boolean;
  unique: boolean;
  readOnly: boolean;
  defaultValue?: unknown;
  choices?: DropdownChoice[];
  regex?: string;
  minLength?: number;
  maxLength?: number;
  orderWeight?: number;
  inherited: boolean;
  /** What the schema file says, if anything. */
  declaredBranch?: BranchSupport;
  /** `agnostic`: one value shared by every branch. Declared, else the kind's. */
  branch: BranchSupport;
}

export interface RelationshipModel {
  name: string;
  peer: string;
  kind: RelationshipKind;
  label: string;
  description?: string;
  identifier: string;
  cardinality: 'one' | 'many';
  optional: boolean;
  orderWeight?: number;
  inherited: boolean;
  declaredBranch?: BranchSupport;
  /** Declared, else agnostic only when both ends are (Infrahub's process_branch_support). */
  branch: BranchSupport;
  /** `cascade`: deleting the object deletes its peers too; Infrahub's default for Component relationships. */
  onDelete: 'no-action' | 'cascade';
}

export interface KindModel {
  kind: string;
  namespace: string;
  name: string;
  isGeneric: boolean;
  /** `agnostic`: one object shared by every branch (Infrahub's default is `aware`). */
  branch: BranchSupport;
  label: string;
  description?: string;
  inheritFrom: string[];
  /** For generics: the node kinds inheriting it. */
  usedBy: string[];
  attributes: AttributeModel[];
  relationships: RelationshipModel[];
  humanFriendlyId?: string[];
  displayLabel?: string;
  orderBy?: string[];
  uniquenessConstraints?: string[][];
  defaultFilter?: string;
  icon?: string;
  includeInMenu?: boolean;
  menuPlacement?: string;
}

function label(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

export class SchemaModelError extends Error {}

export class SchemaModel {
  readonly kinds = new Map<string, KindModel>();
  /** Changes whenever the served schema changes; `main` in `/api/schema`. */
  readonly hash: string;

  constructor(files: SchemaFile[]) {
    const declared: { model: KindModel; source: SchemaFile['nodes'][number] | SchemaFile['generics'][number] }[] = [];
    for (const file of files) {
      for (const [isGeneric, items] of [[true, file.generics], [false, file.nodes]] as const) {
        for (const item of items) {
          const kind = `${item.namespace}${item.name}`;
          if (this.kinds.has(kind)) throw new SchemaModelError(`${kind} is defined in two schema files`);
          const model: KindModel = {
            kind,
            namespace: item.namespace,
            name: item.name,
            isGeneric,
            branch: item.branch ?? 'aware',
            label: item.label ?? item.name,
            description: item.description,
            inheritFrom: 'inherit_from' in item ? [...item.inherit_from] : [],
            usedBy: [],
            attributes: item.attributes.map((a) => this.toAttribute(a, false)),
            relationships: item.relationships.map((r) => this.toRelationship(kind, r, false)),
            humanFriendlyId: item.human_friendly_id,
            displayLabel: item.display_label,
            orderBy: item.order_by,
            uniquenessConstraints: item.uniqueness_constraints,
            defaultFilter: item.default_filter,
            icon: item.icon,
            includeInMenu: item.include_in_menu,
            menuPlacement: item.menu_placement,
          };
          this.kinds.set(kind, model);
          declared.push({ model, source: item });
        }
      }
    }
    for (const file of files) {
      for (const extension of file.extensions?.nodes ?? []) {
        const target = this.kinds.get(extension.kind);
        if (!target) throw new SchemaModelError(`extension of ${extension.kind}: no such kind`);
        for (const attribute of extension.attributes) {
          if (this.field(target, attribute.name)) throw new SchemaModelError(`extension of ${extension.kind}: ${attribute.name} already exists`);
          target.attributes.push(this.toAttribute(attribute, false));
        }
        for (const relationship of extension.relationships) {
          if (this.field(target, relationship.name)) throw new SchemaModelError(`extension of ${extension.kind}: ${relationship.name} already exists`);
          target.relationships.push(this.toRelationship(target.kind, relationship, false));
        }
      }
    }
    for (const { model } of declared) {
      if (model.isGeneric) continue;
      const own = { attributes: model.attributes, relationships: model.relationships };
      const attributes: AttributeModel[] = [];
      const relationships: RelationshipModel[] = [];
      for (const genericKind of model.inheritFrom) {
        const generic = this.kinds.get(genericKind);
        if (!generic?.isGeneric) throw new SchemaModelError(`${model.kind} inherits from ${genericKind}, which is not a generic`);
        generic.usedBy.push(model.kind);
        for (const a of generic.attributes) if (!own.attributes.some((o) => o.name === a.name) && !attributes.some((x) => x.name === a.name)) attributes.push({ ...a, inherited: true });
        for (const r of generic.relationships) if (!own.relationships.some((o) => o.name === r.name) && !relationships.some((x) => x.name === r.name)) relationships.push({ ...r, inherited: true });
      }
      model.attributes = [...attributes, ...own.attributes];
      model.relationships = [...relationships, ...own.relationships];
      // As Infrahub does, a node without its own identification and ordering takes the first generic's.
      for (const genericKind of model.inheritFrom) {
        const generic = this.get(genericKind);
        model.humanFriendlyId ??= generic.humanFriendlyId;
        model.displayLabel ??= generic.displayLabel;
        model.orderBy ??= generic.orderBy;
        model.uniquenessConstraints ??= generic.uniquenessConstraints;
        model.defaultFilter ??= generic.defaultFilter;
      }
    }
    for (const model of this.kinds.values()) {
      for (const r of model.relationships) {
        if (!this.kinds.has(r.peer)) throw new SchemaModelError(`${model.kind}.${r.name}: peer ${r.peer} is not in the schema`);
      }
    }
    this.settleBranchSupport();
    this.hash = createHash('sha256').update(JSON.stringify([...this.kinds.values()])).digest('hex').slice(0, 32);
  }

  private toAttribute(a: SchemaFile['nodes'][number]['attributes'][number], inherited: boolean): AttributeModel {
    return {
      name: a.name,
      kind: a.kind,
      label: a.label ?? label(a.name),
      description: a.description,
      optional: a.optional,
      unique: a.unique,
      readOnly: a.read_only,
      defaultValue: a.default_value,
      choices: a.choices,
      regex: a.regex ?? (typeof a.parameters?.regex === 'string' ? a.parameters.regex : undefined),
      minLength: a.min_length,
      maxLength: a.max_length,
      orderWeight: a.order_weight,
      inherited,
      declaredBranch: a.branch,
      // Settled once every kind is known (settleBranchSupport).
      branch: a.branch ?? 'aware',
    };
  }

  private toRelationship(kind: string, r: SchemaFile['nodes'][number]['relationships'][number], inherited: boolean): RelationshipModel {
    return {
      name: r.name,
      peer: r.peer,
      kind: r.kind,
      label: r.label ?? label(r.name),
      description: r.description,
      // Infrahub's default: both kinds, lower-cased and sorted, so the two ends agree.
      identifier: r.identifier ?? [kind.toLowerCase(), r.peer.toLowerCase()].sort().join('__'),
      cardinality: r.cardinality,
      optional: r.optional,
      orderWeight: r.order_weight,
      inherited,
      declaredBranch: r.branch,
      branch: r.branch ?? 'aware',
      onDelete: r.on_delete ?? (r.kind === 'Component' ? 'cascade' : 'no-action'),
    };
  }

  /**
   * Infrahub's process_branch_support: an attribute without its own setting
   * takes its kind's; a relationship without one is agnostic only when both
   * kinds are, else aware (local wins over both). So a branch-agnostic
   * record's relationship to a branch-aware device is itself branch-aware.
   */
  private settleBranchSupport(): void {
    for (const model of this.kinds.values()) {
      // Inherited fields are copies, so each node settles its own.
      for (const a of model.attributes) a.branch = a.declaredBranch ?? model.branch;
      for (const r of model.relationships) {
        const peer = this.get(r.peer).branch;
        r.branch = r.declaredBranch ?? (peer === model.branch ? peer : peer === 'local' || model.branch === 'local' ? 'local' : 'aware');
      }
    }
  }

  private field(model: KindModel, name: string) {
    return model.attributes.find((a) => a.name === name) ?? model.relationships.find((r) => r.name === name);
  }

  get(kind: string): KindModel {
    const model = this.kinds.get(kind);
    if (!model) throw new SchemaModelError(`no kind ${kind} in the schema`);
    return model;
  }

  /** The node kinds whose objects a query on `kind` returns: itself, or every node inheriting the generic. */
  concreteKinds(kind: string): string[] {
    const model = this.get(kind);
    return model.isGeneric ? [...model.usedBy] : [model.kind];
  }

  /** Whether an object of node kind `nodeKind` can stand where `kind` is expected. */
  isA(nodeKind: string, kind: string): boolean {
    return nodeKind === kind || this.get(nodeKind).inheritFrom.includes(kind);
  }

  attributeOf(kind: string, name: string): AttributeModel | undefined {
    return this.get(kind).attributes.find((a) => a.name === name);
  }

  relationshipOf(kind: string, name: string): RelationshipModel | undefined {
    return this.get(kind).relationships.find((r) => r.name === name);
  }

  /** The relationship on a peer object that is the other end of `relationship` (same identifier). */
  reverse(relationship: RelationshipModel, fromKind: string, peerKind: string): RelationshipModel | undefined {
    const candidates = this.get(peerKind).relationships.filter((r) => r.identifier === relationship.identifier && this.isA(fromKind, r.peer));
    return candidates.find((r) => r.name !== relationship.name || peerKind !== fromKind) ?? candidates[0];
  }

  nodeKinds(): KindModel[] {
    return [...this.kinds.values()].filter((k) => !k.isGeneric);
  }

  genericKinds(): KindModel[] {
    return [...this.kinds.values()].filter((k) => k.isGeneric);
  }
}
