import type { SchemaModel } from '../schema/schema-model';
import type { BranchData, NodeRecord } from './store';

/**
 * Infrahub's attribute paths (`name__value`, `device__name__value`): what
 * human-friendly ids, display labels, order_by and filters are written in.
 */
export function pathValue(model: SchemaModel, branch: BranchData, record: NodeRecord, path: string): unknown {
  const parts = path.split('__');
  let current: NodeRecord | undefined = record;
  while (current && parts.length > 2) {
    const relationship = model.relationshipOf(current.kind, parts[0]);
    if (!relationship) return undefined;
    const peerId: string | undefined = current.relationships[relationship.name]?.[0];
    current = peerId === undefined ? undefined : branch.get(peerId);
    parts.shift();
  }
  if (!current) return undefined;
  const [name, property] = parts;
  if (property === undefined) {
    // A bare relationship in a uniqueness constraint stands for the peer's id.
    return current.relationships[name]?.[0];
  }
  if (property !== 'value') return undefined;
  return current.attributes[name]?.value ?? undefined;
}

export function humanFriendlyId(model: SchemaModel, branch: BranchData, record: NodeRecord): string[] | null {
  const paths = model.get(record.kind).humanFriendlyId;
  if (!paths?.length) return null;
  const values = paths.map((path) => pathValue(model, branch, record, path));
  return values.some((v) => v === undefined || v === null) ? null : values.map(String);
}

/** `name__value`, or a `{{ path }}` template; Infrahub's fallback is `<Kind>(ID: <id>)`. */
export function displayLabel(model: SchemaModel, branch: BranchData, record: NodeRecord): string {
  const template = model.get(record.kind).displayLabel;
  if (!template) return `${record.kind}(ID: ${record.id})`;
  if (!template.includes('{{')) return String(pathValue(model, branch, record, template) ?? '');
  return template.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/g, (_match, path: string) => String(pathValue(model, branch, record, path) ?? ''));
}
