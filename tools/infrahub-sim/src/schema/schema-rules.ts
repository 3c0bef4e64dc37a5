import { SchemaModelError, type AttributeModel, type KindModel, type RelationshipModel, type SchemaModel } from './schema-model';

/**
 * The checks Infrahub's schema branch runs when a schema file is loaded
 * (schema_branch.py process_validate) that a file's own format cannot show:
 * where a path in human_friendly_id, uniqueness_constraints or order_by may
 * lead, what a Parent relationship must be, which relationship pairs are
 * impossible. Applied to the kinds of Synapse's extension, so a file that
 * loads here also loads into a real Infrahub; messages are Infrahub's.
 *
 * The library subset is not held to them: it leaves out required fields a
 * real library has (RoutingProtocol's device), see library.ts.
 */

/** Attribute properties a path may end with (Infrahub's get_allowed_property_in_path). */
function allowedProperties(attribute: AttributeModel): string[] {
  switch (attribute.kind) {
    case 'IPNetwork':
      return ['value', 'version', 'binary_address', 'prefixlen'];
    case 'IPHost':
      return ['value', 'version', 'binary_address'];
    default:
      return ['value'];
  }
}

interface PathRules {
  /** What the schema element is called in messages. */
  element: string;
  /** A bare relationship (`device`), as uniqueness constraints use. */
  relationshipAlone: boolean;
  /** A relationship followed by a peer attribute (`device__name__value`). */
  relationshipAttribute: boolean;
  /** Whether an optional cardinality-one relationship may be followed. */
  optionalRelationship: boolean;
}

interface ParsedPath {
  attribute?: AttributeModel;
  relationship?: RelationshipModel;
  /** On the peer, for `rel__attr__prop`. */
  peerAttribute?: AttributeModel;
}

function checkPath(model: SchemaModel, kind: KindModel, path: string, rules: PathRules): ParsedPath {
  const where = `${kind.kind}.${rules.element}`;
  const parts = path.split('__');
  const attribute = kind.attributes.find((a) => a.name === parts[0]);
  if (attribute) {
    if (parts.length !== 2 || !allowedProperties(attribute).includes(parts[1]!)) {
      throw new SchemaModelError(`${where}: invalid attribute, it must end with one of the following properties: ${allowedProperties(attribute).join(', ')}. (\`${path}\`)`);
    }
    return { attribute };
  }
  const relationship = kind.relationships.find((r) => r.name === parts[0]);
  if (!relationship) throw new SchemaModelError(`${where}: ${parts[0]} is not a valid attribute or relationship of ${kind.kind} (\`${path}\`)`);
  if (relationship.cardinality === 'many') throw new SchemaModelError(`${where}: cannot use ${relationship.name} relationship, relationship must be of cardinality one (\`${path}\`)`);
  if (relationship.optional && !rules.optionalRelationship) throw new SchemaModelError(`${where}: cannot use ${relationship.name} relationship, relationship must be mandatory. (\`${path}\`)`);
  if (parts.length === 1) {
    if (!rules.relationshipAlone) throw new SchemaModelError(`${where}: Must use attributes of related node. (\`${path}\`)`);
    return { relationship };
  }
  if (!rules.relationshipAttribute) throw new SchemaModelError(`${where}: cannot use attributes of related node, only the relationship. (\`${path}\`)`);
  const peer = model.get(relationship.peer);
  const peerAttribute = peer.attributes.find((a) => a.name === parts[1]);
  if (!peerAttribute || parts.length !== 3 || !allowedProperties(peerAttribute).includes(parts[2]!)) {
    throw new SchemaModelError(`${where}: ${parts.slice(1).join('__')} is not a valid attribute path of ${peer.kind} (\`${path}\`)`);
  }
  return { relationship, peerAttribute };
}

/** Whether some of `attributes` alone identify an object of `kind` (a unique one, or a whole uniqueness constraint). */
function identifies(kind: KindModel, attributes: string[]): boolean {
  if (attributes.some((name) => kind.attributes.find((a) => a.name === name)?.unique)) return true;
  const paths = new Set(attributes.map((name) => `${name}__value`));
  return (kind.uniquenessConstraints ?? []).some((constraint) => constraint.every((path) => paths.has(path)));
}

export function checkInfrahubRules(model: SchemaModel, kinds: string[]): void {
  const required = new Map<string, Set<string>>();
  for (const name of kinds) {
    const kind = model.get(name);

    const parents = kind.relationships.filter((r) => r.kind === 'Parent');
    if (parents.length > 1) {
      throw new SchemaModelError(`${kind.kind}: Only one relationship of type parent is allowed, but all the following are of type parent: ${parents.map((p) => p.name).join(', ')}`);
    }
    for (const parent of parents) {
      if (parent.cardinality !== 'one') throw new SchemaModelError(`${kind.kind}.${parent.name}: Relationship of type parent must be cardinality=one`);
      if (parent.optional) throw new SchemaModelError(`${kind.kind}.${parent.name}: Relationship of type parent must not be optional`);
    }

    const identifiers = new Map<string, string>();
    for (const relationship of kind.relationships) {
      const other = identifiers.get(relationship.identifier);
      if (other) throw new SchemaModelError(`${kind.kind}: Identifier of relationships must be unique for a given direction > '${relationship.identifier}' : ${other}, ${relationship.name}`);
      identifiers.set(relationship.identifier, relationship.name);
      if (!relationship.optional) {
        if (required.get(relationship.peer)?.has(kind.kind)) throw new SchemaModelError(`'${kind.kind}' and '${relationship.peer}' cannot both have required relationships to one another.`);
        const set = required.get(kind.kind) ?? new Set<string>();
        set.add(relationship.peer);
        required.set(kind.kind, set);
      }
    }

    for (const constraint of kind.uniquenessConstraints ?? []) {
      for (const path of constraint) {
        checkPath(model, kind, path, { element: 'uniqueness_constraints', relationshipAlone: true, relationshipAttribute: false, optionalRelationship: false });
      }
    }
    for (const path of kind.orderBy ?? []) {
      checkPath(model, kind, path, { element: 'order_by', relationshipAlone: false, relationshipAttribute: true, optionalRelationship: true });
    }
    // Infrahub's strict mode: a peer named in the hfid must be identified by the attributes the hfid takes from it.
    const fromPeers = new Map<string, { peer: KindModel; attributes: string[] }>();
    for (const path of kind.humanFriendlyId ?? []) {
      const parsed = checkPath(model, kind, path, { element: 'human_friendly_id', relationshipAlone: false, relationshipAttribute: true, optionalRelationship: false });
      if (parsed.relationship && parsed.peerAttribute) {
        const entry = fromPeers.get(parsed.relationship.identifier) ?? { peer: model.get(parsed.relationship.peer), attributes: [] };
        entry.attributes.push(parsed.peerAttribute.name);
        fromPeers.set(parsed.relationship.identifier, entry);
      }
    }
    for (const { peer, attributes } of fromPeers.values()) {
      if (!identifies(peer, attributes)) {
        throw new SchemaModelError(`HFID of ${kind.kind} refers to peer ${peer.kind} with a non-unique combination of attributes [${attributes.map((a) => `'${a}__value'`).join(', ')}]`);
      }
    }
  }
}
