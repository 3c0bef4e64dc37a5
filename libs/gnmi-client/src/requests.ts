import { commitActionProblem, commitExtension, type CommitAction } from './commit';
import { parsePath, PathSyntaxError, type GnmiPath } from './path';
import type {
  DataType,
  Encoding,
  SubscriptionListMode,
  SubscriptionMode,
  WireGetRequest,
  WirePath,
  WireSetRequest,
  WireSubscribeRequest,
  WireSubscription,
  WireUpdate,
} from './proto';
import { encodeTypedValue, type DecodeOptions, type ValueEncoding } from './values';

/**
 * Caller-facing request options and their translation to wire requests. All
 * validation happens here, before anything is sent, so a bad request fails
 * at once with the field named instead of as a device error.
 */

export interface CallOptions {
  /** Deadline of this call; the target's timeoutMs when left out. */
  timeoutMs?: number;
}

export interface GetOptions extends CallOptions, DecodeOptions {
  /** Which data: CONFIG for a backup, STATE for operational checks. gNMI's default is ALL. */
  type?: DataType;
  /** JSON_IETF unless the device only offers JSON (see capabilities()). */
  encoding?: Encoding;
  /** Common prefix of the paths (`/network-instance[name=default]`). */
  prefix?: string;
}

export interface PathValueInput {
  path: string;
  value: unknown;
}

/** The operations of one Set: the device applies all of them or none, deletes first, then replaces, then updates. */
export interface SetOperations {
  delete?: string[];
  replace?: PathValueInput[];
  update?: PathValueInput[];
}

export interface SetOptions extends CallOptions {
  encoding?: ValueEncoding;
  prefix?: string;
  commit?: CommitAction;
}

export interface SubscriptionSpec {
  path: string;
  /** Per-path mode of a STREAM subscription; ignored by ONCE and POLL. */
  mode?: SubscriptionMode;
  /** SAMPLE period; 0 or left out lets the device pick its lowest. */
  sampleIntervalMs?: number;
  /** ON_CHANGE: resend unchanged values this often; SAMPLE with suppressRedundant: likewise. */
  heartbeatIntervalMs?: number;
  suppressRedundant?: boolean;
}

export interface SubscribeOptions extends DecodeOptions {
  mode: SubscriptionListMode;
  subscriptions: SubscriptionSpec[];
  encoding?: Encoding;
  prefix?: string;
  /** Skip the initial state: only changes after sync_response. */
  updatesOnly?: boolean;
  /** Deadline for the connection to be established; the stream itself has none. */
  connectTimeoutMs?: number;
}

export class InvalidRequestError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidRequestError';
  }
}

const DATA_TYPES: readonly DataType[] = ['ALL', 'CONFIG', 'STATE', 'OPERATIONAL'];
const ENCODINGS: readonly Encoding[] = ['JSON', 'BYTES', 'PROTO', 'ASCII', 'JSON_IETF'];
const VALUE_ENCODINGS: readonly ValueEncoding[] = ['JSON_IETF', 'JSON'];
const LIST_MODES: readonly SubscriptionListMode[] = ['STREAM', 'ONCE', 'POLL'];
const SUBSCRIPTION_MODES: readonly SubscriptionMode[] = ['TARGET_DEFINED', 'ON_CHANGE', 'SAMPLE'];

export function buildGetRequest(paths: string | string[], options: GetOptions): WireGetRequest {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (!Array.isArray(list) || list.length === 0) throw new InvalidRequestError('paths', 'at least one path ("/" for the root)');
  const type = options.type ?? 'ALL';
  const encoding = options.encoding ?? 'JSON_IETF';
  oneOf('type', type, DATA_TYPES);
  oneOf('encoding', encoding, ENCODINGS);
  const request: WireGetRequest = { path: list.map((p, i) => wirePath(p, `paths.${i}`)), type, encoding };
  if (options.prefix !== undefined) request.prefix = wirePath(options.prefix, 'prefix');
  return request;
}

