/**
 * JSON_IETF (RFC 7951) helpers. Devices qualify top-level and augmenting
 * members with their YANG module (`srl_nokia-interfaces:interface`) and
 * identity values likewise (`srl_nokia-common:ipv4-unicast`). Comparing
 * configs from different sources needs those prefixes gone.
 */

const MODULE_PREFIX = /^[A-Za-z_][A-Za-z0-9_.-]*:/;

export function stripModulePrefix(name: string): string {
  return name.replace(MODULE_PREFIX, '');
}

/** Removes module prefixes from member names (never from values) everywhere in a tree. */
export function stripModulePrefixes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripModulePrefixes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      out[stripModulePrefix(key)] = stripModulePrefixes(child);
    }
    return out;
  }
  return value;
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeJson(bytes: Buffer | Uint8Array | string): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  return JSON.parse(text);
}
