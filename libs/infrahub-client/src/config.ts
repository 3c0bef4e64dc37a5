import { z } from 'zod';
import { SynapseError } from '@synapse/contracts';

/**
 * Where Infrahub is and how to authenticate, read from the environment under
 * the names the Infrahub Python SDK uses (INFRAHUB_ADDRESS, INFRAHUB_API_TOKEN,
 * INFRAHUB_USERNAME, INFRAHUB_PASSWORD, INFRAHUB_DEFAULT_BRANCH,
 * INFRAHUB_TIMEOUT), so one set of variables serves this client, infrahubctl
 * and the SDK alike. Explicit options win over the environment.
 */

export interface RetryOptions {
  /** Attempts of one request in total, the first included. */
  maxAttempts?: number;
  /** First backoff delay; each further attempt doubles it (with jitter) up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Longest Retry-After (429) the client waits out. A server asking for more
   * is failed at once as InfrahubUnavailable, so the activity's own retry
   * policy (not a sleeping request) decides when to come back.
   */
  maxRetryAfterMs?: number;
}

/** Receives retry and re-authentication notices. Messages never hold secrets. */
export interface InfrahubLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}

export interface InfrahubClientOptions {
  /** Base URL, e.g. http://localhost:8000 (a path prefix behind a proxy is kept). */
  address?: string;
  apiToken?: string;
  username?: string;
  password?: string;
  /**
   * Branch used when a call names none. Unset (and no INFRAHUB_DEFAULT_BRANCH),
   * such calls go to `/graphql`, the server's own default branch.
   */
  defaultBranch?: string;
  /** Deadline of one HTTP attempt, in seconds (fractions allowed). */
  timeoutSeconds?: number;
  retry?: RetryOptions;
  logger?: InfrahubLogger;
  /** Environment to read unset options from; process.env when absent. */
  env?: Record<string, string | undefined>;
}

export type InfrahubAuth =
  | { mode: 'token'; apiToken: string }
  | { mode: 'password'; username: string; password: string }
  /** Anonymous: Infrahub allows reads without credentials unless configured otherwise. */
  | { mode: 'none' };

export interface InfrahubConfig {
  address: string;
  auth: InfrahubAuth;
  defaultBranch: string;
  /** Whether defaultBranch was set (option or environment) rather than assumed. */
  defaultBranchConfigured: boolean;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  logger?: InfrahubLogger;
}

export const DEFAULT_BRANCH = 'main';
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 30_000,
};

const Retry = z.object({
  maxAttempts: z.number().int().min(1).max(20),
  baseDelayMs: z.number().min(0).max(60_000),
  maxDelayMs: z.number().min(0).max(300_000),
  maxRetryAfterMs: z.number().min(0).max(3_600_000),
});

/**
 * Resolves options and environment into one validated config. Failures are
 * InvalidInput naming the option or variable, never its value: the value may
 * be a token or a password.
 */
export function resolveConfig(options: InfrahubClientOptions = {}): InfrahubConfig {
  const env = options.env ?? process.env;
  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  const addressRaw = options.address ?? fromEnv('INFRAHUB_ADDRESS');
  if (addressRaw === undefined) {
    return invalid('address', 'INFRAHUB_ADDRESS', 'is not set (give the Infrahub URL, e.g. http://localhost:8000)');
  }
  const url = parseUrl(addressRaw.trim());
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return invalid('address', 'INFRAHUB_ADDRESS', 'must be an http(s) URL like http://localhost:8000');
  }
  if (url.username || url.password) {
    return invalid('address', 'INFRAHUB_ADDRESS', 'must not carry credentials; use INFRAHUB_API_TOKEN or INFRAHUB_USERNAME/INFRAHUB_PASSWORD');
  }

  const configuredBranch = options.defaultBranch ?? fromEnv('INFRAHUB_DEFAULT_BRANCH');
  const defaultBranch = configuredBranch ?? DEFAULT_BRANCH;
  if (defaultBranch.trim() === '') return invalid('defaultBranch', 'INFRAHUB_DEFAULT_BRANCH', 'must not be empty');

  let timeoutSeconds = options.timeoutSeconds;
  if (timeoutSeconds === undefined) {
    const raw = fromEnv('INFRAHUB_TIMEOUT');
    timeoutSeconds = raw === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(raw);
  }
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600) {
    return invalid('timeoutSeconds', 'INFRAHUB_TIMEOUT', 'must be a number of seconds above 0 and at most 3600');
  }

  const retry = Retry.safeParse({ ...DEFAULT_RETRY, ...options.retry });
  if (!retry.success) {
    const issue = retry.error.issues[0];
    const field = `retry.${issue?.path.map(String).join('.') ?? ''}`;
    throw new SynapseError('InvalidInput', `Infrahub client option ${field}: ${issue?.message ?? 'invalid'}`, { fields: [field] });
  }

  return {
    // Endpoint paths are appended to it, so a trailing slash would double up.
    address: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
    auth: resolveAuth(options, fromEnv),
    defaultBranch,
    defaultBranchConfigured: configuredBranch !== undefined,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    retry: retry.data,
    logger: options.logger,
  };
}

function resolveAuth(options: InfrahubClientOptions, fromEnv: (name: string) => string | undefined): InfrahubAuth {
  // Credentials given explicitly replace the environment's as a set: mixing a
  // token from one source with a password from the other is never intended.
  const explicit = options.apiToken !== undefined || options.username !== undefined || options.password !== undefined;
  const apiToken = explicit ? options.apiToken : fromEnv('INFRAHUB_API_TOKEN');
  const username = explicit ? options.username : fromEnv('INFRAHUB_USERNAME');
  const password = explicit ? options.password : fromEnv('INFRAHUB_PASSWORD');
  const source = explicit ? 'options' : 'environment';

  if (apiToken !== undefined && (username !== undefined || password !== undefined)) {
    throw new SynapseError(
      'InvalidInput',
      `Infrahub credentials (${source}): give either an API token (INFRAHUB_API_TOKEN) or a username and password (INFRAHUB_USERNAME, INFRAHUB_PASSWORD), not both`,
      { fields: ['apiToken', 'username', 'password'] },
    );
  }
  if (apiToken !== undefined) {
    if (apiToken === '') return invalid('apiToken', 'INFRAHUB_API_TOKEN', 'must not be empty');
    return { mode: 'token', apiToken };
  }
  if (username !== undefined || password !== undefined) {
    if (!username) return invalid('username', 'INFRAHUB_USERNAME', `is required with a password (${source})`);
    if (!password) return invalid('password', 'INFRAHUB_PASSWORD', `is required with a username (${source})`);
    return { mode: 'password', username, password };
  }
  return { mode: 'none' };
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function invalid(option: string, variable: string, reason: string): never {
  throw new SynapseError('InvalidInput', `Infrahub client ${option} (${variable}) ${reason}`, { fields: [option] });
}
