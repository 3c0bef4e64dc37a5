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

  it('a policy statement matching a prefix set the intent does not define', () => {
    const intent = editableIntent('leaf01');
    intent.routingPolicies![0].statements![0].match = { prefixSet: 'no-such-set' };
    expect(refusal(intent)).toMatchObject({ fields: ['routingPolicies.0.statements.0.match.prefixSet'], message: expect.stringContaining('prefix set "no-such-set" is not defined') });
  });

  it('the same statement twice in a policy, and the same prefix set twice', () => {
    const statements = editableIntent('leaf01');
    statements.routingPolicies![0].statements!.push({ ...statements.routingPolicies![0].statements![0] });
    expect(refusal(statements).fields).toEqual(['routingPolicies.0.statements.1.name']);
    const sets = editableIntent('leaf01');
    sets.prefixSets!.push({ ...sets.prefixSets![0] });
    expect(refusal(sets).fields).toEqual(['prefixSets.1.name']);
  });

  it('interface names outside SR Linux 25.3 ranges (slot 1..99, port 1..128), while breakout children and irb are accepted', () => {
    for (const name of ['ethernet-1/129', 'ethernet-100/1', 'ethernet-1/0', 'lag1001', 'lo256']) {
      const intent = editableIntent('leaf01');
      intent.interfaces[1].name = name;
      expect(refusal(intent).fields).toEqual(['interfaces.1.name']);
    }
    const accepted = editableIntent('leaf01');
    accepted.interfaces.push({ name: 'ethernet-1/5/1', mtu: 9214 }, { name: 'ethernet-99/128', mtu: 1500 }, { name: 'irb0' });
    expect(Object.keys(renderConfig(accepted))).toEqual(expect.arrayContaining(['/interface[name=ethernet-1/5/1]', '/interface[name=ethernet-99/128]', '/interface[name=irb0]']));
  });

  it('an interface name SR Linux does not have', () => {
    const intent = editableIntent('leaf01');
    intent.interfaces[1].name = 'eth1';
    const refused = refusal(intent);
    expect(refused.fields).toEqual(['interfaces.1.name']);
    expect(refused.message).toContain('"eth1" is not an SR Linux interface name');
  });

  it('an ethernet or LAG MTU below 1500, and an MTU on the system interface', () => {
    const lag = editableIntent('leaf01');
    lag.interfaces.push({ name: 'lag1', mtu: 1450 });
    expect(refusal(lag).fields).toEqual(['interfaces.3.mtu']);
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
