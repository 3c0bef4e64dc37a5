import { SynapseError } from '@synapse/contracts';
import { policyNamesOf, toDeviceIntent, type InfrahubDevice, type InfrahubRoutingPolicy } from '../src/index';

/**
 * toDeviceIntent on data a server could send but the simulator's schema
 * forbids (no uniqueness constraint on statement order, a policy without a
 * default action): refused with every problem named, never guessed.
 */

const device = (importPolicies: string[], exportPolicies: string[]): InfrahubDevice => ({
  id: 'd1',
  name: 'leaf01',
  role: 'leaf',
  status: 'active',
  asn: 65001,
  branch: 'main',
  deployment: {},
  interfaces: [{ id: 'i1', name: 'system0', role: 'loopback', ipAddresses: ['10.1.0.2/32'] }],
  bgpSessions: [
    {
      id: 's1',
      status: 'active',
      remoteIp: '10.0.0.0/31',
      remoteAs: 65000,
      importPolicies: [],
      exportPolicies: [],
      peerGroup: { name: 'underlay', importPolicies, exportPolicies },
    },
    // A disabled session's group is not configured on the device, nor are the policies it names.
    {
      id: 's2',
      status: 'disabled',
      remoteIp: '10.0.0.2/31',
      remoteAs: 65000,
      importPolicies: [],
      exportPolicies: [],
      peerGroup: { name: 'spare', importPolicies: ['spare-in'], exportPolicies: [] },
    },
  ],
});

const loopbacks = { id: 'ps1', name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] };

/** `null`: the policy has no default action. */
function policy(name: string, statements: InfrahubRoutingPolicy['statements'], defaultAction: string | null = 'reject'): InfrahubRoutingPolicy {
  return { id: `p-${name}`, name, ...(defaultAction === null ? {} : { defaultAction }), statements };
}

function refusal(fn: () => unknown): SynapseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SynapseError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('toDeviceIntent with routing policies', () => {
  it('names only the policies of configured sessions', () => {
    expect(policyNamesOf(device(['in-b', 'in-a'], ['out']))).toEqual(['in-a', 'in-b', 'out']);
  });

  it('orders statements by sequence, whatever order the server listed them in, and keeps only the prefix sets they use', () => {
    const intent = toDeviceIntent(device(['in'], ['out']), [
      policy('in', [
        { id: 'b', name: 'second', sequence: 20, action: 'reject', matchProtocol: 'static' },
        { id: 'a', name: 'first', sequence: 10, action: 'accept', matchPrefixSet: loopbacks },
      ]),
      // Not named by any group of this device: not its business.
      policy('elsewhere', [{ id: 'c', name: 'x', sequence: 10, action: 'accept', matchPrefixSet: { id: 'ps2', name: 'other', prefixes: [{ prefix: '192.0.2.0/24' }] } }]),
    ]);
    expect(intent.routingPolicies).toEqual([
      {
        name: 'in',
        defaultAction: 'reject',
        statements: [
          { name: 'first', match: { prefixSet: 'loopbacks' }, action: 'accept' },
          { name: 'second', match: { protocol: 'static' }, action: 'reject' },
        ],
      },
    ]);
    expect(intent.prefixSets).toEqual([{ name: 'loopbacks', prefixes: [{ prefix: '10.1.0.0/16', maskLengthRange: '32..32' }] }]);
    // `out` is defined nowhere: the device's own, left on the group.
    expect(intent.bgp!.groups).toEqual([{ name: 'underlay', importPolicies: ['in'], exportPolicies: ['out'] }]);
  });

  it('takes an entry without a range as exact, the schema default', () => {
    const intent = toDeviceIntent(device(['in'], []), [policy('in', [{ id: 'a', name: 'a', sequence: 1, action: 'accept', matchPrefixSet: { id: 'ps', name: 'nets', prefixes: [{ prefix: '192.0.2.0/24' }] } }])]);
    expect(intent.prefixSets).toEqual([{ name: 'nets', prefixes: [{ prefix: '192.0.2.0/24', maskLengthRange: 'exact' }] }]);
  });

  it('refuses what would make the policy ambiguous, listing every problem', () => {
    const err = refusal(() =>
      toDeviceIntent(device(['in'], []), [
        policy(
          'in',
          [
            { id: 'a', name: 'a', sequence: 10, action: 'accept' },
            { id: 'b', name: 'b', sequence: 10, action: 'accept' },
            { id: 'c', name: 'c', action: 'accept' },
            { id: 'd', name: 'd', sequence: 30 },
            { id: 'e', name: 'e', sequence: 40, action: 'accept', matchPrefixSet: { id: 'ps', name: 'empty', prefixes: [] } },
          ],
          null,
        ),
      ]),
    );
    expect(err.type).toBe('InvalidInput');
    expect(err.details.problems).toEqual([
      'routing policy "in" has no default_action',
      'routing policy "in" statements "a" and "b" share sequence 10, so their order is unknown',
      'routing policy "in" statement "c" has no sequence, so its place in the policy is unknown',
      'routing policy "in" statement "d" has no action',
      'prefix set "empty" (matched by routing policy "in" statement "e") has no prefixes',
    ]);
    expect(err.message).toContain('device "leaf01" on branch "main" cannot form a device intent');
  });

  it('refuses a dropdown value contracts do not know, naming the field', () => {
    const err = refusal(() => toDeviceIntent(device(['in'], []), [policy('in', [{ id: 'a', name: 'a', sequence: 10, action: 'accept', matchProtocol: 'ospf' }])]));
    expect(err.type).toBe('InvalidInput');
    expect(err.details.fields).toEqual(['routingPolicies.0.statements.0.match.protocol']);
  });
});

describe('toDeviceIntent: the far end of a session', () => {
  const withFarEnd = (session: Partial<InfrahubDevice['bgpSessions'][number]>): InfrahubDevice => {
    const base = device(['underlay-in'], []);
    return { ...base, bgpSessions: [{ ...base.bgpSessions[0]!, ...session }] };
  };
  const peerDevice = (session: Partial<InfrahubDevice['bgpSessions'][number]>) => toDeviceIntent(withFarEnd(session), []).bgp!.neighbors[0]!.peerDevice;

  it("takes the peer session's device first, then the remote address's, else none", () => {
    expect(peerDevice({ peerSession: { id: 's9', device: 'spine01' }, remoteIpDevice: 'spine02' })).toBe('spine01');
    expect(peerDevice({ peerSession: { id: 's9' }, remoteIpDevice: 'spine02' })).toBe('spine02');
    expect(peerDevice({ remoteIpDevice: 'spine02' })).toBe('spine02');
    expect(peerDevice({})).toBeUndefined();
  });

  it('never names the device as its own far end', () => {
    expect(peerDevice({ peerSession: { id: 's9', device: 'leaf01' } })).toBeUndefined();
    expect(peerDevice({ remoteIpDevice: 'leaf01' })).toBeUndefined();
  });
});
