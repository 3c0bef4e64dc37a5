import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { encryptionKeyringFromEnv, type EncryptionKeyring } from './encryption-keys';
import { pickEnv, SettingsProblems, type Env } from './env';

/**
 * The codec server's settings (apps/codec-server), beside the keys it shares
 * with the workers:
 *
 *   SYNAPSE_CODEC_SERVER_HOST       interface to listen on (127.0.0.1)
 *   SYNAPSE_CODEC_SERVER_PORT       port (8888; 0 = any free port)
 *   SYNAPSE_CODEC_CORS_ORIGINS      comma-separated browser origins allowed to call it: the Temporal
 *                                   Web UI's (http://localhost:8233)
 *   SYNAPSE_CODEC_AUTH_TOKENS_FILE  optional: one bearer token a line (# comments); when set, a request
 *                                   without `Authorization: Bearer <one of them>` is refused with 401
 */
export const CODEC_SERVER_VARIABLES = ['SYNAPSE_CODEC_SERVER_HOST', 'SYNAPSE_CODEC_SERVER_PORT', 'SYNAPSE_CODEC_CORS_ORIGINS', 'SYNAPSE_CODEC_AUTH_TOKENS_FILE'] as const;

export const DEFAULT_CODEC_SERVER_PORT = 8888;
export const DEFAULT_CODEC_SERVER_HOST = '127.0.0.1';
export const DEFAULT_CODEC_CORS_ORIGINS = ['http://localhost:8233'];

export interface CodecServerSettings {
  host: string;
  port: number;
  corsOrigins: string[];
  /** Undefined: no authentication (loopback or behind an authenticating proxy). */
  authTokens?: string[];
  authTokensFile?: string;
  keyring: EncryptionKeyring;
}

const CodecServerEnv = z.object({
  SYNAPSE_CODEC_SERVER_HOST: z.string().regex(/^\S+$/, 'a host name or address, without spaces').default(DEFAULT_CODEC_SERVER_HOST),
  SYNAPSE_CODEC_SERVER_PORT: z
    .string()
    .superRefine((value, ctx) => {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) ctx.addIssue({ code: 'custom', message: `a port from 0 to 65535 (got ${JSON.stringify(value)})` });
    })
    .transform(Number)
    .default(DEFAULT_CODEC_SERVER_PORT),
  SYNAPSE_CODEC_CORS_ORIGINS: z
    .string()
    .transform((value, ctx) => {
      const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
      for (const origin of origins) {
        if (!isOrigin(origin)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(origin)} is not an origin like http://localhost:8233 (scheme, host, optional port; no path, no *)` });
      }
      return origins.map((o) => o.replace(/\/$/, ''));
    })
    .default(DEFAULT_CODEC_CORS_ORIGINS),
  SYNAPSE_CODEC_AUTH_TOKENS_FILE: z.string().optional(),
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Every setting checked, the tokens file and the keys read; throws an InvalidInput SynapseError naming each problem. */
export function codecServerSettingsFromEnv(env: Env = process.env): CodecServerSettings {
  const problems = new SettingsProblems();
  const parsed = CodecServerEnv.safeParse(pickEnv(env, CODEC_SERVER_VARIABLES));
  if (!parsed.success) problems.addZodIssues(parsed.error.issues);
  let keyring: EncryptionKeyring | undefined;
  try {
    keyring = encryptionKeyringFromEnv(env);
    if (!keyring) problems.add('SYNAPSE_ENCRYPTION_KEYS', 'no encryption key is configured: set SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS (the keys the workers use)');
  } catch (err) {
    problems.addMessage((err as Error).message);
  }
  const tokensFile = parsed.success && parsed.data.SYNAPSE_CODEC_AUTH_TOKENS_FILE ? path.resolve(parsed.data.SYNAPSE_CODEC_AUTH_TOKENS_FILE) : undefined;
  const authTokens = tokensFile ? readTokens(tokensFile, problems) : undefined;
  problems.throwIfAny('Codec server settings');
  const vars = parsed.data!;
  return {
    host: vars.SYNAPSE_CODEC_SERVER_HOST,
    port: vars.SYNAPSE_CODEC_SERVER_PORT,
    corsOrigins: vars.SYNAPSE_CODEC_CORS_ORIGINS,
    ...(authTokens ? { authTokens, authTokensFile: tokensFile } : {}),
    keyring: keyring!,
  };
}

function readTokens(file: string, problems: SettingsProblems): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    problems.add('SYNAPSE_CODEC_AUTH_TOKENS_FILE', `cannot read ${file} (${why})`);
    return undefined;
  }
  const tokens: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const token = line.trim();
    if (token === '' || token.startsWith('#')) return;
    // The line number, never the line: it is a credential.
    if (/\s/.test(token)) problems.add('SYNAPSE_CODEC_AUTH_TOKENS_FILE', `${file} line ${index + 1}: a token is one word, without spaces`);
    else tokens.push(token);
  });
  if (tokens.length === 0) problems.add('SYNAPSE_CODEC_AUTH_TOKENS_FILE', `${file} holds no token (one a line; # starts a comment)`);
  return tokens;
}
