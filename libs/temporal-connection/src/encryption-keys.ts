import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { pickEnv, SettingsProblems, type Env } from './env';

/**
 * Keys of the payload codec, from the environment:
 *
 *   SYNAPSE_ENCRYPTION_KEYS_FILE  JSON file {"<key id>": "<base64 of 32 bytes>", …}
 *   SYNAPSE_ENCRYPTION_KEYS       inline, id1=base64key,id2=base64key
 *   SYNAPSE_ENCRYPTION_KEY_ID     the id that encrypts new payloads; every other key only decrypts
 *                                 (optional when exactly one key is configured)
 *
 * Rotation: add the new key beside the old ones and point SYNAPSE_ENCRYPTION_KEY_ID
 * at it; history written under an old id still decrypts as long as that id stays.
 */
export const ENCRYPTION_VARIABLES = ['SYNAPSE_ENCRYPTION_KEYS_FILE', 'SYNAPSE_ENCRYPTION_KEYS', 'SYNAPSE_ENCRYPTION_KEY_ID'] as const;

export const AES_256_KEY_BYTES = 32;

/** Ids travel in payload metadata and in the inline `id=key,…` form, so they stay plain. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export interface EncryptionKeyring {
  /** The key that encrypts new payloads. */
  activeKeyId: string;
  /** Every key that may decrypt, by id; the active one among them. */
  keys: ReadonlyMap<string, Buffer>;
}

/** Safe to print: ids only. */
export interface EncryptionDescription {
  activeKeyId: string;
  keyIds: string[];
}

const EncryptionEnv = z.object({
  SYNAPSE_ENCRYPTION_KEYS_FILE: z.string().optional(),
  SYNAPSE_ENCRYPTION_KEYS: z.string().optional(),
  SYNAPSE_ENCRYPTION_KEY_ID: z.string().regex(KEY_ID, 'a key id is letters, digits and . _ : - (at most 64)').optional(),
});

const KeyFile = z.record(z.string(), z.string({ error: 'each value must be a base64 string' }), {
  error: 'must be a JSON object {"<key id>": "<base64 key>", …}',
});

/**
 * The keyring the environment configures, or undefined when no key is
 * configured (payloads then stay plain JSON, as without a codec). Throws an
 * InvalidInput SynapseError naming each bad variable, key id and file.
 */
export function encryptionKeyringFromEnv(env: Env = process.env): EncryptionKeyring | undefined {
  const problems = new SettingsProblems();
  const parsed = EncryptionEnv.safeParse(pickEnv(env, ENCRYPTION_VARIABLES));
  if (!parsed.success) {
    problems.addZodIssues(parsed.error.issues);
    problems.throwIfAny('Payload encryption settings');
  }
  const vars = parsed.data!;
  const keys = new Map<string, Buffer>();
  const origin = new Map<string, string>();

  const addKey = (source: string, id: string, base64: string) => {
    if (!KEY_ID.test(id)) {
      problems.add(source.split(' ')[0]!, `${source}: key id ${JSON.stringify(id)} must be letters, digits and . _ : - (at most 64)`);
      return;
    }
    const material = decodeKey(base64);
    if (typeof material === 'string') {
      problems.add(source.split(' ')[0]!, `${source}: key ${JSON.stringify(id)} ${material}`);
      return;
    }
    const existing = keys.get(id);
    if (existing && !existing.equals(material)) {
      problems.add(source.split(' ')[0]!, `${source}: key ${JSON.stringify(id)} is also in ${origin.get(id)} with different key material; one id, one key`);
      return;
    }
    keys.set(id, material);
    origin.set(id, source);
  };

  if (vars.SYNAPSE_ENCRYPTION_KEYS_FILE) {
    const file = path.resolve(vars.SYNAPSE_ENCRYPTION_KEYS_FILE);
    const source = `SYNAPSE_ENCRYPTION_KEYS_FILE (${file})`;
    const entries = readKeyFile(file, source, problems);
    for (const [id, base64] of entries) addKey(source, id, base64);
  }
  if (vars.SYNAPSE_ENCRYPTION_KEYS) {
    const seen = new Set<string>();
    vars.SYNAPSE_ENCRYPTION_KEYS.split(',').forEach((entry, index) => {
      const trimmed = entry.trim();
      const equals = trimmed.indexOf('=');
      // A bare base64 key has '=' only as padding: nothing after it but more '='.
      if (equals <= 0 || trimmed.slice(equals + 1).replace(/=/g, '').trim() === '') {
        // Never echo the entry: it may be a key pasted without its id.
        problems.add('SYNAPSE_ENCRYPTION_KEYS', `SYNAPSE_ENCRYPTION_KEYS: entry ${index + 1} is not id=base64key (the form is id1=key1,id2=key2)`);
        return;
      }
      const id = trimmed.slice(0, equals).trim();
      if (seen.has(id)) {
        problems.add('SYNAPSE_ENCRYPTION_KEYS', `SYNAPSE_ENCRYPTION_KEYS: key ${JSON.stringify(id)} is listed twice`);
        return;
      }
      seen.add(id);
      addKey('SYNAPSE_ENCRYPTION_KEYS', id, trimmed.slice(equals + 1).trim());
    });
  }

  const activeKeyId = vars.SYNAPSE_ENCRYPTION_KEY_ID;
  const ids = [...keys.keys()];
  if (problems.empty) {
    if (ids.length === 0 && activeKeyId) {
      problems.add('SYNAPSE_ENCRYPTION_KEY_ID', 'SYNAPSE_ENCRYPTION_KEY_ID is set but no key is: set SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS');
    } else if (activeKeyId && !keys.has(activeKeyId)) {
      problems.add('SYNAPSE_ENCRYPTION_KEY_ID', `SYNAPSE_ENCRYPTION_KEY_ID ${JSON.stringify(activeKeyId)} is not among the configured keys (${ids.join(', ')})`);
    } else if (!activeKeyId && ids.length > 1) {
      problems.add(
        'SYNAPSE_ENCRYPTION_KEY_ID',
        `SYNAPSE_ENCRYPTION_KEY_ID is required when more than one key is configured (${ids.join(', ')}): it names the key that encrypts new payloads`,
      );
    }
  }
  problems.throwIfAny('Payload encryption settings');
  if (ids.length === 0) return undefined;
  return { activeKeyId: activeKeyId ?? ids[0]!, keys };
}

