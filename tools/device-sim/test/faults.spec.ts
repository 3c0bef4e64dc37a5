import { status } from '@grpc/grpc-js';
import type { DeviceSim } from '../src';
import { connect, deployRequest, expectGrpcError, fixture, getValue, sleep, startLab, StreamRecorder, update, waitFor, wirePath, type TestClient } from './helpers';

const CONVERGENCE_MS = 150;
const DEVICES = ['spine01', 'leaf01', 'leaf02'] as const;
const neighborState = (peer: string) => `/network-instance[name=default]/protocols/bgp/neighbor[peer-address=${peer}]/session-state`;

describe('fault injection', () => {
  let sim: DeviceSim;
  const clients: Record<string, TestClient> = {};

  const reconnect = (device: string) => {
    clients[device]?.close();
    clients[device] = connect(sim.address(device));
    return clients[device];
  };

  beforeEach(async () => {
    sim = await startLab({ convergenceDelayMs: CONVERGENCE_MS });
    for (const device of DEVICES) reconnect(device);
  });

  afterEach(async () => {
    for (const client of Object.values(clients)) client.close();
    await sim.stop();
  });

  const deployAll = async () => {
    await Promise.all(DEVICES.map((d) => clients[d].set(deployRequest(fixture(d)))));
    await waitFor(() => getValue(clients.spine01, neighborState('10.0.0.1')), (s) => s === 'established', 3000, 'convergence');
  };

  it('latencyMs delays every answer until cleared', async () => {
    await clients.leaf01.capabilities();
    sim.faults('leaf01').set({ latencyMs: 500 });
    let started = Date.now();
    await clients.leaf01.capabilities();
    await clients.leaf01.get({ path: [wirePath('/interface[name=mgmt0]/oper-state')] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    started = Date.now();
    await clients.spine01.capabilities();
    expect(Date.now() - started).toBeLessThan(400);
    sim.faults('leaf01').clear();
    started = Date.now();
    await clients.leaf01.capabilities();
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('refuseConnections makes the port refuse (UNAVAILABLE) and clearing it serves the same address again', async () => {
    const address = sim.address('leaf02');
    await clients.leaf02.capabilities();
    sim.faults('leaf02').set({ refuseConnections: true });
    await expectGrpcError(clients.leaf02.capabilities(), status.UNAVAILABLE);
    await expectGrpcError(reconnect('leaf02').capabilities(), status.UNAVAILABLE);
    await clients.leaf01.capabilities();

    sim.faults('leaf02').set({ refuseConnections: false });
    expect(sim.address('leaf02')).toBe(address);
    await expect(reconnect('leaf02').capabilities()).resolves.toMatchObject({ gNMI_version: '0.10.0' });
  });

  it('failNextSet fails exactly one Set with the given status, without applying it', async () => {
    const before = sim.runningConfig('leaf01');
    sim.faults('leaf01').failNextSet(status.ABORTED, 'commit aborted by injected fault');
    await expectGrpcError(clients.leaf01.set({ update: [update('/interface[name=lo1]', {})] }), status.ABORTED, 'commit aborted by injected fault');
    expect(sim.runningConfig('leaf01')).toEqual(before);
    await clients.leaf01.set({ update: [update('/interface[name=lo1]', {})] });
    expect(sim.runningConfig('leaf01')).not.toEqual(before);
  });

  it('with configOnly, a Set fault waits for the next Set that carries config: probes and confirms before it pass', async () => {
    const before = sim.runningConfig('leaf01');
    sim.faults('leaf01').failNextSet(status.INVALID_ARGUMENT, 'refused config', { configOnly: true });
    sim.faults('leaf01').dropNextSet({ when: 'after-apply', configOnly: true });
    // A Set without config (a commit-confirmed probe, as a change makes before its backup) is not the target.
    await expectGrpcError(clients.leaf01.set({ extension: [{ commit: { id: 'probe', set_rollback_duration: { rollback_duration: { seconds: 1 } } } }] }), status.FAILED_PRECONDITION);
    await expectGrpcError(clients.leaf01.set({ update: [update('/interface[name=lo1]', {})] }), status.INVALID_ARGUMENT, 'refused config');
    expect(sim.runningConfig('leaf01')).toEqual(before);
    // The drop was armed for config too and is still waiting: the next config Set lands, then loses its answer.
    await expectGrpcError(clients.leaf01.set({ update: [update('/interface[name=lo1]/description', 'landed')] }), status.UNAVAILABLE);
    expect(JSON.stringify(sim.runningConfig('leaf01'))).toContain('landed');
  });

  it('dropNextSet before-apply tears the connection down and leaves config unchanged', async () => {
    const before = sim.runningConfig('leaf01');
    sim.faults('leaf01').dropNextSet('before-apply');
    await expectGrpcError(clients.leaf01.set({ update: [update('/interface[name=lo1]', {})] }), status.UNAVAILABLE);
    expect(sim.runningConfig('leaf01')).toEqual(before);
    await clients.leaf01.set({ update: [update('/interface[name=lo1]/description', 'second try')] });
    expect(JSON.stringify(sim.runningConfig('leaf01'))).toContain('second try');
  });

  it('dropNextSet after-apply tears the connection down although the change landed', async () => {
    sim.faults('leaf01').dropNextSet('after-apply');
    await expectGrpcError(clients.leaf01.set({ update: [update('/interface[name=lo1]/description', 'landed')] }), status.UNAVAILABLE);
    expect(JSON.stringify(sim.runningConfig('leaf01'))).toContain('landed');
    expect(await getValue(clients.leaf01, '/interface[name=lo1]/description')).toBe('landed');
  });

  it('holdBgpDown keeps the device`s sessions from establishing until released', async () => {
    sim.faults('leaf01').set({ holdBgpDown: true });
    await Promise.all(DEVICES.map((d) => clients[d].set(deployRequest(fixture(d)))));
    await waitFor(() => getValue(clients.spine01, neighborState('10.0.0.3')), (s) => s === 'established', 3000, 'leaf02 session');
    await sleep(CONVERGENCE_MS * 2);
    expect(await getValue(clients.spine01, neighborState('10.0.0.1'))).toBe('active');
    expect(await getValue(clients.leaf01, neighborState('10.0.0.0'))).toBe('active');
    expect(await getValue(clients.leaf01, '/interface[name=ethernet-1/49]/oper-state')).toBe('up');

    sim.faults('leaf01').set({ holdBgpDown: false });
    await waitFor(() => getValue(clients.leaf01, neighborState('10.0.0.0')), (s) => s === 'established', 3000, 'released session');
  });

  it('flapInterface takes the link down on both ends for downMs, then BGP reconverges', async () => {
    await deployAll();
    const flapped = new StreamRecorder(clients.spine01.subscribe());
    flapped.stream.write({ subscribe: { subscription: [{ path: wirePath(neighborState('10.0.0.1')), mode: 'ON_CHANGE' }] } });
    await flapped.waitFor((r) => r.syncCount() === 1, 3000, 'sync');

    sim.faults('leaf01').flapInterface('ethernet-1/49', 300);
    expect(await getValue(clients.leaf01, '/interface[name=ethernet-1/49]/oper-state')).toBe('down');
    expect(await getValue(clients.spine01, '/interface[name=ethernet-1/1]/oper-state')).toBe('down');
    expect(await getValue(clients.spine01, neighborState('10.0.0.1'))).toBe('idle');
    expect(await getValue(clients.spine01, neighborState('10.0.0.5'))).toBe('established');

    await waitFor(() => getValue(clients.spine01, '/interface[name=ethernet-1/1]/oper-state'), (s) => s === 'up', 2000, 'link back');
    await waitFor(() => getValue(clients.spine01, neighborState('10.0.0.1')), (s) => s === 'established', 3000, 'reconvergence');
    expect(flapped.updates().map(([, value]) => value)).toEqual(['established', 'idle', 'active', 'established']);
    flapped.stream.cancel();
  });

  it('restart ends streams with UNAVAILABLE, drops sessions, reverts a pending commit and returns on the same port', async () => {
    await deployAll();
    const address = sim.address('leaf01');
    const stream = new StreamRecorder(clients.leaf01.subscribe());
    stream.stream.write({ subscribe: { subscription: [{ path: wirePath('/interface'), mode: 'ON_CHANGE' }] } });
    await stream.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
    await clients.leaf01.set({
      update: [update('/interface[name=lo1]', { description: 'unconfirmed' })],
      extension: [{ commit: { id: 'before-restart', commit: { rollback_duration: { seconds: 600 } } } }],
    });

    const restarted = sim.faults('leaf01').restart(400);
    await stream.waitFor((r) => r.error !== undefined, 2000, 'stream end');
    expect(stream.error!.code).toBe(status.UNAVAILABLE);
    await sleep(100);
    await expectGrpcError(reconnect('leaf01').capabilities(), status.UNAVAILABLE);
    expect(await getValue(clients.spine01, '/interface[name=ethernet-1/1]/oper-state')).toBe('down');
    expect(await getValue(clients.spine01, neighborState('10.0.0.1'))).toBe('idle');
    expect(await getValue(clients.spine01, neighborState('10.0.0.3'))).toBe('established');

    await restarted;
    expect(sim.address('leaf01')).toBe(address);
    expect(JSON.stringify(sim.runningConfig('leaf01'))).not.toContain('unconfirmed');
    await expect(reconnect('leaf01').set({ update: [update('/interface[name=lo1]/description', 'after restart')] })).resolves.toBeDefined();
    await waitFor(() => getValue(clients.spine01, neighborState('10.0.0.1')), (s) => s === 'established', 3000, 'reconvergence');
  });

  it('clear() removes every standing fault and pending one-shot', async () => {
    const faults = sim.faults('leaf02');
    faults.set({ latencyMs: 2000, holdBgpDown: true, refuseConnections: true });
    faults.failNextSet(status.INTERNAL);
    faults.dropNextSet('before-apply');
    faults.flapInterface('ethernet-1/49', 60_000);
    faults.clear();
    const started = Date.now();
    await reconnect('leaf02').set({ update: [update('/interface[name=lo1]', {})] });
    expect(Date.now() - started).toBeLessThan(1500);
    await Promise.all(DEVICES.map((d) => clients[d].set(deployRequest(fixture(d)))));
    await waitFor(() => getValue(clients.leaf02, neighborState('10.0.0.2')), (s) => s === 'established', 3000, 'sessions after clear');
    expect(await getValue(clients.leaf02, '/interface[name=ethernet-1/49]/oper-state')).toBe('up');
  });

  it('refuses an unknown device by name', () => {
    expect(() => sim.faults('leaf99')).toThrow('unknown device "leaf99"');
  });
});
