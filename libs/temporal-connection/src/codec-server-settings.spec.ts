import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { codecServerSettingsFromEnv } from './codec-server-settings';

describe('codec server settings from the environment', () => {
  const keys = `k1=${randomBytes(32).toString('base64')}`;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'codec-settings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function problemOf(env: Record<string, string>): string {
    expect(() => codecServerSettingsFromEnv(env)).toThrow();
    try {
      codecServerSettingsFromEnv(env);
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  }

  it('listens on 127.0.0.1:8888 for the local Web UI by default, without authentication', () => {
    const settings = codecServerSettingsFromEnv({ SYNAPSE_ENCRYPTION_KEYS: keys });
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 8888, corsOrigins: ['http://localhost:8233'] });
    expect(settings.authTokens).toBeUndefined();
    expect(settings.keyring.activeKeyId).toBe('k1');
  });

  it('reads the tokens file, one token a line, comments and blank lines skipped', () => {
    const file = path.join(dir, 'tokens');
    writeFileSync(file, '# ops team\nalice-token\n\n  bob-token  \n');
    const settings = codecServerSettingsFromEnv({
      SYNAPSE_ENCRYPTION_KEYS: keys,
      SYNAPSE_CODEC_AUTH_TOKENS_FILE: file,
      SYNAPSE_CODEC_CORS_ORIGINS: 'https://temporal.example.net, http://localhost:8233/',
      SYNAPSE_CODEC_SERVER_HOST: '0.0.0.0',
      SYNAPSE_CODEC_SERVER_PORT: '0',
    });
    expect(settings).toMatchObject({ host: '0.0.0.0', port: 0, authTokens: ['alice-token', 'bob-token'], authTokensFile: file, corsOrigins: ['https://temporal.example.net', 'http://localhost:8233'] });
  });

  it('names each bad setting, never echoing a token', () => {
    const spaced = path.join(dir, 'spaced');
    writeFileSync(spaced, 'alice token\n');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_AUTH_TOKENS_FILE: spaced })).toContain(`SYNAPSE_CODEC_AUTH_TOKENS_FILE: ${spaced} line 1: a token is one word`);
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_AUTH_TOKENS_FILE: spaced })).not.toContain('alice token');
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '# nobody yet\n');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_AUTH_TOKENS_FILE: empty })).toContain(`${empty} holds no token`);
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_AUTH_TOKENS_FILE: path.join(dir, 'none') })).toContain('(no such file)');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_CORS_ORIGINS: '*' })).toContain('SYNAPSE_CODEC_CORS_ORIGINS: "*" is not an origin');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_CORS_ORIGINS: 'http://localhost:8233/ui' })).toContain('"http://localhost:8233/ui" is not an origin');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_SERVER_PORT: '70000' })).toContain('SYNAPSE_CODEC_SERVER_PORT: a port from 0 to 65535 (got "70000")');
    expect(problemOf({})).toContain('no encryption key is configured');
    expect(problemOf({ SYNAPSE_ENCRYPTION_KEYS: 'k1=short' })).toContain('Payload encryption settings: SYNAPSE_ENCRYPTION_KEYS: key "k1"');
  });
});
