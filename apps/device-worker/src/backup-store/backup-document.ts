/**
 * The bytes a backup is stored as: the device's JSON_IETF document, pretty
 * printed with object members in name order and a final newline. Sorting
 * members changes nothing a device reads (JSON objects are unordered) but
 * makes two backups of the same config byte-identical, so `git log -p`
 * shows only what really changed. Arrays keep the device's order: some
 * lists are ordered-by-user (policy chains), and a restore must send them
 * back as they were. Module prefixes stay, so the document can be written
 * back to the root as it was read.
 */
export function serializeBackup(config: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(sortMembers(config ?? {}), null, 2)}\n`, 'utf8');
}

export function parseBackup(content: Buffer): unknown {
  return JSON.parse(content.toString('utf8'));
}

function sortMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortMembers);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value).sort()) out[name] = sortMembers((value as Record<string, unknown>)[name]);
    return out;
  }
  return value;
}
