import { status } from '@grpc/grpc-js';
import type { WireExtension, WireSetRequest } from '@synapse/gnmi-client';
import type { DeviceSim } from '../src';
import { connect, expectGrpcError, sleep, startLab, update, waitFor, type TestClient } from './helpers';

const commit = (id: string, rollbackSeconds?: number): WireExtension => ({
  commit: { id, commit: rollbackSeconds === undefined ? {} : { rollback_duration: { seconds: rollbackSeconds } } },
});
const confirm = (id: string): WireExtension => ({ commit: { id, confirm: {} } });
const cancel = (id: string): WireExtension => ({ commit: { id, cancel: {} } });
const setRollbackDuration = (id: string, seconds: number, nanos = 0): WireExtension => ({
  commit: { id, set_rollback_duration: { rollback_duration: { seconds, nanos } } },
});

const describeLo1 = (text: string): WireSetRequest => ({ update: [update('/interface[name=lo1]/description', text)] });

describe('commit confirmed (gnmi_ext Commit)', () => {
  let sim: DeviceSim;
  let leaf: TestClient;
  let original: unknown;

  const lo1 = () => (sim.runningConfig('leaf01') as { interface: Array<Record<string, unknown>> }).interface.find((i) => i.name === 'lo1');

  beforeEach(async () => {
    sim = await startLab({ controlPort: 0 });
    leaf = connect(sim.address('leaf01'));
    await leaf.set(describeLo1('before'));
    original = sim.runningConfig('leaf01');
  });

  afterEach(async () => {
    leaf.close();
    await sim.stop();
  });

  it('keeps a confirmed change past its rollback duration', async () => {
    await leaf.set({ ...describeLo1('during'), extension: [commit('c1', 1)] });
    expect(lo1()).toMatchObject({ description: 'during' });
    await leaf.set({ extension: [confirm('c1')] });
    await sleep(1300);
    expect(lo1()).toMatchObject({ description: 'during' });
    await leaf.set(describeLo1('after confirm'));
    expect(lo1()).toMatchObject({ description: 'after confirm' });
  });

  it('reverts at once on cancel, to exactly the pre-commit config', async () => {
    await leaf.set({ ...describeLo1('during'), replace: [update('/interface[name=lo2]', { 'admin-state': 'disable' })], extension: [commit('c2', 60)] });
    expect(sim.runningConfig('leaf01')).not.toEqual(original);
    await leaf.set({ extension: [cancel('c2')] });
    expect(sim.runningConfig('leaf01')).toEqual(original);
    await leaf.set(describeLo1('free again'));
  });

  it('reverts by itself when the rollback duration passes unconfirmed', async () => {
    const started = Date.now();
    await leaf.set({ ...describeLo1('during'), extension: [commit('c3', 1)] });
    await sleep(400);
    expect(lo1()).toMatchObject({ description: 'during' });
    await waitFor(() => sim.runningConfig('leaf01'), (config) => JSON.stringify(config) === JSON.stringify(original), 3000, 'auto-revert');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // With the commit gone, plain Sets are accepted again.
    await leaf.set(describeLo1('next'));
  });

  it('refuses a plain Set and a second commit with FAILED_PRECONDITION while one is pending', async () => {
    await leaf.set({ ...describeLo1('pending'), extension: [commit('c4', 60)] });
    await expectGrpcError(leaf.set(describeLo1('sneaky')), status.FAILED_PRECONDITION, /confirmed commit "c4" is pending/);
    await expectGrpcError(leaf.set({ ...describeLo1('another'), extension: [commit('c5', 60)] }), status.FAILED_PRECONDITION, /"c4" is pending/);
    await expectGrpcError(leaf.set({ ...describeLo1('same id'), extension: [commit('c4', 60)] }), status.FAILED_PRECONDITION);
    expect(lo1()).toMatchObject({ description: 'pending' });
  });

  it('refuses confirm, cancel and set_rollback_duration with a wrong id (INVALID_ARGUMENT)', async () => {
    await leaf.set({ ...describeLo1('pending'), extension: [commit('c6', 60)] });
    for (const extension of [confirm('other'), cancel('other'), setRollbackDuration('other', 30)]) {
      await expectGrpcError(leaf.set({ extension: [extension] }), status.INVALID_ARGUMENT, /commit id "other" does not match the pending commit "c6"/);
    }
    expect(lo1()).toMatchObject({ description: 'pending' });
  });

  it('refuses confirm or cancel with nothing pending (FAILED_PRECONDITION), and a missing id', async () => {
    await expectGrpcError(leaf.set({ extension: [confirm('c7')] }), status.FAILED_PRECONDITION, /no confirmed commit is pending/);
    await expectGrpcError(leaf.set({ extension: [cancel('c7')] }), status.FAILED_PRECONDITION);
    await expectGrpcError(leaf.set({ ...describeLo1('x'), extension: [commit('', 60)] }), status.INVALID_ARGUMENT, /id is required/);
  });

  it('set_rollback_duration restarts the timer; zero is refused', async () => {
    await leaf.set({ ...describeLo1('extended'), extension: [commit('c8', 2)] });
    await expectGrpcError(leaf.set({ extension: [setRollbackDuration('c8', 0)] }), status.INVALID_ARGUMENT, /greater than 0/);
    await sleep(300);
    await leaf.set({ extension: [setRollbackDuration('c8', 4)] });
    await sleep(2000);
    expect(lo1()).toMatchObject({ description: 'extended' });
    await leaf.set({ extension: [setRollbackDuration('c8', 0, 300e6)] });
    await waitFor(() => sim.runningConfig('leaf01'), (config) => JSON.stringify(config) === JSON.stringify(original), 3000, 'revert after shortened timer');
  });

  it('starts no commit when the change itself is invalid', async () => {
    await expectGrpcError(leaf.set({ update: [update('/interface[name=lo1]/mtu', 1)], extension: [commit('c9', 60)] }), status.INVALID_ARGUMENT, /mtu/);
    await leaf.set(describeLo1('not blocked'));
    expect(lo1()).toMatchObject({ description: 'not blocked' });
  });

  it('refuses a confirm that carries changes, since a commit cannot be amended', async () => {
    await leaf.set({ ...describeLo1('pending'), extension: [commit('c10', 60)] });
    await expectGrpcError(leaf.set({ ...describeLo1('amend'), extension: [confirm('c10')] }), status.INVALID_ARGUMENT, /must not carry/);
    expect(lo1()).toMatchObject({ description: 'pending' });
  });

  it('dropNextSet after-apply on a confirm: the confirm takes effect, the client only sees the connection drop', async () => {
    await leaf.set({ ...describeLo1('kept'), extension: [commit('c12', 1)] });
    sim.faults('leaf01').dropNextSet({ when: 'after-apply' });
    await expectGrpcError(leaf.set({ extension: [confirm('c12')] }), status.UNAVAILABLE);
    // Confirmed: nothing pending any more, and the change outlives its rollback duration.
    await expectGrpcError(leaf.set({ extension: [confirm('c12')] }), status.FAILED_PRECONDITION, /no confirmed commit is pending/);
    await sleep(1300);
    expect(lo1()).toMatchObject({ description: 'kept' });
  });

  it('dropNextSet after-apply on a cancel: the rollback happens, the client only sees the connection drop', async () => {
    await leaf.set({ ...describeLo1('cancelled'), extension: [commit('c13', 60)] });
    sim.faults('leaf01').dropNextSet('after-apply');
    await expectGrpcError(leaf.set({ extension: [cancel('c13')] }), status.UNAVAILABLE);
    expect(sim.runningConfig('leaf01')).toEqual(original);
    await leaf.set(describeLo1('free again'));
  });

  it('dropNextSet before-apply on a confirm leaves the commit pending, so a retried confirm lands', async () => {
    await leaf.set({ ...describeLo1('pending'), extension: [commit('c14', 60)] });
    const dropped = await fetch(`${sim.controlAddress}/devices/leaf01/drop-next-set`, { method: 'POST', body: JSON.stringify({ when: 'before-apply' }) });
    expect(dropped.status).toBe(200);
    await expectGrpcError(leaf.set({ extension: [confirm('c14')] }), status.UNAVAILABLE);
    await expectGrpcError(leaf.set(describeLo1('sneaky')), status.FAILED_PRECONDITION, /"c14" is pending/);
    await leaf.set({ extension: [confirm('c14')] });
    expect(lo1()).toMatchObject({ description: 'pending' });
  });

  it('defaults the rollback duration to 10 minutes', async () => {
    const before = Date.now();
    await leaf.set({ ...describeLo1('default duration'), extension: [commit('c11')] });
    const faults = (await (await fetch(`${sim.controlAddress}/devices/leaf01/faults`)).json()) as { pendingCommit: { id: string; expiresAt: number } };
    expect(faults.pendingCommit.id).toBe('c11');
    expect(faults.pendingCommit.expiresAt - before).toBeGreaterThanOrEqual(600_000 - 50);
    expect(faults.pendingCommit.expiresAt - Date.now()).toBeLessThanOrEqual(600_000);
  });
});
