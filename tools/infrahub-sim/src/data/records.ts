import type { SchemaModel } from '../schema/schema-model';
import type { NodeRecord, StoredAttribute } from './store';
import { checkAttributeValue } from './values';

/**
 * A new object of `kind` with every attribute of its schema present: given
 * values are checked as Infrahub checks them, the others take the schema's
 * default (flagged `is_default`) or stay null.
 */
export function newRecord(model: SchemaModel, kind: string, id: string, values: Record<string, unknown>, at: string): NodeRecord {
  const schema = model.get(kind);
  const attributes: Record<string, StoredAttribute> = {};
  for (const attribute of schema.attributes) {
    const given = values[attribute.name];
    const isDefault = given === undefined || given === null;
    attributes[attribute.name] = { value: checkAttributeValue(attribute, given), isDefault: isDefault && attribute.defaultValue !== undefined, updatedAt: at };
  }
  const relationships: Record<string, string[]> = {};
  for (const relationship of schema.relationships) relationships[relationship.name] = [];
  return { id, kind, attributes, relationships, createdAt: at, updatedAt: at };
}
