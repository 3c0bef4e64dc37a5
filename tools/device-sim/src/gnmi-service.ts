import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  type DataType,
  type WireCapabilityResponse,
  type WireGetRequest,
  type WireGetResponse,
  type WireNotification,
  type WireSetRequest,
  type WireSetResponse,
  type WireSubscribeRequest,
  type WireSubscribeResponse,
  type WireUpdate,
} from '@synapse/gnmi-client';
import { parseCommitExtension } from './commit-confirmed';
import type { SimDevice } from './device';
import { checkEncoding, encodeJsonValue, renderMatch, renderNode, SUPPORTED_ENCODINGS, type RenderOptions } from './encoding';
import { GnmiError, invalidArgument, notFound, toServiceError } from './errors';
import { fromWirePath, resolvePath, toWirePath, withPrefix, type ResolvedPath } from './paths';
import { applySetOperations } from './set-request';
import { SRL_SCHEMA, SUPPORTED_MODELS } from './srl-model';
import { handleSubscribe } from './subscribe';
import { nowNs } from './timestamps';
import { findLocations, type JsonObject } from './tree';

export const GNMI_VERSION = '0.10.0';

export function createGnmiService(device: SimDevice): UntypedServiceImplementation {
  return {
    Capabilities: unary(device, () => capabilities()),
    Get: unary(device, (request: WireGetRequest) => get(device, request)),
    Set: unary(device, (request: WireSetRequest, call: ServerUnaryCall<WireSetRequest, WireSetResponse>) => set(device, request, call.getPeer())),
    Subscribe: (call: ServerDuplexStream<WireSubscribeRequest, WireSubscribeResponse>) => handleSubscribe(device, call),
  };
}

/** Injected latency, then credentials, then the handler; errors become gRPC statuses. */
function unary<Request, Response>(
  device: SimDevice,
  handler: (request: Request, call: ServerUnaryCall<Request, Response>) => Response | typeof DROPPED,
) {
  // grpc-js ignores a handler's return value; every outcome, errors included, goes through callback.
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>): void => {
    void (async () => {
      try {
        await device.delay();
        if (call.cancelled) return;
        device.authenticate(call.metadata);
        const response = handler(call.request, call);
        if (response === DROPPED) return;
        callback(null, response);
      } catch (error) {
        callback(toServiceError(error));
      }
    })();
  };
}

/** The handler cut the connection; there is nobody to answer. */
const DROPPED = Symbol('dropped');

function capabilities(): WireCapabilityResponse {
  // Commit-confirmed is deliberately not advertised, as real devices do not.
  return { supported_models: SUPPORTED_MODELS, supported_encodings: SUPPORTED_ENCODINGS, gNMI_version: GNMI_VERSION };
}

function get(device: SimDevice, request: WireGetRequest): WireGetResponse {
  const ietf = checkEncoding(request.encoding);
  const type: DataType = request.type ?? 'ALL';
  const prefix = fromWirePath(request.prefix);
  const paths = (request.path?.length ?? 0) > 0 ? request.path!.map(fromWirePath) : [{ elem: [] }];
  const resolved = paths.map((path) => resolvePath(withPrefix(prefix, path)));
  const view = device.view();
  const options: RenderOptions = { ietf, type };
  const notification = resolved.map((path): WireNotification => {
    const update = matchUpdates(view, path, options);
    if (update.length === 0) {
      const kind = type === 'ALL' ? '' : `${type === 'CONFIG' ? 'config' : 'state'} `;
      throw notFound(`${path.text}: no ${kind}data at this path`);
    }
    const out: WireNotification = { timestamp: nowNs(), update };
    if (prefix.target) out.prefix = { target: prefix.target };
    return out;
  });
  return { notification };
}

/** One Update per concrete match; the root is one value holding everything. */
function matchUpdates(view: JsonObject, path: ResolvedPath, options: RenderOptions): WireUpdate[] {
  if (path.elems.length === 0) {
    return [{ path: { elem: [] }, val: encodeJsonValue(renderNode(SRL_SCHEMA, view, options) ?? {}, options.ietf) }];
  }
  const updates: WireUpdate[] = [];
  for (const location of findLocations(view, path.elems)) {
    const value = renderMatch(location.node, location.value, options);
    if (value === undefined) continue;
    updates.push({ path: toWirePath(location.elems, options.ietf), val: encodeJsonValue(value, options.ietf) });
  }
  return updates;
}

function set(device: SimDevice, request: WireSetRequest, peer: string): WireSetResponse | typeof DROPPED {
  const faults = device.faultState;
  const hasOperations = (request.delete?.length ?? 0) + (request.replace?.length ?? 0) + (request.update?.length ?? 0) + (request.union_replace?.length ?? 0) > 0;
  // A one-shot fault waits for the Set it targets: any Set, or the next one carrying config.
  const targets = (fault: { configOnly: boolean } | undefined) => fault !== undefined && (!fault.configOnly || hasOperations);
  if (targets(faults.failNextSet)) {
    const { code, message } = faults.failNextSet!;
    faults.failNextSet = undefined;
    throw new GnmiError(code as status, message);
  }
  const drop = targets(faults.dropNextSet) ? faults.dropNextSet!.when : undefined;
  if (drop) faults.dropNextSet = undefined;
  if (drop === 'before-apply' && device.listener.dropConnection(peer)) return DROPPED;

  const commit = parseCommitExtension(request.extension);
  if (!commit) device.commits.assertNoPending();
  else {
    device.commits.check(commit);
    if (commit.action !== 'commit' && hasOperations) {
      throw invalidArgument(`commit ${commit.action} for "${commit.id}" must not carry deletes, replaces or updates`);
    }
  }

  let response: WireSetResponse = { response: [], timestamp: nowNs() };
  if (!commit || commit.action === 'commit') {
    const before = device.config;
    const outcome = applySetOperations(before, request);
    if (commit) device.commits.begin(commit.id, before, commit.rollbackMs);
    device.commitConfig(outcome.config);
    response = { response: outcome.results, timestamp: nowNs() };
    if (request.prefix) response.prefix = request.prefix;
  } else if (commit.action === 'confirm') {
    device.confirmCommit(commit.id);
  } else if (commit.action === 'cancel') {
    device.commitConfig(device.commits.cancel(commit.id));
  } else {
    device.commits.setRollbackDuration(commit.id, commit.rollbackMs);
  }

  // Every action lands before the drop, a confirm or cancel included: that is how a client loses a confirm's answer.
  if (drop === 'after-apply' && device.listener.dropConnection(peer)) return DROPPED;
  return response;
}
