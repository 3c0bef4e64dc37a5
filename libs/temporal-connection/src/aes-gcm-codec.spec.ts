import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, METADATA_ENCRYPTION_KEY_ID, PayloadDecryptionError } from './aes-gcm-codec';
import { dataConverterFromEnv } from './data-converter';
import { createEncryptionKeyring } from './encryption-keys';

const MARKER = 'uplink-to-spine-secret-marker';
const config = { interface: [{ name: 'ethernet-1/49', mtu: 9214, description: MARKER }] };

function text(bytes: Uint8Array | null | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
}

async function decodeError(codec: AesGcmPayloadCodec, payloads: Payload[]): Promise<PayloadDecryptionError> {
  try {
    await codec.decode(payloads);
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    return err as PayloadDecryptionError;
  }
  throw new Error('decode succeeded');
}

describe('AES-256-GCM payload codec', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const plain = defaultPayloadConverter.toPayload(config);

  it('round-trips a payload, hiding its data and its encoding behind the key id', async () => {
    const codec = new AesGcmPayloadCodec(createEncryptionKeyring({ k1 }));
    const [encrypted] = await codec.encode([plain]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!)).toEqual(['encoding', METADATA_ENCRYPTION_KEY_ID]);
    expect(text(encrypted!.data)).not.toContain(MARKER);
    expect(text(encrypted!.data)).not.toContain('json/plain');

    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(config);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh nonce for every payload: the same value never encrypts to the same bytes', async () => {
    const codec = new AesGcmPayloadCodec(createEncryptionKeyring({ k1 }));
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('rotates: payloads under the old id still decrypt after the active id moved, new ones use the new id', async () => {
    const before = new AesGcmPayloadCodec(createEncryptionKeyring({ old: k1, new: k2 }, 'old'));
    const after = new AesGcmPayloadCodec(createEncryptionKeyring({ old: k1, new: k2 }, 'new'));
    const [underOld] = await before.encode([plain]);
    const [decoded] = await after.decode([underOld!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(config);
    const [underNew] = await after.encode([plain]);
    expect(text(underNew!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('new');
    // Retiring the old key makes its payloads unreadable, and the error says which key is missing.
    const retired = new AesGcmPayloadCodec(createEncryptionKeyring({ new: k2 }));
    const error = await decodeError(retired, [underOld!]);
    expect(error.problem).toBe('unknown-key');
    expect(error.keyId).toBe('old');
  });

  it('names an unknown key id and the ids it has', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(createEncryptionKeyring({ prod: k1 })).encode([plain]);
    const error = await decodeError(new AesGcmPayloadCodec(createEncryptionKeyring({ staging: k1, dev: k2 }, 'dev')), [encrypted!]);
    expect(error.message).toContain('payload encrypted with key id "prod", which is not configured (configured key ids: staging, dev)');
    expect(error.message).toContain('SYNAPSE_ENCRYPTION_KEYS');
  });

  it('says authentication failed, naming the key id, for other key material under the same id', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(createEncryptionKeyring({ k1 })).encode([plain]);
    const error = await decodeError(new AesGcmPayloadCodec(createEncryptionKeyring({ k1: k2 })), [encrypted!]);
    expect(error.problem).toBe('authentication-failed');
    expect(error.message).toContain('payload encrypted with key id "k1" failed authentication (AES-GCM tag mismatch)');
    expect(error.message).toContain('not the one it was encrypted with, or the payload was altered');
  });

  it('detects a payload altered in transit or at rest: one flipped bit, a truncation', async () => {
    const codec = new AesGcmPayloadCodec(createEncryptionKeyring({ k1 }));
    const [encrypted] = await codec.encode([plain]);
    const tampered = Buffer.from(encrypted!.data!);
    tampered[20] ^= 0x01;
    expect((await decodeError(codec, [{ ...encrypted, data: tampered }])).problem).toBe('authentication-failed');
    const truncated = await decodeError(codec, [{ ...encrypted, data: Buffer.from(encrypted!.data!).subarray(0, 20) }]);
    expect(truncated.problem).toBe('malformed');
    expect(truncated.message).toContain('truncated');
    const noKeyId = await decodeError(codec, [{ metadata: { encoding: encrypted!.metadata!.encoding! }, data: encrypted!.data! }]);
    expect(noKeyId.message).toContain(`no ${METADATA_ENCRYPTION_KEY_ID}`);
  });

  it('passes payloads that are not encrypted through untouched (history from before encryption was turned on)', async () => {
    const codec = new AesGcmPayloadCodec(createEncryptionKeyring({ k1 }));
    const binary: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from([1, 2, 3]) };
    const [a, b] = await codec.decode([plain, binary]);
    expect(a).toBe(plain);
    expect(b).toBe(binary);
  });

  it('encrypts failure messages too, through the data converter the environment configures', async () => {
    const converter = loadDataConverter(dataConverterFromEnv({ SYNAPSE_ENCRYPTION_KEYS: `k1=${k1.toString('base64')}` }));
    const failure = await encodeErrorToFailure(converter, ApplicationFailure.nonRetryable(`device refused: description ${MARKER}`, 'ConfigRejected'));
    expect(failure.message).toBe('Encoded failure');
    expect(JSON.stringify(failure)).not.toContain(MARKER);
    expect(text(failure.encodedAttributes!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);

    const decoded = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(decoded?.message).toBe(`device refused: description ${MARKER}`);
    expect(dataConverterFromEnv({})).toBeUndefined();
  });
});
