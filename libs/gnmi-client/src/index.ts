// Public API of @synapse/gnmi-client. Anything not exported here is internal.

// The client and its target (gnmic's model: target separate from operations).
export { GnmiClient, type GnmiCapabilities, type GetResult, type SetResult, type GetConfigOptions } from './client';
export { GnmiClientPool, type CredentialsLookup } from './pool';
export {
  GnmiTarget,
  GnmiTransport,
  parseTarget,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  DEFAULT_KEEPALIVE_TIME_MS,
  type GnmiTargetInput,
  type GnmiCredentials,
  type GnmiClientOptions,
} from './target';
export type { CallOptions, GetOptions, SetOperations, SetOptions, PathValueInput, SubscribeOptions, SubscriptionSpec } from './requests';
export type { CommitAction } from './commit';
export type { GnmiSubscription, SubscriptionEvent } from './subscribe';
export type { PathValue } from './notifications';
export { errorTypeForStatus, type GnmiRpc } from './errors';

// Codecs shared with the device simulator.
export * from './path';
export * from './proto';
export * from './json-ietf';
export { decodeTypedValue, encodeTypedValue, integerFromWire, ValueDecodeError, type DecodeOptions, type ValueEncoding } from './values';
