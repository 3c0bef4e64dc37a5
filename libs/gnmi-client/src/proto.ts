import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * The project's gnmi.proto / gnmi_ext.proto, loaded once for the client and
 * the simulator alike. Options matter on the wire boundary:
 *  - keepCase: field names exactly as in the proto (`json_ietf_val`, `gNMI_version`);
 *  - longs as String: gNMI timestamps are nanoseconds and exceed 2^53;
 *  - enums as String: `'JSON_IETF'`, `'CONFIG'`, readable in logs and tests;
 *  - oneofs: the chosen member is named (`value: 'json_ietf_val'`).
 */
export const PROTO_DIR = path.join(__dirname, '..', 'proto');

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let cached: grpc.GrpcObject | undefined;

export function loadGnmiProto(): grpc.GrpcObject {
  if (!cached) {
    const definition = protoLoader.loadSync(['gnmi.proto', 'gnmi_ext.proto'], PROTO_LOADER_OPTIONS);
    cached = grpc.loadPackageDefinition(definition);
  }
  return cached;
}

/** The `gnmi.gNMI` service: a client constructor, and `.service` for servers. */
export function gnmiServiceConstructor(): grpc.ServiceClientConstructor {
  const gnmi = loadGnmiProto().gnmi as grpc.GrpcObject;
  return gnmi.gNMI as grpc.ServiceClientConstructor;
}

// Wire shapes as proto-loader presents them with the options above. Numbers
// typed `string` are int64/uint64 fields.
export type Encoding = 'JSON' | 'BYTES' | 'PROTO' | 'ASCII' | 'JSON_IETF';
export type DataType = 'ALL' | 'CONFIG' | 'STATE' | 'OPERATIONAL';
export type SubscriptionListMode = 'STREAM' | 'ONCE' | 'POLL';
export type SubscriptionMode = 'TARGET_DEFINED' | 'ON_CHANGE' | 'SAMPLE';
export type UpdateOperation = 'INVALID' | 'DELETE' | 'REPLACE' | 'UPDATE' | 'UNION_REPLACE';

export interface WirePathElem {
  name: string;
  key?: Record<string, string>;
}
export interface WirePath {
  element?: string[];
  origin?: string;
  elem?: WirePathElem[];
  target?: string;
}
export interface WireDuration {
  seconds?: string | number;
  nanos?: number;
}
export interface WireTypedValue {
  value?: string;
  string_val?: string;
  int_val?: string;
  uint_val?: string;
  bool_val?: boolean;
  bytes_val?: Buffer;
  leaflist_val?: { element?: WireTypedValue[] };
  json_val?: Buffer;
  json_ietf_val?: Buffer;
  ascii_val?: string;
  proto_bytes?: Buffer;
  double_val?: number;
  /** Deprecated in the specification; still decoded for old targets. */
  float_val?: number;
  decimal_val?: { digits?: string; precision?: number };
  any_val?: { type_url?: string; value?: Buffer };
}
export interface WireUpdate {
  path?: WirePath;
  val?: WireTypedValue;
  duplicates?: number;
}
export interface WireNotification {
  timestamp?: string;
  prefix?: WirePath;
  update?: WireUpdate[];
  delete?: WirePath[];
  atomic?: boolean;
}
export interface WireCommit {
  id?: string;
  action?: 'commit' | 'confirm' | 'cancel' | 'set_rollback_duration';
  commit?: { rollback_duration?: WireDuration };
  confirm?: Record<string, never>;
  cancel?: Record<string, never>;
  set_rollback_duration?: { rollback_duration?: WireDuration };
}
export interface WireExtension {
  ext?: string;
  commit?: WireCommit;
  depth?: { level?: number };
  [other: string]: unknown;
}
export interface WireModelData {
  name?: string;
  organization?: string;
  version?: string;
}
export interface WireCapabilityRequest {
  extension?: WireExtension[];
}
export interface WireCapabilityResponse {
  supported_models?: WireModelData[];
  supported_encodings?: Encoding[];
  gNMI_version?: string;
  extension?: WireExtension[];
}
export interface WireGetRequest {
  prefix?: WirePath;
  path?: WirePath[];
  type?: DataType;
  encoding?: Encoding;
  use_models?: WireModelData[];
  extension?: WireExtension[];
}
export interface WireGetResponse {
  notification?: WireNotification[];
  extension?: WireExtension[];
}
export interface WireSetRequest {
  prefix?: WirePath;
  delete?: WirePath[];
  replace?: WireUpdate[];
  update?: WireUpdate[];
  union_replace?: WireUpdate[];
  extension?: WireExtension[];
}
export interface WireUpdateResult {
  path?: WirePath;
  op?: UpdateOperation;
}
export interface WireSetResponse {
  prefix?: WirePath;
  response?: WireUpdateResult[];
  timestamp?: string;
  extension?: WireExtension[];
}
export interface WireSubscription {
  path?: WirePath;
  mode?: SubscriptionMode;
  sample_interval?: string | number;
  suppress_redundant?: boolean;
  heartbeat_interval?: string | number;
}
export interface WireSubscriptionList {
  prefix?: WirePath;
  subscription?: WireSubscription[];
  mode?: SubscriptionListMode;
  allow_aggregation?: boolean;
  use_models?: WireModelData[];
  encoding?: Encoding;
  updates_only?: boolean;
}
export interface WireSubscribeRequest {
  request?: 'subscribe' | 'poll';
  subscribe?: WireSubscriptionList;
  poll?: Record<string, never>;
  extension?: WireExtension[];
}
export interface WireSubscribeResponse {
  response?: 'update' | 'sync_response' | 'error';
  update?: WireNotification;
  sync_response?: boolean;
  /** Deprecated in-band error (pre-0.4 targets). */
  error?: { code?: number; message?: string };
  extension?: WireExtension[];
}
