import * as grpc from '@grpc/grpc-js';
import { channelSecurityFor } from './credentials';
import {
  gnmiServiceConstructor,
  type WireCapabilityRequest,
  type WireCapabilityResponse,
  type WireGetRequest,
  type WireGetResponse,
  type WireSetRequest,
  type WireSetResponse,
  type WireSubscribeRequest,
  type WireSubscribeResponse,
} from './proto';
import type { GnmiClientOptions, GnmiTarget } from './target';

export type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: Response) => void,
) => grpc.ClientUnaryCall;

/** Request and response wire shapes of the unary gNMI methods. */
export interface UnaryRpcs {
  Capabilities: [WireCapabilityRequest, WireCapabilityResponse];
  Get: [WireGetRequest, WireGetResponse];
  Set: [WireSetRequest, WireSetResponse];
}

/** The gNMI service's methods as proto-loader generates them, typed with the wire shapes. */
export interface GnmiStub extends grpc.Client {
  Capabilities: UnaryMethod<WireCapabilityRequest, WireCapabilityResponse>;
  Get: UnaryMethod<WireGetRequest, WireGetResponse>;
  Set: UnaryMethod<WireSetRequest, WireSetResponse>;
  Subscribe(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<WireSubscribeRequest, WireSubscribeResponse>;
}

/**
 * The gRPC stub of one device: one channel (one HTTP/2 connection, kept and
 * re-established by grpc-js) that every call to the device shares.
 */
export function createGnmiStub(target: GnmiTarget, options: Required<GnmiClientOptions>): GnmiStub {
  const security = channelSecurityFor(target.transport, target.name);
  const channelOptions: grpc.ChannelOptions = {
    ...security.channelOptions,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    // Requests carry whole configs too (a root replace on rollback).
    'grpc.max_send_message_length': options.maxReceiveMessageBytes,
    'grpc.keepalive_time_ms': options.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs,
    // Pinging an idle connection is what servers punish with ENHANCE_YOUR_CALM.
    'grpc.keepalive_permit_without_calls': 0,
    // Retrying inside grpc-js would hide a Set's failure behind a second
    // attempt and stretch deadlines; callers (Temporal) own retries.
    'grpc.enable_retries': 0,
    // While the connection is down, calls fail fast with the last error until
    // the next reconnect attempt. gRPC's default backoff grows to 2 minutes,
    // longer than a device reboot; cap it so a restarted device is usable
    // again by the caller's next retry.
    'grpc.max_reconnect_backoff_ms': 10_000,
  };
  const Stub = gnmiServiceConstructor();
  return new Stub(target.address, security.credentials, channelOptions) as unknown as GnmiStub;
}

/**
 * Resolves when the channel is READY; rejects with `timedOut` when the
 * deadline passes first. A channel that fails outright (refused, TLS error)
 * is left to the call, which fails fast with the reason; this only guards
 * against a connection attempt that hangs (a blackholed address, a peer that
 * accepts TCP and never speaks). The returned function stops watching.
 */
export function watchConnectDeadline(channel: ReturnType<grpc.Client['getChannel']>, deadlineMs: number, onTimeout: () => void): () => void {
  let stopped = false;
  const deadline = Date.now() + deadlineMs;
  const watch = () => {
    if (stopped) return;
    const state = channel.getConnectivityState(true);
    if (state === grpc.connectivityState.READY) return;
    if (state === grpc.connectivityState.SHUTDOWN) return;
    channel.watchConnectivityState(state, deadline, (err) => {
      if (stopped) return;
      if (err) {
        stopped = true;
        onTimeout();
        return;
      }
      watch();
    });
  };
  watch();
  return () => {
    stopped = true;
  };
}
