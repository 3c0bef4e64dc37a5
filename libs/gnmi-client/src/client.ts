import * as grpc from '@grpc/grpc-js';
import type { SynapseError } from '@synapse/contracts';
import { createGnmiStub, watchConnectDeadline, type GnmiStub, type UnaryMethod, type UnaryRpcs } from './channel';
import type { CommitAction } from './commit';
import { assembleSubtree } from './config-tree';
import { credentialsForTarget, credentialsMetadata } from './credentials';
import { isSocketLevelFailure, portSpeaksTls } from './diagnose';
import { clientError, toGnmiError, type CallContext, type GnmiRpc } from './errors';
import { decodeNotification, laterTimestamp, pathFromWire, type PathValue } from './notifications';
import { formatPath, isWildcard, joinPaths, parsePath } from './path';
import type { UpdateOperation } from './proto';
import {
  buildGetRequest,
  buildSetRequest,
  buildSubscribeRequest,
  InvalidRequestError,
  validTimeoutMs,
  type CallOptions,
  type GetOptions,
  type SetOperations,
  type SetOptions,
  type SubscribeOptions,
} from './requests';
import { GnmiSubscription } from './subscribe';
import { parseClientOptions, parseCredentials, parseTarget, type GnmiClientOptions, type GnmiCredentials, type GnmiTarget, type GnmiTargetInput } from './target';
import { ValueDecodeError, type DecodeOptions } from './values';

export interface GnmiCapabilities {
  gnmiVersion: string;
  encodings: string[];
  models: { name: string; organization: string; version: string }[];
}

export interface GetResult {
  /** Latest notification timestamp (ns since the epoch, decimal string); undefined when the device sent none. */
  timestamp?: string;
  updates: PathValue[];
}

export interface SetResult {
  timestamp: string;
  results: { path: string; op: UpdateOperation }[];
}

export interface GetConfigOptions extends CallOptions, DecodeOptions {}

/** The TLS knock runs after a call has already failed; it may delay that failure by at most this much. */
const TLS_PROBE_TIMEOUT_MS = 1000;

/**
 * A gNMI client for one device: every verb of the gNMI service against one
 * target over one reused gRPC channel. Methods fail with typed SynapseErrors
 * (see errors.ts) that carry the device, RPC, gRPC status and the device's
 * own message — never the credentials.
 */
export class GnmiClient {
  readonly target: GnmiTarget;
  readonly #credentials: GnmiCredentials | undefined;
  readonly #stub: GnmiStub;
  readonly #subscriptions = new Set<GnmiSubscription>();
  #closed = false;

  constructor(target: GnmiTargetInput, credentials?: GnmiCredentials, options?: GnmiClientOptions) {
    this.target = parseTarget(target);
    const parsedOptions = parseClientOptions(options);
    this.#credentials = credentialsForTarget(this.target, parseCredentials(credentials, this.target.name), parsedOptions.plaintextCredentialsSetting);
    this.#stub = createGnmiStub(this.target, parsedOptions);
  }

