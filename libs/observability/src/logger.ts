import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';
import type { LogFormat, LogLevelName } from './settings';

export interface LoggerOptions {
  /** The worker's name, on every line as `app`. */
  app: string;
  level: LogLevelName;
  format: LogFormat;
  /** Where finished lines go; stdout by default (a pipe write there is synchronous on Linux, so nothing is lost at exit). */
  write?: (line: string) => void;
}

export const SDK_LOG_LEVELS: Record<LogLevelName, LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/** Keys every line starts with; attributes of the same name are kept under `attr.<name>`. */
const BASE_KEYS = new Set(['time', 'level', 'app', 'message']);

/**
 * The Runtime's logger: one JSON object per line (or one readable line with
 * `text`), for the SDK's own messages, the Rust core's (forwarded), and the
 * workflows' and activities' `log` calls with the attributes the interceptors
 * add (workflowId, changeId, device, ...).
 *
 * The key is `app`, not `service`: the `npm start` supervisor and tests take
 * a JSON line with `service` as the worker's ready line.
 */
export function createLogger(options: LoggerOptions): DefaultLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const format = options.format === 'json' ? jsonLine : textLine;
  return new DefaultLogger(SDK_LOG_LEVELS[options.level], (entry) => write(format(options.app, entry)));
}

function timeOf(entry: LogEntry): string {
  return new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
}

export function jsonLine(app: string, entry: LogEntry): string {
  const line: Record<string, unknown> = { time: timeOf(entry), level: entry.level.toLowerCase(), app, message: entry.message };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    line[BASE_KEYS.has(key) ? `attr.${key}` : key] = value;
  }
  return `${safeStringify(line)}\n`;
}

export function textLine(app: string, entry: LogEntry): string {
  const attributes = Object.entries(entry.meta ?? {})
    .map(([key, value]) => `${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : safeStringify(value)}`)
    .join(' ');
  return `${timeOf(entry)} ${entry.level.padEnd(5)} ${app}: ${entry.message}${attributes ? ` ${attributes}` : ''}\n`;
}

/**
 * JSON.stringify for log attributes: errors keep their message, type and
 * stack (plain JSON drops them all), bigints become strings, bytes their
 * length, and a cycle or an absurd depth is cut instead of losing the line.
 */
export function safeStringify(value: unknown): string {
  return JSON.stringify(loggable(value, [], 0)) ?? 'null';
}

const MAX_DEPTH = 10;

function loggable(value: unknown, path: object[], depth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (path.includes(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  path.push(value);
  try {
    const nested = (inner: unknown) => loggable(inner, path, depth + 1);
    if (value instanceof Error) return mapValues(errorFields(value), nested);
    if (Array.isArray(value)) return value.map(nested);
    const { toJSON } = value as { toJSON?: unknown };
    if (typeof toJSON === 'function') return nested(toJSON.call(value));
    return mapValues(value as Record<string, unknown>, nested);
  } finally {
    path.pop();
  }
}

function mapValues(object: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  const { type, nonRetryable, details, cause } = error as Error & { type?: unknown; nonRetryable?: unknown; details?: unknown; cause?: unknown };
  if (type !== undefined && type !== null) fields.type = type;
  if (nonRetryable !== undefined) fields.nonRetryable = nonRetryable;
  if (details !== undefined && details !== null && !(Array.isArray(details) && details.length === 0)) fields.details = details;
  if (error.stack) fields.stack = error.stack;
  if (cause !== undefined) fields.cause = cause;
  return fields;
}