export function buildSetRequest(operations: SetOperations, options: SetOptions): WireSetRequest {
  const encoding = options.encoding ?? 'JSON_IETF';
  oneOf('encoding', encoding, VALUE_ENCODINGS);
  const toUpdate = (item: PathValueInput, field: string): WireUpdate => {
    if (item === null || typeof item !== 'object') throw new InvalidRequestError(field, 'expected { path, value }');
    if (item.value === undefined) throw new InvalidRequestError(`${field}.value`, 'a value is required (use delete to remove a path)');
    return { path: wirePath(item.path, `${field}.path`), val: encodeTypedValue(item.value, encoding) };
  };
  const request: WireSetRequest = {
    delete: (operations.delete ?? []).map((p, i) => wirePath(p, `delete.${i}`)),
    replace: (operations.replace ?? []).map((item, i) => toUpdate(item, `replace.${i}`)),
    update: (operations.update ?? []).map((item, i) => toUpdate(item, `update.${i}`)),
  };
  if (options.prefix !== undefined) request.prefix = wirePath(options.prefix, 'prefix');

  const operationCount = request.delete!.length + request.replace!.length + request.update!.length;
  if (options.commit) {
    const problem = commitActionProblem(options.commit);
    if (problem) throw new InvalidRequestError('commit', problem);
    // Confirm and cancel act on the pending commit alone; operations with
    // them would be a second, unconfirmed change the device must refuse.
    if (operationCount > 0 && (options.commit.action === 'confirm' || options.commit.action === 'cancel')) {
      throw new InvalidRequestError('commit', `a ${options.commit.action} carries no delete/replace/update`);
    }
    request.extension = [commitExtension(options.commit)];
  } else if (operationCount === 0) {
    throw new InvalidRequestError('operations', 'a Set needs at least one delete, replace or update');
  }
  return request;
}

export function buildSubscribeRequest(options: SubscribeOptions): WireSubscribeRequest {
  oneOf('mode', options.mode, LIST_MODES);
  const encoding = options.encoding ?? 'JSON_IETF';
  oneOf('encoding', encoding, ENCODINGS);
  if (!Array.isArray(options.subscriptions) || options.subscriptions.length === 0) {
    throw new InvalidRequestError('subscriptions', 'at least one subscription');
  }
  const subscription = options.subscriptions.map((spec, i): WireSubscription => {
    const field = `subscriptions.${i}`;
    const wire: WireSubscription = { path: wirePath(spec.path, `${field}.path`) };
    if (spec.mode !== undefined) {
      oneOf(`${field}.mode`, spec.mode, SUBSCRIPTION_MODES);
      wire.mode = spec.mode;
    }
    if (spec.sampleIntervalMs !== undefined) wire.sample_interval = nanosFromMs(spec.sampleIntervalMs, `${field}.sampleIntervalMs`);
    if (spec.heartbeatIntervalMs !== undefined) wire.heartbeat_interval = nanosFromMs(spec.heartbeatIntervalMs, `${field}.heartbeatIntervalMs`);
    if (spec.suppressRedundant) wire.suppress_redundant = true;
    return wire;
  });
  const request: WireSubscribeRequest = {
    subscribe: { subscription, mode: options.mode, encoding, updates_only: options.updatesOnly ?? false },
  };
  if (options.prefix !== undefined) request.subscribe!.prefix = wirePath(options.prefix, 'prefix');
  return request;
}

export function validTimeoutMs(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidRequestError(field, 'must be a positive number of milliseconds');
  return value;
}

export function wirePath(text: string, field: string): WirePath {
  if (typeof text !== 'string') throw new InvalidRequestError(field, 'a path is a string like /interface[name=ethernet-1/1]');
  let path: GnmiPath;
  try {
    path = parsePath(text);
  } catch (err) {
    if (err instanceof PathSyntaxError) throw new InvalidRequestError(field, err.message);
    throw err;
  }
  const wire: WirePath = { elem: path.elem.map((e) => (e.key ? { name: e.name, key: { ...e.key } } : { name: e.name })) };
  if (path.origin) wire.origin = path.origin;
  return wire;
}

function nanosFromMs(ms: number, field: string): string {
  if (!Number.isInteger(ms) || ms < 0) throw new InvalidRequestError(field, 'must be a whole number of milliseconds, 0 or more');
  return (BigInt(ms) * 1_000_000n).toString();
}

function oneOf<T extends string>(field: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw new InvalidRequestError(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}
