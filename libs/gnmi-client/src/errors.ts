import * as grpc from '@grpc/grpc-js';
import { ERROR_TYPES, SynapseError, type ErrorType } from '@synapse/contracts';

export type GnmiRpc = 'Capabilities' | 'Get' | 'Set' | 'Subscribe';

/** Who was called and how: everything an operator needs to find the failing call. */
export interface CallContext {
  device: string;
  address: string;
  rpc: GnmiRpc;
  transportMode: 'plaintext' | 'skip-verify' | 'tls';
  /** The commit-confirmed action a Set carried, which changes what FAILED_PRECONDITION means. */
  commitAction?: 'commit' | 'confirm' | 'cancel' | 'set-rollback-duration';
}

/**
 * gRPC status -> the product's error type. gNMI targets use the codes the
 * specification assigns (INVALID_ARGUMENT for a bad Set, FAILED_PRECONDITION
 * for a pending confirmed commit, NOT_FOUND for a path that does not exist),
 * so the RPC decides between near meanings.
 */
export function errorTypeForStatus(code: grpc.status, rpc: GnmiRpc, commitAction?: CallContext['commitAction']): ErrorType {
  switch (code) {
    case grpc.status.UNAVAILABLE:
      return 'DeviceUnreachable';
    case grpc.status.DEADLINE_EXCEEDED:
      return 'DeviceTimeout';
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      return 'AuthFailed';
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.ALREADY_EXISTS:
    case grpc.status.OUT_OF_RANGE:
      return rpc === 'Set' ? 'ConfigRejected' : 'InvalidInput';
    case grpc.status.NOT_FOUND:
      // A Set that names a missing parent is refused config; a read of a
      // path the device does not have is a wrong request.
      return rpc === 'Set' ? 'ConfigRejected' : 'InvalidInput';
    case grpc.status.FAILED_PRECONDITION:
      // The commit-confirmed extension's answer to a commit or plain Set while
      // another commit awaits confirmation. To a confirm, cancel or new
      // rollback duration it means the opposite: no such commit is pending
      // any more (it expired, or the device restarted and reverted it), so
      // the change is not in place. Outside Set it means the device's state
      // forbids the call right now, which another change holding it best describes.
      if (rpc !== 'Set') return 'DeviceBusy';
      return commitAction === undefined || commitAction === 'commit' ? 'CommitPending' : 'ConfigRejected';
    case grpc.status.UNIMPLEMENTED:
      return 'Unsupported';
    case grpc.status.RESOURCE_EXHAUSTED:
    case grpc.status.ABORTED:
    case grpc.status.CANCELLED:
      // Overload, a lost race, a call cut short by the device: transient.
      return 'DeviceUnreachable';
    default:
      // UNKNOWN, INTERNAL, DATA_LOSS, OK-without-response. A failed write is
      // not retried blindly (the rollback path takes over); a failed read is
      // safe to retry.
      return rpc === 'Set' ? 'ConfigRejected' : 'DeviceUnreachable';
  }
}

/**
 * Failures whose cause is the client's settings, recognisable from the
 * message grpc-js and OpenSSL give. Retrying these only repeats them.
 */
const MISCONFIGURATION_PATTERNS: { pattern: RegExp; explain: (ctx: CallContext) => string }[] = [
  {
    // OpenSSL reading a plaintext HTTP/2 preface as a TLS record.
    pattern: /wrong version number|packet length too long|unknown protocol/i,
    explain: (ctx) => `the device does not speak TLS on ${ctx.address}, but transport mode is ${ctx.transportMode} (is this a plaintext port?)`,
  },
  {
    pattern:
      /self[- ]signed certificate|unable to (verify|get local issuer|get issuer)|certificate (has expired|is not yet valid|signature failure)|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED/i,
    explain: (ctx) =>
      `the device's TLS certificate is not trusted with transport mode ${ctx.transportMode}: give its CA (transport.caFile or caPem) and, if its name differs from the address, transport.serverName; or choose skip-verify knowingly`,
  },
  {
    pattern: /Received message larger than max/i,
    explain: () => 'the response exceeds the client receive limit (maxReceiveMessageBytes)',
  },
];

export interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
}

function isGrpcError(err: unknown): err is GrpcErrorLike & Error {
  return err instanceof Error && typeof (err as GrpcErrorLike).code === 'number';
}

/** Turns whatever a grpc-js call failed with into the product's typed error. */
export function toGnmiError(err: unknown, ctx: CallContext, extra: Record<string, unknown> = {}): SynapseError {
  if (err instanceof SynapseError) return err;
  if (!isGrpcError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new SynapseError('DeviceUnreachable', `${where(ctx)}: ${message}`, { ...baseDetails(ctx), ...extra }, { cause: err });
  }
  const code = err.code as grpc.status;
  const deviceMessage = err.details ?? err.message ?? '';
  const grpcStatus = grpc.status[code] ?? String(code);
  const details: Record<string, unknown> = { ...baseDetails(ctx), grpcCode: code, grpcStatus, deviceMessage, ...extra };
  // A write cut off in transit may or may not have been applied.
  if (ctx.rpc === 'Set' && (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED)) {
    details.outcome = 'unknown';
  }

  const misconfiguration = MISCONFIGURATION_PATTERNS.find((m) => m.pattern.test(deviceMessage));
  if (misconfiguration) {
    return new SynapseError(
      'TargetMisconfigured',
      `${where(ctx)}: ${misconfiguration.explain(ctx)} (${grpcStatus}: ${readable(deviceMessage)})`,
      details,
      { cause: err },
    );
  }
  const type = errorTypeForStatus(code, ctx.rpc, ctx.commitAction);
  return new SynapseError(type, `${where(ctx)}: ${ERROR_TYPES[type].summary} (${grpcStatus}): ${readable(deviceMessage)}`, details, {
    cause: err,
  });
}

/** A typed error raised by the client itself (no gRPC status behind it). */
export function clientError(type: ErrorType, ctx: CallContext, reason: string, extra: Record<string, unknown> = {}): SynapseError {
  return new SynapseError(type, `${where(ctx)}: ${reason}`, { ...baseDetails(ctx), ...extra });
}

function where(ctx: CallContext): string {
  return `${ctx.device} (${ctx.address}) ${ctx.rpc}`;
}

function baseDetails(ctx: CallContext): Record<string, unknown> {
  const details: Record<string, unknown> = { device: ctx.device, address: ctx.address, rpc: ctx.rpc };
  if (ctx.commitAction) details.commitAction = ctx.commitAction;
  return details;
}

/** grpc-js wraps connection failures in load-balancer prose; keep the part that says what happened. */
function readable(message: string): string {
  const lastError = /Last error: (?:Error: )?([\s\S]*?)\.?\s*Resolution note:/.exec(message);
  return (lastError ? lastError[1] : message).trim();
}
