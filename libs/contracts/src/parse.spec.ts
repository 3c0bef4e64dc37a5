import { DeployConfigInput, DeviceTarget, NON_RETRYABLE_ERROR_TYPES, parseInput, SynapseError, toApplicationFailure } from './index';

describe('parseInput', () => {
  it('names every offending field in a non-retryable InvalidInput', () => {
    let caught: unknown;
    try {
      parseInput(DeployConfigInput, { device: 'bad name!', changeId: 'c1', config: {} }, 'deployConfig input');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SynapseError);
    const err = caught as SynapseError;
    expect(err.type).toBe('InvalidInput');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^deployConfig input: /);
    expect(err.details.fields).toEqual(['device', 'config']);
  });

  it('applies defaults on valid input', () => {
    const target = parseInput(DeviceTarget, { name: 'leaf01', address: '127.0.0.1:57400' }, 'target');
    expect(target.transport).toEqual({ mode: 'tls' });
    expect(target.timeoutMs).toBe(10_000);
  });
});

describe('error types', () => {
  it('keeps transport errors retryable and everything needing a human not', () => {
    expect(NON_RETRYABLE_ERROR_TYPES).toContain('AuthFailed');
    expect(NON_RETRYABLE_ERROR_TYPES).toContain('ConfigRejected');
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain('DeviceUnreachable');
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain('DeviceTimeout');
  });

  it('carries the type into the Temporal failure', () => {
    const failure = toApplicationFailure(new SynapseError('ConfigRejected', 'mtu out of range', { path: '/interface[name=ethernet-1/1]/mtu' }));
    expect(failure.type).toBe('ConfigRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ path: '/interface[name=ethernet-1/1]/mtu' }]);
    expect(toApplicationFailure(new SynapseError('DeviceTimeout', 'slow')).nonRetryable).toBe(false);
  });
});
