import { ConfigPatch, DeployConfigInput, EmergencyChangeRequest, isSynapseError, parseInput } from './index';

const patch = { update: [{ path: '/interface[name=ethernet-1/1]/admin-state', value: 'disable' }] };
const valid = { changeId: 'em-1', devices: ['leaf01'], reason: 'flapping uplink', ticket: 'INC-7', requester: 'alice', source: { kind: 'patch', patch } };

function issues(input: unknown): string {
  try {
    parseInput(EmergencyChangeRequest, input, 'EmergencyChangeWorkflow input');
  } catch (err) {
    expect(isSynapseError(err, 'InvalidInput')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the request to be refused');
}

describe('EmergencyChangeRequest', () => {
  it('takes a patch request and applies the reduced validation by default', () => {
    const request = EmergencyChangeRequest.parse(valid);
    expect(request.validation).toEqual({ settleTimeoutSeconds: 15, commitConfirmed: true });
    expect(request.source).toEqual({ kind: 'patch', patch: { update: patch.update, delete: [] } });
  });

  it.each([
    ['reason', 'reason: an emergency change needs a reason'],
    ['ticket', 'ticket: an emergency change needs a ticket'],
    ['requester', 'requester: an emergency change needs a requester (the operator)'],
  ])('refuses a request without a %s, naming it', (field, message) => {
    const { [field as keyof typeof valid]: _dropped, ...rest } = valid;
    expect(issues(rest)).toContain(message);
    expect(issues({ ...valid, [field]: '   ' })).toContain(message);
  });

  it('refuses a patch on management paths, the root, or an empty patch', () => {
    expect(issues({ ...valid, source: { kind: 'patch', patch: { delete: ['/interface[name=mgmt0]'] } } })).toContain('source.patch.delete.0: /interface[name=mgmt0] is under /interface[name=mgmt0]');
    expect(issues({ ...valid, source: { kind: 'patch', patch: { update: [{ path: '/system/name', value: 'x' }] } } })).toContain('source.patch.update.0.path');
    expect(issues({ ...valid, source: { kind: 'patch', patch: { delete: ['/'] } } })).toContain('the root cannot be patched');
    expect(issues({ ...valid, source: { kind: 'patch', patch: {} } })).toContain('an empty patch');
  });

  it('refuses a device listed twice and a time to live under 10 s', () => {
    expect(issues({ ...valid, devices: ['leaf01', 'leaf01'] })).toContain('devices.1: leaf01 is listed twice');
    expect(issues({ ...valid, revertAfterSeconds: 3 })).toContain('revertAfterSeconds');
  });

  it('lets an interface named like a protected one through (mgmt0 is not mgmt01)', () => {
    expect(ConfigPatch.parse({ delete: ['/interface[name=mgmt01]'] }).delete).toEqual(['/interface[name=mgmt01]']);
  });
});

describe('DeployConfigInput', () => {
  it('refuses a deploy with nothing in it', () => {
    expect(() => parseInput(DeployConfigInput, { device: 'leaf01', changeId: 'c1' }, 'deployConfig input')).toThrow('nothing to deploy');
  });
});
