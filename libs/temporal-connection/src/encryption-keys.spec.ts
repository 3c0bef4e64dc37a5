import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isSynapseError } from '@synapse/contracts';
import { describeEncryption, encryptionKeyringFromEnv } from './encryption-keys';

describe('encryption keys from the environment', () => {
  const k2024 = randomBytes(32);
  const k2025 = randomBytes(32);
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'encryption-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function keyFile(name: string, content: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  }

  function problemOf(env: Record<string, string>): string {
    try {
      encryptionKeyringFromEnv(env);
    } catch (err) {
      expect(isSynapseError(err, 'InvalidInput')).toBe(true);
      return (err as Error).message;
    }
    throw new Error(`keys ${JSON.stringify(env)} were accepted`);
  }

  it('is off when no key is configured', () => {
    expect(encryptionKeyringFromEnv({})).toBeUndefined();
    expect(encryptionKeyringFromEnv({ SYNAPSE_ENCRYPTION_KEYS: ' ', SYNAPSE_ENCRYPTION_KEYS_FILE: '' })).toBeUndefined();
    expect(describeEncryption(undefined)).toBe(false);
  });

  it('takes a single inline key as the active one', () => {
    const keyring = encryptionKeyringFromEnv({ SYNAPSE_ENCRYPTION_KEYS: `k2024=${k2024.toString('base64')}` })!;
    expect(keyring.activeKeyId).toBe('k2024');
    expect(keyring.keys.get('k2024')!.equals(k2024)).toBe(true);
  });

  it('merges the file and the inline keys; SYNAPSE_ENCRYPTION_KEY_ID chooses the one that encrypts', () => {
    const file = keyFile('keys.json', JSON.stringify({ k2024: k2024.toString('base64') }));
    const keyring = encryptionKeyringFromEnv({
      SYNAPSE_ENCRYPTION_KEYS_FILE: file,
      // base64url without padding is accepted too: what many secret stores hand out.
      SYNAPSE_ENCRYPTION_KEYS: ` k2025 = ${k2025.toString('base64url')} , k2024=${k2024.toString('base64')}`,
      SYNAPSE_ENCRYPTION_KEY_ID: 'k2025',
    })!;
    expect(keyring.activeKeyId).toBe('k2025');
    expect([...keyring.keys.keys()].sort()).toEqual(['k2024', 'k2025']);
    expect(keyring.keys.get('k2025')!.equals(k2025)).toBe(true);
    expect(describeEncryption(keyring)).toEqual({ activeKeyId: 'k2025', keyIds: ['k2024', 'k2025'] });
  });

  it('refuses a key that is not base64 of exactly 32 bytes, naming the variable and the id, never the key', () => {
    const short = randomBytes(16).toString('base64');
    const notBase64 = 'this is not base64!';
    const message = problemOf({ SYNAPSE_ENCRYPTION_KEYS: `short=${short},garbled=${notBase64}` });
    expect(message).toContain('SYNAPSE_ENCRYPTION_KEYS: key "short" decodes to 16 bytes; AES-256 needs exactly 32 (make one with: openssl rand -base64 32)');
    expect(message).toContain('SYNAPSE_ENCRYPTION_KEYS: key "garbled" is not base64');
    expect(message).not.toContain(short);
    expect(message).not.toContain(notBase64);

    const truncated = k2024.toString('base64').slice(0, 42);
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: `cut=${truncated}` })).toMatch(/key "cut" (is not base64|decodes to 31 bytes)/);

    const file = keyFile('short.json', JSON.stringify({ old: short }));
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: file })).toContain(`SYNAPSE_ENCRYPTION_KEYS_FILE (${file}): key "old" decodes to 16 bytes`);
  });

  it('names what is wrong with the key file', () => {
    const missing = path.join(dir, 'missing.json');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: missing })).toContain(`SYNAPSE_ENCRYPTION_KEYS_FILE: cannot read ${missing} (no such file)`);
    const secret = k2024.toString('base64');
    const notJson = keyFile('broken.json', `{"k": "${secret}"`);
    const broken = problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: notJson });
    expect(broken).toContain(`SYNAPSE_ENCRYPTION_KEYS_FILE (${notJson}) is not valid JSON`);
    expect(broken).not.toContain(secret);
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: keyFile('array.json', '["a"]') })).toContain('must be a JSON object {"<key id>": "<base64 key>", …}');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: keyFile('number.json', '{"k": 5}') })).toContain('at "k": each value must be a base64 string');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: keyFile('empty.json', '{}') })).toContain('holds no keys');
  });

  it('refuses ambiguous key ids and an active id that is not configured', () => {
    const a = k2024.toString('base64');
    const b = k2025.toString('base64');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: `k=${a},k=${b}` })).toContain('SYNAPSE_ENCRYPTION_KEYS: key "k" is listed twice');
    const file = keyFile('k.json', JSON.stringify({ k: a }));
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS_FILE: file, SYNAPSE_ENCRYPTION_KEYS: `k=${b}` })).toContain(
      `SYNAPSE_ENCRYPTION_KEYS: key "k" is also in SYNAPSE_ENCRYPTION_KEYS_FILE (${file}) with different key material`,
    );
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: `a=${a},b=${b}` })).toContain('SYNAPSE_ENCRYPTION_KEY_ID is required when more than one key is configured (a, b)');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: `a=${a},b=${b}`, SYNAPSE_ENCRYPTION_KEY_ID: 'c' })).toContain(
      'SYNAPSE_ENCRYPTION_KEY_ID "c" is not among the configured keys (a, b)',
    );
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEY_ID: 'a' })).toContain('SYNAPSE_ENCRYPTION_KEY_ID is set but no key is');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: `bad id=${a}` })).toContain('key id "bad id" must be letters, digits');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: a })).toContain('SYNAPSE_ENCRYPTION_KEYS: entry 1 is not id=base64key');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: a })).not.toContain(a);
  });
});
