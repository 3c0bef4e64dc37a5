import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every observability setting a worker reads, from the environment. One
 * schema for the three workers so a variable means the same thing to each.
 *
 *   SYNAPSE_METRICS_ADDRESS          ip:port of the Prometheus /metrics endpoint (unset: no endpoint)
 *   SYNAPSE_HEALTH_ADDRESS           host:port of /healthz and /readyz (unset: no endpoint; port 0: any free port)
 *   SYNAPSE_LOG_LEVEL                debug | info | warn | error (info)
 *   SYNAPSE_LOG_FORMAT               json | text (json)
 *   SYNAPSE_SHUTDOWN_GRACE_SECONDS   how long in-flight activities may run on after SIGTERM (30)
 */
export interface ObservabilitySettings {
  metricsAddress?: string;
  healthAddress?: string;
  logLevel: LogLevelName;
  logFormat: LogFormat;
  shutdownGraceSeconds: number;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
/** Far beyond any container runtime's stop timeout: a larger value is a typo (minutes written as seconds). */
export const MAX_SHUTDOWN_GRACE_SECONDS = 3600;

/** A setting the worker cannot start with; the message names every offending variable. */
export class ObservabilitySettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObservabilitySettingsError';
  }
}

const HOST_PORT = /^(?<host>\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(?<port>\d{1,5})$/;

function splitHostPort(value: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(value);
  if (!match?.groups) return undefined;
  const port = Number(match.groups.port);
  return port <= 65_535 ? { host: match.groups.host, port } : undefined;
}

/** Unset and blank are the same thing: docker-compose's `${VAR:-}` yields an empty string. */
const optionalText = z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined), z.string().optional());

const metricsAddress = optionalText.refine(
  (value) => {
    if (value === undefined) return true;
    const parts = splitHostPort(value);
    // The SDK's Rust core binds this itself and accepts only a socket address:
    // an IP literal, never a host name, and a known port (it cannot report one it chose).
    return parts !== undefined && isIP(parts.host.replace(/^\[|\]$/g, '')) !== 0 && parts.port > 0;
  },
  { message: 'must be ip:port with a port from 1 to 65535, e.g. 0.0.0.0:9464 or 127.0.0.1:9464 (a host name is not accepted)' },
);

const healthAddress = optionalText.refine((value) => value === undefined || splitHostPort(value) !== undefined, {
  message: 'must be host:port, e.g. 0.0.0.0:8080 or 127.0.0.1:8080 (port 0: any free port)',
});

/** Case and surrounding blanks do not matter: `INFO` and ` info` are info. */
const normalisedWord = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined);

const logLevel = z.preprocess(normalisedWord, z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional());
const logFormat = z.preprocess(normalisedWord, z.enum(LOG_FORMATS, { message: `must be one of ${LOG_FORMATS.join(', ')}` }).optional());

const graceSeconds = optionalText.refine(
  (value) => value === undefined || (/^\d+(\.\d+)?$/.test(value) && Number(value) <= MAX_SHUTDOWN_GRACE_SECONDS),
  { message: `must be a number of seconds from 0 to ${MAX_SHUTDOWN_GRACE_SECONDS}` },
);

export const ObservabilityEnv = z.object({
  SYNAPSE_METRICS_ADDRESS: metricsAddress,
  SYNAPSE_HEALTH_ADDRESS: healthAddress,
  SYNAPSE_LOG_LEVEL: logLevel,
  SYNAPSE_LOG_FORMAT: logFormat,
  SYNAPSE_SHUTDOWN_GRACE_SECONDS: graceSeconds,
});

export function observabilitySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ObservabilitySettings {
  const raw = {
    SYNAPSE_METRICS_ADDRESS: env.SYNAPSE_METRICS_ADDRESS,
    SYNAPSE_HEALTH_ADDRESS: env.SYNAPSE_HEALTH_ADDRESS,
    SYNAPSE_LOG_LEVEL: env.SYNAPSE_LOG_LEVEL,
    SYNAPSE_LOG_FORMAT: env.SYNAPSE_LOG_FORMAT,
    SYNAPSE_SHUTDOWN_GRACE_SECONDS: env.SYNAPSE_SHUTDOWN_GRACE_SECONDS,
  };
  const parsed = ObservabilityEnv.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0]) as keyof typeof raw;
      return `${variable} ${issue.message} (got ${JSON.stringify(raw[variable])})`;
    });
    throw new ObservabilitySettingsError(problems.join('; '));
  }
  const values = parsed.data;
  return {
    ...(values.SYNAPSE_METRICS_ADDRESS ? { metricsAddress: values.SYNAPSE_METRICS_ADDRESS } : {}),
    ...(values.SYNAPSE_HEALTH_ADDRESS ? { healthAddress: values.SYNAPSE_HEALTH_ADDRESS } : {}),
    logLevel: values.SYNAPSE_LOG_LEVEL ?? 'info',
    logFormat: values.SYNAPSE_LOG_FORMAT ?? 'json',
    shutdownGraceSeconds: values.SYNAPSE_SHUTDOWN_GRACE_SECONDS === undefined ? DEFAULT_SHUTDOWN_GRACE_SECONDS : Number(values.SYNAPSE_SHUTDOWN_GRACE_SECONDS),
  };
}

/** host and port of a `host:port` setting (already validated), for node:http. */
export function parseListenAddress(value: string, what: string): { host: string; port: number } {
  const parts = splitHostPort(value.trim());
  if (!parts) throw new ObservabilitySettingsError(`${what} must be host:port (got ${JSON.stringify(value)})`);
  return { host: parts.host.replace(/^\[|\]$/g, ''), port: parts.port };
}
