import { aesGcmOpen, aesGcmSeal, type PayloadDecryptionProblem } from './aes-gcm-codec';
import type { EncryptionKeyring } from './encryption-keys';

/**
 * Data a process keeps on disk (the device worker's config backups),
 * encrypted with the same keyring as payloads: AES-256-GCM in the codec's
 * layout, and the key id stored beside the ciphertext, so after a rotation
 * the older keys still open what they sealed. One line of JSON, so a file
 * stays text and says what it is:
 *
 *   {"encryption":"AES-256-GCM","keyId":"<id>","data":"<base64 of nonce || ciphertext || tag>"}
 */
const ALGORITHM = 'AES-256-GCM';
/** JSON.stringify keeps member order, so every sealed file starts exactly so; plain JSON documents never do. */
const PREFIX = Buffer.from(`{"encryption":"${ALGORITHM}",`, 'utf8');

interface Envelope {
  encryption: typeof ALGORITHM;
  keyId: string;
  data: string;
}

export type AtRestDecryptionProblem = PayloadDecryptionProblem | 'no-keys';

/** Sealed data the configured keys cannot open, and why, naming the key id (never a key). */
export class AtRestDecryptionError extends Error {
  constructor(
    readonly problem: AtRestDecryptionProblem,
    readonly keyId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AtRestDecryptionError';
  }
}

/** `plain` sealed with the keyring's active key. */
export function encryptAtRest(keyring: EncryptionKeyring, plain: Buffer): Buffer {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (!key) throw new Error(`active key id "${keyring.activeKeyId}" is not among the keys (${[...keyring.keys.keys()].join(', ')})`);
  const envelope: Envelope = { encryption: ALGORITHM, keyId: keyring.activeKeyId, data: aesGcmSeal(key, plain).toString('base64') };
  return Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8');
}

export function isEncryptedAtRest(content: Buffer): boolean {
  return content.subarray(0, PREFIX.length).equals(PREFIX);
}

/**
 * The plaintext of what encryptAtRest wrote; anything else (data written
 * before keys were configured) is returned as it is. `what` names the data
 * in errors ("backup 1a2b3c of leaf01").
 */
export function decryptAtRest(keyring: EncryptionKeyring | undefined, content: Buffer, what: string): Buffer {
  if (!isEncryptedAtRest(content)) return content;
  let envelope: Partial<Envelope>;
  try {
    envelope = JSON.parse(content.toString('utf8')) as Partial<Envelope>;
  } catch {
    throw new AtRestDecryptionError('malformed', undefined, `${what} is encrypted but its envelope is not valid JSON: it is truncated or damaged`);
  }
  const { keyId, data } = envelope;
  if (typeof keyId !== 'string' || typeof data !== 'string') {
    throw new AtRestDecryptionError('malformed', undefined, `${what} is encrypted but its envelope lacks the key id or the data: it is damaged`);
  }
  const add = 'add that key to SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS';
  if (!keyring) throw new AtRestDecryptionError('no-keys', keyId, `${what} is encrypted with key id "${keyId}", but no encryption key is configured: ${add}`);
  const key = keyring.keys.get(keyId);
  if (!key) {
    throw new AtRestDecryptionError('unknown-key', keyId, `${what} is encrypted with key id "${keyId}", which is not configured (configured key ids: ${[...keyring.keys.keys()].join(', ')}); ${add}`);
  }
  const plain = aesGcmOpen(key, Buffer.from(data, 'base64'));
  if (plain === 'truncated') throw new AtRestDecryptionError('malformed', keyId, `${what} (key id "${keyId}") is shorter than a nonce and a tag: it is truncated`);
  if (plain === 'authentication-failed') {
    throw new AtRestDecryptionError(
      'authentication-failed',
      keyId,
      `${what} failed authentication (AES-GCM tag mismatch): the key configured as "${keyId}" is not the one it was encrypted with, or the file was altered`,
    );
  }
  return plain;
}
