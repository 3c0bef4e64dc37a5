import type * as grpc from '@grpc/grpc-js';
import type { SynapseError } from '@synapse/contracts';
import { decodeNotification } from './notifications';
import type { SubscriptionListMode, WireSubscribeRequest, WireSubscribeResponse } from './proto';
import type { DecodeOptions } from './values';

export type SubscriptionEvent =
  | { kind: 'update'; path: string; value: unknown; timestamp: string }
  | { kind: 'delete'; path: string; timestamp: string }
  /** sync_response: the initial state (or a poll's answer) is complete. */
  | { kind: 'sync' };

export type SubscribeCall = grpc.ClientDuplexStream<WireSubscribeRequest, WireSubscribeResponse>;

export interface SubscriptionSetup extends DecodeOptions {
  mode: SubscriptionListMode;
  /** Maps a call failure to the typed error the iterator throws. */
  toError: (err: unknown) => Promise<SynapseError>;
  /** Called once when the subscription has ended for any reason. */
  onFinished?: () => void;
}

/*
 * Events are buffered between the gRPC stream and the consumer. Past the high
 * mark the stream is paused so HTTP/2 flow control slows the device instead
 * of memory growing without bound; it resumes below the low mark.
 */
const HIGH_WATER_EVENTS = 10_000;
const LOW_WATER_EVENTS = 1_000;

/**
 * One Subscribe RPC as an async iterable of events. A failure of the stream
 * is thrown from the iterator as a typed SynapseError: a subscription never
 * stalls silently. Breaking out of `for await` closes it.
 */
export class GnmiSubscription implements AsyncIterableIterator<SubscriptionEvent> {
  private readonly queue: SubscriptionEvent[] = [];
  private waiting: { resolve: (r: IteratorResult<SubscriptionEvent>) => void; reject: (e: unknown) => void } | undefined;
  private failure: Promise<SynapseError> | undefined;
  private ended = false;
  private closedByCaller = false;
  private paused = false;
  private finishedNotified = false;

  constructor(
    private readonly call: SubscribeCall,
    private readonly setup: SubscriptionSetup,
  ) {
    call.on('data', (response: WireSubscribeResponse) => this.onResponse(response));
    call.on('error', (err: Error & { code?: number }) => {
      // Our own cancel() surfaces as CANCELLED: that is a close, not a failure.
      if (this.closedByCaller) return;
      this.failure ??= setup.toError(err);
      this.settle();
    });
    call.on('end', () => {
      this.ended = true;
      this.settle();
    });
  }

  /** POLL mode: ask the device for a fresh snapshot, answered by updates then a sync event. */
  poll(): void {
    if (this.setup.mode !== 'POLL') throw new Error(`poll() needs a POLL subscription; this one is ${this.setup.mode}`);
    if (this.closedByCaller || this.ended || this.failure) throw new Error('poll() on a subscription that has ended');
    this.call.write({ poll: {} });
  }

  /** Ends the subscription; next() then reports done (or the failure that had already ended the stream). */
  close(): void {
    if (this.closedByCaller) return;
    this.closedByCaller = true;
    this.queue.length = 0;
    this.call.cancel();
    this.settle();
  }

  /**
   * Ends the subscription with an error raised by the client itself; GnmiClient
   * uses it when the connection deadline passes before the channel is ready.
   */
  fail(error: SynapseError): void {
    this.abort(Promise.resolve(error));
  }

  get isActive(): boolean {
    return !(this.closedByCaller || this.ended || this.failure);
  }

  next(): Promise<IteratorResult<SubscriptionEvent>> {
    if (this.waiting) return Promise.reject(new Error('a subscription supports one consumer at a time'));
    const event = this.queue.shift();
    if (event) {
      this.resumeIfDrained();
      return Promise.resolve({ value: event, done: false });
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.settle();
    });
  }

  return(): Promise<IteratorResult<SubscriptionEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private abort(failure: Promise<SynapseError>): void {
    if (this.closedByCaller || this.ended || this.failure) return;
    this.failure = failure;
    this.closedByCaller = true; // the CANCELLED that follows is ours
    this.call.cancel();
    this.settle();
  }

  private onResponse(response: WireSubscribeResponse): void {
    if (this.closedByCaller) return;
    try {
      this.enqueue(response);
    } catch (err) {
      // A notification the client cannot decode ends the subscription loudly
      // rather than being skipped: a skipped update is a silent stall.
      this.abort(this.setup.toError(err));
    }
  }

  private enqueue(response: WireSubscribeResponse): void {
    const kind = response.response ?? (response.update ? 'update' : response.sync_response !== undefined ? 'sync_response' : undefined);
    if (kind === 'update' && response.update) {
      const notification = decodeNotification(response.update, this.setup);
      for (const path of notification.deletes) this.queue.push({ kind: 'delete', path, timestamp: notification.timestamp });
      for (const update of notification.updates) this.queue.push({ kind: 'update', ...update });
    } else if (kind === 'sync_response') {
      this.queue.push({ kind: 'sync' });
    } else if (kind === 'error') {
      // The deprecated in-band Error of pre-0.4 targets: a failure all the same.
      const inBand = response.error ?? {};
      const err = Object.assign(new Error(inBand.message ?? 'error in subscription stream'), {
        code: inBand.code ?? 2,
        details: inBand.message ?? 'error in subscription stream',
      });
      this.abort(this.setup.toError(err));
      return;
    }
    if (this.queue.length > HIGH_WATER_EVENTS && !this.paused) {
      this.paused = true;
      this.call.pause();
    }
    this.settle();
  }

  private resumeIfDrained(): void {
    if (this.paused && this.queue.length < LOW_WATER_EVENTS) {
      this.paused = false;
      this.call.resume();
    }
  }

  /** Hands the next event, the end, or the failure to a waiting consumer. */
  private settle(): void {
    const finished = this.closedByCaller || (this.queue.length === 0 && (this.ended || this.failure !== undefined));
    if (finished) this.notifyFinished();
    const waiting = this.waiting;
    if (!waiting) return;
    const event = this.queue.shift();
    if (event) {
      this.waiting = undefined;
      this.resumeIfDrained();
      waiting.resolve({ value: event, done: false });
      return;
    }
    if (this.failure) {
      this.waiting = undefined;
      this.failure.then(waiting.reject, waiting.reject);
      return;
    }
    if (this.closedByCaller || this.ended) {
      this.waiting = undefined;
      waiting.resolve({ value: undefined, done: true });
    }
  }

  private notifyFinished(): void {
    if (this.finishedNotified) return;
    this.finishedNotified = true;
    this.setup.onFinished?.();
  }
}
