import { SynapseError, toApplicationFailure } from '@synapse/contracts';
import { ApplicationFailure } from '@temporalio/common';
import { gnmiFailure } from './activity-interceptors';
import { labelValue, outcomeOf } from './labels';

const SET_REFUSED = { device: 'leaf01', address: '10.0.0.11:57400', rpc: 'Set', grpcCode: 3, grpcStatus: 'INVALID_ARGUMENT', deviceMessage: 'bad leaf' };

describe('the gNMI error labels of a failed device activity', () => {
  it('reads the gRPC status and the RPC from the ApplicationFailure the activity boundary throws', () => {
    const failure = toApplicationFailure(new SynapseError('ConfigRejected', 'leaf01 refused the config', SET_REFUSED));
    expect(gnmiFailure(failure)).toEqual({ code: 'INVALID_ARGUMENT', error_type: 'ConfigRejected', operation: 'Set' });
  });

  it('reads the same from a SynapseError an activity lets through unconverted', () => {
    expect(gnmiFailure(new SynapseError('DeviceTimeout', 'slow', { ...SET_REFUSED, rpc: 'Get', grpcCode: 4, grpcStatus: 'DEADLINE_EXCEEDED' }))).toEqual({
      code: 'DEADLINE_EXCEEDED',
      error_type: 'DeviceTimeout',
      operation: 'Get',
    });
  });

  it('falls back to the numeric code, and to `none` for failures the client raised without a status', () => {
    expect(gnmiFailure(new SynapseError('DeviceUnreachable', 'x', { rpc: 'Subscribe', grpcCode: 14 }))).toEqual({ code: '14', error_type: 'DeviceUnreachable', operation: 'Subscribe' });
    expect(gnmiFailure(new SynapseError('Unsupported', 'no JSON_IETF', { device: 'leaf01', rpc: 'Capabilities' }))).toEqual({
      code: 'none',
      error_type: 'Unsupported',
      operation: 'Capabilities',
    });
  });

  it('is not a gNMI error when no gNMI call failed: bad input, Infrahub, a bug', () => {
    expect(gnmiFailure(toApplicationFailure(new SynapseError('InvalidInput', 'deployConfig input: device: Required', { fields: ['device'] })))).toBeUndefined();
    expect(gnmiFailure(new SynapseError('InfrahubUnavailable', '503', { status: 503 }))).toBeUndefined();
    expect(gnmiFailure(ApplicationFailure.create({ message: 'no details' }))).toBeUndefined();
    expect(gnmiFailure(new TypeError('undefined is not a function'))).toBeUndefined();
    expect(gnmiFailure(undefined)).toBeUndefined();
  });
});

describe('metric label values', () => {
  it('keeps short identifiers and replaces anything else, so a free-text value cannot create series', () => {
    expect(labelValue('rolled-back')).toBe('rolled-back');
    expect(labelValue(14)).toBe('14');
    expect(labelValue('BGP never came up on leaf01')).toBe('other');
    expect(labelValue('x'.repeat(100))).toBe('other');
    expect(labelValue(undefined)).toBe('other');
  });

  it('reads the outcome of a result, `completed` when it has none', () => {
    expect(outcomeOf({ outcome: 'partially-failed', devices: [] })).toBe('partially-failed');
    expect(outcomeOf({ driftId: 'd1', devices: [] })).toBe('completed');
    expect(outcomeOf(undefined)).toBe('completed');
    expect(outcomeOf({ outcome: 'something long and free text' })).toBe('other');
  });
});
