import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKeyring } from './encryption-keys';

/** The metadata Temporal's samples and codec servers in every SDK use for encrypted payloads. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** nonce (12 random bytes, new every time) || ciphertext || tag (16 bytes); shared with encryption at rest. */
export function aesGcmSeal(key: Buffer, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext of aesGcmSeal's output; 'truncated' or 'authentication-failed' (wrong key, altered data) otherwise. */
export function aesGcmOpen(key: Buffer, data: Buffer): Buffer | 'truncated' | 'authentication-failed' {
  if (data.length < NONCE_BYTES + TAG_BYTES) return 'truncated';
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return 'authentication-failed';
  }
}

export type PayloadDecryptionProblem = 'unknown-key' | 'authentication-failed' | 'malformed';

/** A payload this codec cannot decrypt, and why, in words an operator can act on. */
export class PayloadDecryptionError extends Error {
  constructor(
    readonly problem: PayloadDecryptionProblem,
    readonly keyId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * AES-256-GCM over the whole serialized Payload (metadata included, so the
 * encoding of the value is hidden too). Data is nonce (12 random bytes, new
 * for every payload) || ciphertext || tag (16 bytes): the layout of
 * Temporal's Go and Python encryption samples, so their codec servers can
 * read it with the same key.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly activeKey: Buffer;
  private readonly activeKeyIdBytes: Uint8Array;

  constructor(private readonly keyring: EncryptionKeyring) {
    const key = keyring.keys.get(keyring.activeKeyId);
    if (!key) throw new Error(`active key id "${keyring.activeKeyId}" is not among the keys (${[...keyring.keys.keys()].join(', ')})`);
    this.activeKey = key;
    this.activeKeyIdBytes = Buffer.from(keyring.activeKeyId, 'utf8');
  }

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const data = aesGcmSeal(this.activeKey, temporal.api.common.v1.Payload.encode(payload).finish());
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'), [METADATA_ENCRYPTION_KEY_ID]: this.activeKeyIdBytes },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes || keyIdBytes.length === 0) {
      throw new PayloadDecryptionError('malformed', undefined, `encrypted payload has no ${METADATA_ENCRYPTION_KEY_ID} in its metadata: it was not written by this codec`);
    }
    const keyId = Buffer.from(keyIdBytes).toString('utf8');
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        'unknown-key',
        keyId,
        `payload encrypted with key id "${keyId}", which is not configured (configured key ids: ${[...this.keyring.keys.keys()].join(', ')}); ` +
          'add that key to SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const plain = aesGcmOpen(key, data);
    if (plain === 'truncated') {
      throw new PayloadDecryptionError('malformed', keyId, `payload encrypted with key id "${keyId}" is ${data.length} bytes, shorter than a nonce and a tag: it is truncated`);
    }
    if (plain === 'authentication-failed') {
      throw new PayloadDecryptionError(
        'authentication-failed',
        keyId,
        `payload encrypted with key id "${keyId}" failed authentication (AES-GCM tag mismatch): ` +
          `the key configured as "${keyId}" is not the one it was encrypted with, or the payload was altered`,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      throw new PayloadDecryptionError('malformed', keyId, `payload encrypted with key id "${keyId}" decrypted but is not a Temporal Payload: ${(err as Error).message}`);
    }
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}
