import { createHash, randomUUID } from 'node:crypto';

/**
 * Node ids look like Infrahub's (UUID-shaped). Seeded objects get ids derived
 * from what they are, so a restarted simulator serving the same lab hands out
 * the same ids; objects created through the API get random ones.
 */
export function stableId(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function newId(): string {
  return randomUUID();
}
