import { createHash } from 'node:crypto';
import { canonicalize } from './canonical';

/**
 * sha256 (hex) of the canonical JSON of a ManagedConfig or a whole config
 * document: equal configs hash equal however a device prefixed, ordered or
 * typed them. Canonical objects are built with sorted members, so
 * JSON.stringify is deterministic.
 */
export function checksum(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonicalize(config)) ?? 'null').digest('hex');
}
