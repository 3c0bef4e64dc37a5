import { isSynapseError, type DeviceIntentInput } from '@synapse/contracts';
import { expectedState, renderConfig } from '../src';
import { editableIntent } from './lab';

/** The error a bad intent is refused with: non-retryable, naming the field. */
function refusal(intent: DeviceIntentInput, render: (i: DeviceIntentInput) => unknown = renderConfig) {
  try {
    render(intent);
  } catch (err) {
    if (!isSynapseError(err)) throw err;
    return { type: err.type, retryable: err.retryable, fields: err.details.fields, message: err.message };
  }
  throw new Error('the intent was accepted');
}

describe('a bad intent is refused before anything reaches a device, with the field named', () => {
  it('a neighbor referencing an unknown peer group (DeviceIntent parse)', () => {
    const intent = editableIntent('spine01');
    intent.bgp!.neighbors![2].peerGroup = 'spines';
    expect(refusal(intent)).toEqual({
      type: 'InvalidInput',
      retryable: false,
      fields: ['bgp.neighbors.2.peerGroup'],
      message: expect.stringContaining('peer group "spines" is not defined'),
    });
  });

  it('a peer group naming a policy that does not exist', () => {
    const intent = editableIntent('leaf01');
    intent.bgp!.groups![0].exportPolicies = ['underlay-export', 'no-such-policy'];
    expect(refusal(intent).fields).toEqual(['bgp.groups.0.exportPolicies.1']);
  });

  it('an interface name SR Linux does not have', () => {
    const intent = editableIntent('leaf01');
    intent.interfaces[1].name = 'eth1';
    const refused = refusal(intent);
    expect(refused.fields).toEqual(['interfaces.1.name']);
    expect(refused.message).toContain('"eth1" is not an SR Linux interface name');
  });

  it('an ethernet MTU below 1500, and an MTU on the system interface', () => {
    const low = editableIntent('leaf01');
    low.interfaces[0].mtu = 1400;
    expect(refusal(low)).toMatchObject({ type: 'InvalidInput', fields: ['interfaces.0.mtu'] });
    const onSystem = editableIntent('leaf01');
    onSystem.interfaces[2].mtu = 9000;
    expect(refusal(onSystem).fields).toEqual(['interfaces.2.mtu']);
  });

  it('system0 disabled (SR Linux requires it enabled)', () => {
    const intent = editableIntent('leaf01');
    intent.interfaces[2].enabled = false;
    expect(refusal(intent).fields).toEqual(['interfaces.2.enabled']);
  });

  it('mgmt0 given a non-management role', () => {
    const intent = editableIntent('leaf02');
    intent.interfaces.push({ name: 'mgmt0', role: 'fabric', ipv4Addresses: ['172.20.20.3/24'] });
    expect(refusal(intent).fields).toEqual(['interfaces.3.role']);
    const standby = editableIntent('leaf02');
    standby.interfaces.push({ name: 'mgmt0-standby', role: 'access' });
    expect(refusal(standby).fields).toEqual(['interfaces.3.role']);
  });

  it('the same neighbor twice', () => {
    const intent = editableIntent('leaf02');
    intent.bgp!.neighbors!.push({ ...intent.bgp!.neighbors![0] });
    expect(refusal(intent).fields).toEqual(['bgp.neighbors.2.peerAddress']);
  });

  it('a platform without a renderer', () => {
    const intent = editableIntent('leaf02');
    intent.platform = 'eos';
    expect(refusal(intent)).toMatchObject({ type: 'Unsupported', retryable: false, fields: ['platform'] });
  });

  it('expectedState refuses the same intents', () => {
    const intent = editableIntent('spine01');
    intent.bgp!.neighbors![0].peerGroup = 'nope';
    expect(refusal(intent, expectedState).fields).toEqual(['bgp.neighbors.0.peerGroup']);
  });
});
