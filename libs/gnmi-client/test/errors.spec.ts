import * as grpc from '@grpc/grpc-js';
import { ERROR_TYPES, SynapseError } from '@synapse/contracts';
import { errorTypeForStatus, toGnmiError, type CallContext, type GnmiRpc } from '../src/errors';

const ctx = (rpc: GnmiRpc, transportMode: CallContext['transportMode'] = 'plaintext'): CallContext => ({
  device: 'leaf01',
  address: '127.0.0.1:57400',
  rpc,
  transportMode,
});

function grpcError(code: grpc.status, details: string): Error {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}

describe('gRPC status -> typed error', () => {
  it.each([
    ['UNAVAILABLE', 'Get', 'DeviceUnreachable', true],
    ['DEADLINE_EXCEEDED', 'Get', 'DeviceTimeout', true],
    ['DEADLINE_EXCEEDED', 'Set', 'DeviceTimeout', true],
    ['UNAUTHENTICATED', 'Capabilities', 'AuthFailed', false],
    ['PERMISSION_DENIED', 'Set', 'AuthFailed', false],
    ['INVALID_ARGUMENT', 'Set', 'ConfigRejected', false],
    ['INVALID_ARGUMENT', 'Get', 'InvalidInput', false],
    ['NOT_FOUND', 'Get', 'InvalidInput', false],
    ['NOT_FOUND', 'Set', 'ConfigRejected', false],
    ['ALREADY_EXISTS', 'Set', 'ConfigRejected', false],
    ['FAILED_PRECONDITION', 'Set', 'CommitPending', false],
    ['FAILED_PRECONDITION', 'Subscribe', 'DeviceBusy', false],
    ['UNIMPLEMENTED', 'Subscribe', 'Unsupported', false],
    ['UNIMPLEMENTED', 'Set', 'Unsupported', false],
    ['RESOURCE_EXHAUSTED', 'Get', 'DeviceUnreachable', true],
    ['ABORTED', 'Set', 'DeviceUnreachable', true],
    ['CANCELLED', 'Subscribe', 'DeviceUnreachable', true],
    ['INTERNAL', 'Set', 'ConfigRejected', false],
    ['UNKNOWN', 'Set', 'ConfigRejected', false],
    ['INTERNAL', 'Get', 'DeviceUnreachable', true],
    ['DATA_LOSS', 'Subscribe', 'DeviceUnreachable', true],
  ] as const)('%s on %s -> %s (retryable %s)', (status, rpc, type, retryable) => {
    expect(errorTypeForStatus(grpc.status[status], rpc)).toBe(type);
    const error = toGnmiError(grpcError(grpc.status[status], 'device says no'), ctx(rpc));
    expect(error).toBeInstanceOf(SynapseError);
    expect(error.type).toBe(type);
    expect(error.retryable).toBe(retryable);
    expect(ERROR_TYPES[error.type].retryable).toBe(retryable);
  });

  it('reads FAILED_PRECONDITION on a Set by its commit action', () => {
    const set = (commitAction?: CallContext['commitAction']) =>
      toGnmiError(grpcError(grpc.status.FAILED_PRECONDITION, 'x'), { ...ctx('Set'), commitAction });
    expect(set().type).toBe('CommitPending');
    expect(set('commit').type).toBe('CommitPending');
    // Nothing pending any more: the change expired or was reverted by a restart.
    expect(set('confirm').type).toBe('ConfigRejected');
    expect(set('cancel').type).toBe('ConfigRejected');
    expect(set('set-rollback-duration').type).toBe('ConfigRejected');
    expect(set('confirm').details.commitAction).toBe('confirm');
  });

  it('keeps device, address, RPC, gRPC code and the device message', () => {
    const error = toGnmiError(grpcError(grpc.status.INVALID_ARGUMENT, 'mtu 100 out of range 1500..9500'), ctx('Set'));
    expect(error.message).toBe('leaf01 (127.0.0.1:57400) Set: device refused the configuration (INVALID_ARGUMENT): mtu 100 out of range 1500..9500');
    expect(error.details).toEqual({
      device: 'leaf01',
      address: '127.0.0.1:57400',
      rpc: 'Set',
      grpcCode: grpc.status.INVALID_ARGUMENT,
      grpcStatus: 'INVALID_ARGUMENT',
      deviceMessage: 'mtu 100 out of range 1500..9500',
    });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('marks a Set cut off in transit as of unknown outcome', () => {
    expect(toGnmiError(grpcError(grpc.status.UNAVAILABLE, 'Connection dropped'), ctx('Set')).details.outcome).toBe('unknown');
    expect(toGnmiError(grpcError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), ctx('Set')).details.outcome).toBe('unknown');
    expect(toGnmiError(grpcError(grpc.status.INVALID_ARGUMENT, 'bad'), ctx('Set')).details.outcome).toBeUndefined();
    expect(toGnmiError(grpcError(grpc.status.UNAVAILABLE, 'x'), ctx('Get')).details.outcome).toBeUndefined();
  });

  it('shortens grpc-js connection prose to the underlying reason', () => {
    const error = toGnmiError(
      grpcError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '),
      ctx('Get'),
    );
    expect(error.message).toBe('leaf01 (127.0.0.1:57400) Get: device could not be reached (UNAVAILABLE): connect ECONNREFUSED 127.0.0.1:1');
  });

  it.each([
    ['TLS client on a plaintext port', 'No connection established. Last error: Error: 80FC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:350:\n. Resolution note: ', 'skip-verify', /does not speak TLS on 127\.0\.0\.1:57400, but transport mode is skip-verify/],
    ['untrusted self-signed certificate', 'No connection established. Last error: Error: self-signed certificate. Resolution note: ', 'tls', /certificate is not trusted.*caFile or caPem/],
    ['certificate for another name', "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list", 'tls', /certificate is not trusted/],
    ['response above the receive limit', 'Received message larger than max (9437184 vs 4194304)', 'plaintext', /exceeds the client receive limit \(maxReceiveMessageBytes\)/],
  ] as const)('names a misconfiguration instead of a transient failure: %s', (_case, details, mode, message) => {
    const code = /larger than max/.test(details) ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.UNAVAILABLE;
    const error = toGnmiError(grpcError(code, details), ctx('Get', mode));
    expect(error.type).toBe('TargetMisconfigured');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(message);
  });

  it('wraps a non-gRPC failure as unreachable and passes SynapseErrors through', () => {
    expect(toGnmiError(new Error('socket hang up'), ctx('Get')).type).toBe('DeviceUnreachable');
    const original = new SynapseError('AuthFailed', 'no');
    expect(toGnmiError(original, ctx('Get'))).toBe(original);
  });
});
