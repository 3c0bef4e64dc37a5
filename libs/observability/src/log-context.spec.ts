import { changeLogContext, MAX_LOGGED_DEVICES } from './log-context';

describe('the change a log line belongs to, from a workflow or activity input', () => {
  it('takes the change id and device of a per-device input', () => {
    expect(changeLogContext({ changeId: 'c1', device: 'leaf01', kind: 'standard', config: { big: true } })).toEqual({ changeId: 'c1', device: 'leaf01' });
  });

  it('takes the device names of a change request and of a drift batch', () => {
    expect(changeLogContext({ changeId: 'c2', devices: ['leaf01', 'leaf02'] })).toEqual({ changeId: 'c2', devices: ['leaf01', 'leaf02'] });
    expect(changeLogContext({ devices: [{ device: 'leaf01', config: {} }, { device: 'spine01', config: {} }] })).toEqual({ devices: ['leaf01', 'spine01'] });
  });

  it('takes a drift run id', () => {
    expect(changeLogContext({ driftId: 'nightly', scope: { kind: 'all' } })).toEqual({ driftId: 'nightly' });
  });

  it('lists at most a few devices, with the count of all of them', () => {
    const devices = Array.from({ length: 50 }, (_, i) => `leaf${i}`);
    expect(changeLogContext({ devices })).toEqual({ devices: devices.slice(0, MAX_LOGGED_DEVICES), deviceCount: 50 });
  });

  it('says nothing about inputs without those fields or of other shapes', () => {
    expect(changeLogContext(undefined)).toEqual({});
    expect(changeLogContext('leaf01')).toEqual({});
    expect(changeLogContext([{ changeId: 'c1' }])).toEqual({});
    expect(changeLogContext({ changeId: 42, device: '', devices: 'leaf01' })).toEqual({});
  });
});
