/**
 * The commit-confirmed extension end to end: a change that stays only when
 * confirmed, reverts when cancelled or forgotten, and blocks other writes
 * while it waits.
 */
import { referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import type { GnmiClient } from '@synapse/gnmi-client';
import { clientFor, expectTypedError, routedInterface, sleep } from './lab';

describe('commit confirmed', () => {
  let sim: DeviceSim;
  let leaf01: GnmiClient;

  const change = (description: string) => ({
    replace: [{ path: '/interface[name=ethernet-1/5]', value: routedInterface('ethernet-1/5', '10.5.0.0', description) }],
  });
  const description = () =>
    (sim.runningConfig('leaf01') as { interface: { name: string; description?: string }[] }).interface.find((i) => i.name === 'ethernet-1/5')?.description;

  beforeAll(async () => {
    sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 });
    leaf01 = clientFor(sim, 'leaf01');
  });
  afterAll(async () => {
    leaf01?.close();
    await sim?.stop();
  });

  it('commit then confirm: the change stays', async () => {
    const result = await leaf01.set(change('confirmed change'), { commit: { id: 'chg-confirm', action: 'commit', rollbackDurationMs: 60_000 } });
    expect(result.results).toEqual([{ path: '/interface[name=ethernet-1/5]', op: 'REPLACE' }]);
    expect(description()).toBe('confirmed change');
    await leaf01.confirmCommit('chg-confirm');
    expect(description()).toBe('confirmed change');
    // Nothing pends any more: a plain Set goes through.
    await leaf01.set({ update: [{ path: '/interface[name=ethernet-1/5]/description', value: 'after confirm' }] });
    expect(description()).toBe('after confirm');
  });

  it('commit then cancel: the device goes back to the config before the commit', async () => {
    const before = sim.runningConfig('leaf01');
    await leaf01.set(change('cancelled change'), { commit: { id: 'chg-cancel', action: 'commit', rollbackDurationMs: 60_000 } });
    expect(description()).toBe('cancelled change');
    await leaf01.cancelCommit('chg-cancel');
    expect(sim.runningConfig('leaf01')).toEqual(before);
  });

  it('reverts by itself when not confirmed within the rollback duration', async () => {
    const before = sim.runningConfig('leaf01');
    await leaf01.set(change('forgotten change'), { commit: { id: 'chg-forgotten', action: 'commit', rollbackDurationMs: 1000 } });
    expect(description()).toBe('forgotten change');
    await sleep(1400);
    expect(sim.runningConfig('leaf01')).toEqual(before);
    // The device reverted: confirming now finds nothing pending, so the change is not in place.
    const error = await expectTypedError(leaf01.confirmCommit('chg-forgotten'), 'ConfigRejected');
    expect(error.details).toMatchObject({ grpcStatus: 'FAILED_PRECONDITION', commitAction: 'confirm' });
  });

  it('a new rollback duration postpones the revert', async () => {
    await leaf01.set(change('extended change'), { commit: { id: 'chg-extend', action: 'commit', rollbackDurationMs: 1000 } });
    await leaf01.set({}, { commit: { id: 'chg-extend', action: 'set-rollback-duration', rollbackDurationMs: 60_000 } });
    await sleep(1300);
    expect(description()).toBe('extended change');
    await leaf01.cancelCommit('chg-extend');
  });

  it('while a commit pends, another Set or commit is refused as CommitPending and a wrong id as ConfigRejected', async () => {
    await leaf01.set(change('pending change'), { commit: { id: 'chg-pending', action: 'commit', rollbackDurationMs: 60_000 } });
    try {
      const plain = await expectTypedError(leaf01.set({ update: [{ path: '/interface[name=ethernet-1/5]/description', value: 'sneaky' }] }), 'CommitPending');
      expect(plain.retryable).toBe(false);
      expect(plain.details).toMatchObject({ device: 'leaf01', rpc: 'Set', grpcStatus: 'FAILED_PRECONDITION' });
      expect(plain.message).toContain('chg-pending');

      const second = await expectTypedError(leaf01.set(change('second commit'), { commit: { id: 'chg-second', action: 'commit' } }), 'CommitPending');
      expect(second.details).toMatchObject({ commitAction: 'commit', grpcStatus: 'FAILED_PRECONDITION' });

      const wrongId = await expectTypedError(leaf01.confirmCommit('chg-other'), 'ConfigRejected');
      expect(wrongId.details).toMatchObject({ grpcStatus: 'INVALID_ARGUMENT', commitAction: 'confirm' });
      expect(description()).toBe('pending change');
    } finally {
      await leaf01.cancelCommit('chg-pending');
    }
  });
});