/**
 * A keyring from keys in hand (tests, a key management client), checked by
 * the same rules as the environment's.
 */
export function createEncryptionKeyring(keys: Record<string, string | Buffer>, activeKeyId?: string): EncryptionKeyring {
  const inline = Object.entries(keys)
    .map(([id, key]) => `${id}=${Buffer.isBuffer(key) ? key.toString('base64') : key}`)
    .join(',');
  const keyring = encryptionKeyringFromEnv({ SYNAPSE_ENCRYPTION_KEYS: inline, SYNAPSE_ENCRYPTION_KEY_ID: activeKeyId });
  if (!keyring) throw new Error('createEncryptionKeyring: no keys given');
  return keyring;
}

export function describeEncryption(keyring: EncryptionKeyring | undefined): EncryptionDescription | false {
  return keyring ? { activeKeyId: keyring.activeKeyId, keyIds: [...keyring.keys.keys()] } : false;
}

function readKeyFile(file: string, source: string, problems: SettingsProblems): [string, string][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    problems.add('SYNAPSE_ENCRYPTION_KEYS_FILE', `SYNAPSE_ENCRYPTION_KEYS_FILE: cannot read ${file} (${why})`);
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the file's text, which is key material.
    problems.add('SYNAPSE_ENCRYPTION_KEYS_FILE', `${source} is not valid JSON`);
    return [];
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${JSON.stringify(issue.path.map(String).join('.'))}` : '';
    problems.add('SYNAPSE_ENCRYPTION_KEYS_FILE', `${source}${where}: ${issue.message}`);
    return [];
  }
  if (Object.keys(parsed.data).length === 0) problems.add('SYNAPSE_ENCRYPTION_KEYS_FILE', `${source} holds no keys`);
  return Object.entries(parsed.data);
}

/** The key's bytes, or what is wrong with it (never the key itself). */
function decodeKey(base64: string): Buffer | string {
  const unpadded = base64.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]+$/.test(unpadded) || base64.length - unpadded.length > 2) return 'is not base64';
  const standard = unpadded.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Buffer.from(standard, 'base64');
  // Buffer.from ignores what it cannot decode; a round trip catches a truncated or mistyped key.
  if (bytes.toString('base64').replace(/=+$/, '') !== standard) return 'is not base64';
  if (bytes.length !== AES_256_KEY_BYTES) {
    return `decodes to ${bytes.length} bytes; AES-256 needs exactly ${AES_256_KEY_BYTES} (make one with: openssl rand -base64 32)`;
  }
  return bytes;
}
