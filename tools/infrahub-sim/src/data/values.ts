import { isIPv4, isIPv6 } from 'node:net';
import { validationError } from '../errors';
import { normalizeIpNetwork } from './ip';
import type { AttributeModel } from '../schema/schema-model';

/** Infrahub's limit on indexed text values (core/attribute.py MAX_STRING_LENGTH). */
const MAX_STRING_LENGTH = 4096;

const STRING_KINDS = new Set(['Text', 'TextArea', 'Dropdown', 'DateTime', 'Email', 'Password', 'HashedPassword', 'URL', 'File', 'MacAddress', 'Color', 'IPHost', 'IPNetwork', 'IPAddress', 'ID']);
const NUMBER_KINDS = new Set(['Number', 'NumberPool', 'Bandwidth']);
const BOOLEAN_KINDS = new Set(['Boolean', 'Checkbox']);
const LARGE_KINDS = new Set(['TextArea', 'JSON', 'List', 'Any']);

/** `10.0.0.1/31` as Infrahub stores an IPHost: address with prefix length, host bits kept. */
function normalizeIpHost(text: string): string | undefined {
  const [address, length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  if (isIPv4(address)) {
    if (length === undefined) return `${address}/32`;
    return /^(0|[1-9][0-9]?)$/.test(length) && Number(length) <= 32 ? `${address}/${Number(length)}` : undefined;
  }
  if (isIPv6(address)) {
    if (length === undefined) return `${address}/128`;
    return /^(0|[1-9][0-9]{0,2})$/.test(length) && Number(length) <= 128 ? `${address}/${Number(length)}` : undefined;
  }
  return undefined;
}

/**
 * Check and normalise one attribute value the way Infrahub's attribute
 * classes do, with their messages (`<value> must be one of '<choices>' at
 * <attribute>`). Returns what would be stored. `null` means "no value".
 */
export function checkAttributeValue(attribute: AttributeModel, value: unknown): unknown {
  const name = attribute.name;
  if (value === null || value === undefined) {
    if (attribute.defaultValue !== undefined) return attribute.defaultValue;
    if (!attribute.optional) throw validationError(name, `A value must be provided for ${name}`);
    return null;
  }
  const kind = attribute.kind;
  if (STRING_KINDS.has(kind) && typeof value !== 'string') throw validationError(name, `${String(value)} is not a valid ${kind}`);
  if (NUMBER_KINDS.has(kind) && !(typeof value === 'number' && Number.isInteger(value))) throw validationError(name, `${String(value)} is not a valid ${kind}`);
  if (BOOLEAN_KINDS.has(kind) && typeof value !== 'boolean') throw validationError(name, `${String(value)} is not a valid ${kind}`);
  if (typeof value === 'string' && !LARGE_KINDS.has(kind) && 3 + Buffer.byteLength(value) >= MAX_STRING_LENGTH) {
    throw validationError(name, `Text attribute length should be less than ${MAX_STRING_LENGTH} characters.`);
  }
  if (attribute.regex !== undefined && !new RegExp(attribute.regex).test(String(value))) {
    throw validationError(name, `${String(value)} must conform with the regex: '${attribute.regex}'`);
  }
  if (attribute.minLength !== undefined && String(value).length < attribute.minLength) {
    throw validationError(name, `${String(value)} must have a minimum length of ${attribute.minLength}`);
  }
  if (attribute.maxLength !== undefined && String(value).length > attribute.maxLength) {
    throw validationError(name, `${String(value)} must have a maximum length of ${attribute.maxLength}`);
  }
  switch (kind) {
    case 'Dropdown': {
      const names = (attribute.choices ?? []).map((c) => c.name);
      if (!names.includes(value as string)) throw validationError(name, `${String(value)} must be one of '${[...names].sort().join(', ')}'`);
      return value;
    }
    case 'IPHost': {
      const normalized = normalizeIpHost(value as string);
      if (!normalized) throw validationError(name, `${String(value)} is not a valid ${kind}`);
      return normalized;
    }
    case 'IPNetwork': {
      const normalized = normalizeIpNetwork(value as string);
      if (!normalized) throw validationError(name, `${String(value)} is not a valid ${kind}`);
      return normalized;
    }
    case 'DateTime':
      if (Number.isNaN(Date.parse(value as string))) throw validationError(name, `${String(value)} is not a valid ${kind}`);
      return value;
    default:
      return value;
  }
}