  get name(): string {
    return this.target.name;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  async capabilities(options: CallOptions = {}): Promise<GnmiCapabilities> {
    const response = await this.unary('Capabilities', {}, options.timeoutMs);
    return {
      gnmiVersion: response.gNMI_version ?? '',
      // Vendor encodings outside the enum arrive as numbers; keep them visible.
      encodings: (response.supported_encodings ?? []).map(String),
      models: (response.supported_models ?? []).map((m) => ({ name: m.name ?? '', organization: m.organization ?? '', version: m.version ?? '' })),
    };
  }

  /** Get: paths may hold wildcards (`/interface[name=*]/oper-state`); each matching leaf or subtree is one update. */
  async get(paths: string | string[], options: GetOptions = {}): Promise<GetResult> {
    const ctx = this.context('Get');
    const request = this.build(ctx, () => buildGetRequest(paths, options));
    const response = await this.unary('Get', request, options.timeoutMs);
    let timestamp: string | undefined;
    const updates: PathValue[] = [];
    this.decode(ctx, () => {
      for (const notification of response.notification ?? []) {
        const decoded = decodeNotification(notification, options);
        timestamp = laterTimestamp(timestamp, decoded.timestamp);
        updates.push(...decoded.updates);
      }
    });
    return { timestamp, updates };
  }

  /**
   * The configuration at one path as a single JSON document: Get CONFIG in
   * JSON_IETF, module prefixes stripped unless asked to keep them. `/` (the
   * default) is the whole running config, the form backups take. null when
   * nothing is configured there.
   */
  async getConfig(path = '/', options: GetConfigOptions = {}): Promise<unknown> {
    const ctx = this.context('Get');
    const root = this.build(ctx, () => {
      const parsed = parsePath(path);
      if (isWildcard(parsed)) throw new InvalidRequestError('path', 'getConfig reads one subtree; use get() for wildcard paths');
      return parsed;
    });
    const result = await this.get(path, { ...options, type: 'CONFIG', encoding: 'JSON_IETF' });
    return assembleSubtree(root, result.updates.map((u) => ({ path: parsePath(u.path), value: u.value })));
  }

  /**
   * One Set request: deletes, replaces and updates applied atomically by the
   * device (all or nothing), optionally under the commit-confirmed extension.
   */
  async set(operations: SetOperations, options: SetOptions = {}): Promise<SetResult> {
    const ctx = { ...this.context('Set'), commitAction: options.commit?.action };
    const request = this.build(ctx, () => buildSetRequest(operations, options));
    const response = await this.unary('Set', request, options.timeoutMs, ctx);
    const prefix = pathFromWire(response.prefix);
    return {
      timestamp: response.timestamp ?? '0',
      results: (response.response ?? []).map((r) => ({ path: formatPath(joinPaths(prefix, pathFromWire(r.path))), op: r.op ?? 'INVALID' })),
    };
  }

  /** Keeps the pending confirmed commit `id`. */
  confirmCommit(id: string, options: CallOptions = {}): Promise<SetResult> {
    return this.set({}, { ...options, commit: { id, action: 'confirm' } satisfies CommitAction });
  }

  /** Reverts the pending confirmed commit `id` now. */
  cancelCommit(id: string, options: CallOptions = {}): Promise<SetResult> {
    return this.set({}, { ...options, commit: { id, action: 'cancel' } satisfies CommitAction });
  }

  /**
   * Subscribe. The returned subscription is an async iterable of events;
   * ONCE ends after the first sync, POLL answers poll(), STREAM runs until
   * close(). Only connecting has a deadline (connectTimeoutMs, else the
   * target's timeoutMs): a stream itself is meant to live for hours.
   */
  subscribe(options: SubscribeOptions): GnmiSubscription {
    const ctx = this.context('Subscribe');
    const request = this.build(ctx, () => {
      validTimeoutMs(options.connectTimeoutMs, 'connectTimeoutMs');
      return buildSubscribeRequest(options);
    });
    this.assertOpen();
    const connectTimeoutMs = options.connectTimeoutMs ?? this.target.timeoutMs;
    const call = this.#stub.Subscribe(this.metadata(), {});
    let stopWatching = () => {};
    const subscription = new GnmiSubscription(call, {
      mode: options.mode,
      keepModulePrefixes: options.keepModulePrefixes,
      toError: (err) => this.describeFailure(err, ctx),
      onFinished: () => {
        stopWatching();
        this.#subscriptions.delete(subscription);
      },
    });
    this.#subscriptions.add(subscription);
    stopWatching = watchConnectDeadline(this.#stub.getChannel(), connectTimeoutMs, () =>
      subscription.fail(clientError('DeviceTimeout', ctx, `no connection to the device within ${connectTimeoutMs} ms`, { timeoutMs: connectTimeoutMs })),
    );
    call.write(request);
    return subscription;
  }

  /** Closes the channel and any open subscriptions. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const subscription of this.#subscriptions) subscription.close();
    this.#subscriptions.clear();
    this.#stub.close();
  }

  /** The channel's state (IDLE, CONNECTING, READY, TRANSIENT_FAILURE, SHUTDOWN), for health reporting. */
  connectionState(): string {
    return grpc.connectivityState[this.#stub.getChannel().getConnectivityState(false)];
  }

  private unary<R extends keyof UnaryRpcs>(
    rpc: R,
    request: UnaryRpcs[R][0],
    timeoutMs: number | undefined,
    ctx: CallContext = this.context(rpc),
  ): Promise<UnaryRpcs[R][1]> {
    return new Promise<UnaryRpcs[R][1]>((resolve, reject) => {
      this.assertOpen();
      const timeout = this.build(ctx, () => validTimeoutMs(timeoutMs, 'timeoutMs')) ?? this.target.timeoutMs;
      const method = this.#stub[rpc] as UnaryMethod<UnaryRpcs[R][0], UnaryRpcs[R][1]>;
      method.call(this.#stub, request, this.metadata(), { deadline: Date.now() + timeout }, (err, response) => {
        if (err) this.describeFailure(err, ctx, { timeoutMs: timeout }).then(reject, reject);
        else resolve(response ?? {});
      });
    });
  }

  /**
   * The typed error for a failed call. A plaintext channel that could not
   * set up HTTP/2 on an open port gets one TLS knock, so "you are speaking
   * plaintext to a TLS port" is said plainly instead of "failed to connect".
   */
  private async describeFailure(err: unknown, ctx: CallContext, extra: Record<string, unknown> = {}): Promise<SynapseError> {
    if (err instanceof ValueDecodeError) {
      return clientError('Unsupported', ctx, `the device sent a value the client cannot decode: ${err.message}`);
    }
    const error = toGnmiError(err, ctx, extra);
    const message = String(error.details.deviceMessage ?? '');
    if (
      ctx.transportMode === 'plaintext' &&
      error.details.grpcCode === grpc.status.UNAVAILABLE &&
      error.type === 'DeviceUnreachable' &&
      !isSocketLevelFailure(message) &&
      (await portSpeaksTls(ctx.address, TLS_PROBE_TIMEOUT_MS))
    ) {
      return clientError(
        'TargetMisconfigured',
        ctx,
        `the device speaks TLS on ${ctx.address} but transport mode is plaintext (choose tls or skip-verify)`,
        { ...error.details },
      );
    }
    return error;
  }

  private build<T>(ctx: CallContext, make: () => T): T {
    try {
      return make();
    } catch (err) {
      if (err instanceof InvalidRequestError) throw clientError('InvalidInput', ctx, err.message, { fields: [err.field] });
      if (err instanceof Error && err.name === 'PathSyntaxError') throw clientError('InvalidInput', ctx, err.message, { fields: ['path'] });
      throw err;
    }
  }

  private decode(ctx: CallContext, run: () => void): void {
    try {
      run();
    } catch (err) {
      if (err instanceof ValueDecodeError) {
        throw clientError('Unsupported', ctx, `the device sent a value the client cannot decode: ${err.message}`);
      }
      throw err;
    }
  }

  private metadata(): grpc.Metadata {
    return credentialsMetadata(this.#credentials);
  }

  private context(rpc: GnmiRpc): CallContext {
    return { device: this.target.name, address: this.target.address, rpc, transportMode: this.target.transport.mode };
  }

  private assertOpen(): void {
    // Using a closed client is a programming error, not a device failure.
    if (this.#closed) throw new Error(`gNMI client for ${this.target.name} is closed`);
  }
}

