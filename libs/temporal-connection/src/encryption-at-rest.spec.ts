import { randomBytes } from 'node:crypto';
import { AtRestDecryptionError, decryptAtRest, encryptAtRest, isEncryptedAtRest } from './encryption-at-rest';
import { createEncryptionKeyring } from './encryption-keys';

describe('encryption at rest with the payload keyring', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const config = Buffer.from('{\n  "srl_nokia-system:system": {"name": {"host-name": "leaf01"}}\n}\n');

  function failure(run: () => unknown): AtRestDecryptionError {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(AtRestDecryptionError);
      return err as AtRestDecryptionError;
    }
    throw new Error('expected decryption to fail');
  }

  it('seals with the active key, its id beside the ciphertext, and opens again', () => {
    const keyring = createEncryptionKeyring({ 'k-2025': newKey });
    const sealed = encryptAtRest(keyring, config);
    expect(sealed.toString('utf8')).not.toContain('host-name');
    expect(sealed.toString('utf8')).not.toContain('leaf01');
    expect(JSON.parse(sealed.toString('utf8'))).toEqual({ encryption: 'AES-256-GCM', keyId: 'k-2025', data: expect.any(String) });
    expect(isEncryptedAtRest(sealed)).toBe(true);
    expect(decryptAtRest(keyring, sealed, 'backup x')).toEqual(config);
    // A fresh nonce every time: the same bytes never seal the same way twice.
    expect(encryptAtRest(keyring, config).equals(sealed)).toBe(false);
  });

  it('opens what an older key sealed after a rotation, as long as that key stays configured', () => {
    const sealedBefore = encryptAtRest(createEncryptionKeyring({ 'k-2024': oldKey }), config);
    const rotated = createEncryptionKeyring({ 'k-2024': oldKey, 'k-2025': newKey }, 'k-2025');
    expect(decryptAtRest(rotated, sealedBefore, 'backup x')).toEqual(config);
    expect(JSON.parse(encryptAtRest(rotated, config).toString('utf8')).keyId).toBe('k-2025');
  });

  it('passes data written before keys were configured through unchanged, with keys or without', () => {
    expect(isEncryptedAtRest(config)).toBe(false);
    expect(decryptAtRest(createEncryptionKeyring({ k: newKey }), config, 'backup x')).toBe(config);
    expect(decryptAtRest(undefined, config, 'backup x')).toBe(config);
  });

  it('says which key id it needs when the key is missing or wrong, and when the data was altered', () => {
    const sealed = encryptAtRest(createEncryptionKeyring({ 'k-2024': oldKey }), config);
    const none = failure(() => decryptAtRest(undefined, sealed, 'backup 1a2b of leaf01'));
    expect(none).toMatchObject({ problem: 'no-keys', keyId: 'k-2024' });
    expect(none.message).toBe('backup 1a2b of leaf01 is encrypted with key id "k-2024", but no encryption key is configured: add that key to SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS');
    const unknown = failure(() => decryptAtRest(createEncryptionKeyring({ 'k-2025': newKey }), sealed, 'backup 1a2b of leaf01'));
    expect(unknown).toMatchObject({ problem: 'unknown-key', keyId: 'k-2024' });
    expect(unknown.message).toContain('(configured key ids: k-2025)');
    const wrong = failure(() => decryptAtRest(createEncryptionKeyring({ 'k-2024': newKey }), sealed, 'backup 1a2b of leaf01'));
    expect(wrong.problem).toBe('authentication-failed');
    const envelope = JSON.parse(sealed.toString('utf8'));
    const data = Buffer.from(envelope.data, 'base64');
    data[20] ^= 1;
    const altered = Buffer.from(JSON.stringify({ ...envelope, data: data.toString('base64') }));
    expect(failure(() => decryptAtRest(createEncryptionKeyring({ 'k-2024': oldKey }), altered, 'backup x')).problem).toBe('authentication-failed');
    expect(failure(() => decryptAtRest(createEncryptionKeyring({ 'k-2024': oldKey }), sealed.subarray(0, 40), 'backup x')).problem).toBe('malformed');
  });
});
