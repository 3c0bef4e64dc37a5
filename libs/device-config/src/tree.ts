import { stripModulePrefix } from '@synapse/gnmi-client';

/** Small helpers over parsed JSON documents. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A member by its unqualified name, whether the document qualifies it
 * (`srl_nokia-interfaces:interface`, as JSON_IETF does at module boundaries)
 * or not.
 */
export function memberNamed(object: JsonObject, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  for (const [member, value] of Object.entries(object)) {
    if (stripModulePrefix(member) === name) return value;
  }
  return undefined;
}
