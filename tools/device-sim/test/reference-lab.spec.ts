import type { DeviceSim } from '../src';
import { connect, deployRequest, fixture, getValue, getValues, sleep, startLab, update, waitFor, wirePath, type TestClient } from './helpers';

const CONVERGENCE_MS = 150;
const DEVICES = ['spine01', 'leaf01', 'leaf02'] as const;

const sessionStates = async (client: TestClient) =>
  Object.fromEntries(
    (await getValues(client, { path: [wirePath('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state')] })).map(([path, value]) => [
      /peer-address=([^\]]+)/.exec(path)![1],
      value,
    ]),
  );

describe('reference lab: deploying the fabric brings links and BGP up', () => {
  let sim: DeviceSim;
  const clients: Record<string, TestClient> = {};

  beforeEach(async () => {
    sim = await startLab({ convergenceDelayMs: CONVERGENCE_MS });
    for (const device of DEVICES) clients[device] = connect(sim.address(device));
  });

  afterEach(async () => {
    for (const client of Object.values(clients)) client.close();
    await sim.stop();
  });

  it('starts in the pre-change state: management only, no fabric interfaces, no BGP', async () => {
    const interfaces = await getValues(clients.spine01, { path: [wirePath('/interface[name=*]/oper-state')] });
    expect(interfaces).toEqual([['/interface[name=mgmt0]/oper-state', 'up']]);
    expect(sim.runningConfig('leaf01')).not.toHaveProperty('routing-policy');
  });

  it('makes every link interface up and every session established', async () => {
    await Promise.all(DEVICES.map((device) => clients[device].set(deployRequest(fixture(device)))));

    for (const device of DEVICES) {
      const operStates = await getValues(clients[device], { path: [wirePath('/interface[name=*]/oper-state')] });
      expect(operStates.length).toBeGreaterThanOrEqual(4);
      expect(operStates.filter(([, state]) => state !== 'up')).toEqual([]);
    }
    await waitFor(() => sessionStates(clients.spine01), (s) => Object.values(s).every((v) => v === 'established'), 3000, 'spine sessions');
    expect(await sessionStates(clients.spine01)).toEqual({ '10.0.0.1': 'established', '10.0.0.3': 'established', '10.0.0.5': 'established', '10.0.0.7': 'established' });
    expect(await sessionStates(clients.leaf01)).toEqual({ '10.0.0.0': 'established', '10.0.0.4': 'established' });
    expect(await sessionStates(clients.leaf02)).toEqual({ '10.0.0.2': 'established', '10.0.0.6': 'established' });
  });

  it('a session configured on one side only stays active; the unlinked interface stays down', async () => {
    await clients.spine01.set(deployRequest(fixture('spine01')));
    await sleep(CONVERGENCE_MS * 2);
    // No leaf interfaces exist yet, so the spine's fabric ports see no carrier.
    expect(await getValue(clients.spine01, '/interface[name=ethernet-1/1]/oper-state')).toBe('down');
    expect(Object.values(await sessionStates(clients.spine01))).toEqual(['idle', 'idle', 'idle', 'idle']);

    // Leaf01 gets its interfaces but not BGP: links come up, the spine keeps trying.
    const leafInterfacesOnly = Object.fromEntries(Object.entries(fixture('leaf01')).filter(([path]) => path.startsWith('/interface')));
    await clients.leaf01.set(deployRequest(leafInterfacesOnly));
    expect(await getValue(clients.spine01, '/interface[name=ethernet-1/1]/oper-state')).toBe('up');
    await sleep(CONVERGENCE_MS * 2);
    expect(await sessionStates(clients.spine01)).toEqual({ '10.0.0.1': 'active', '10.0.0.3': 'idle', '10.0.0.5': 'active', '10.0.0.7': 'idle' });
  });

  it('a wrong peer-as never establishes, and fixing it does', async () => {
    const leaf01 = fixture('leaf01');
    const wrong = JSON.parse(JSON.stringify(leaf01).replace(/"peer-as": ?65000/g, '"peer-as": 65099')) as Record<string, unknown>;
    await clients.spine01.set(deployRequest(fixture('spine01')));
    await clients.leaf01.set(deployRequest(wrong));
    await sleep(CONVERGENCE_MS * 3);
    expect(await sessionStates(clients.leaf01)).toEqual({ '10.0.0.0': 'active', '10.0.0.4': 'active' });
    expect((await sessionStates(clients.spine01))['10.0.0.1']).toBe('active');

    await clients.leaf01.set({ update: [update('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]/peer-as', 65000)] });
    await waitFor(() => sessionStates(clients.leaf01), (s) => s['10.0.0.0'] === 'established', 3000, 'fixed session');
    expect((await sessionStates(clients.leaf01))['10.0.0.4']).toBe('active');
  });

  it('disabling an interface drops its session at once and re-enabling reconverges', async () => {
    await Promise.all(DEVICES.map((device) => clients[device].set(deployRequest(fixture(device)))));
    await waitFor(() => sessionStates(clients.leaf01), (s) => s['10.0.0.0'] === 'established', 3000, 'initial convergence');

    await clients.spine01.set({ update: [update('/interface[name=ethernet-1/1]/admin-state', 'disable')] });
    expect(await getValue(clients.leaf01, '/interface[name=ethernet-1/49]/oper-state')).toBe('down');
    expect(await sessionStates(clients.leaf01)).toEqual({ '10.0.0.0': 'idle', '10.0.0.4': 'established' });

    await clients.spine01.set({ update: [update('/interface[name=ethernet-1/1]/admin-state', 'enable')] });
    expect((await sessionStates(clients.leaf01))['10.0.0.0']).toBe('active');
    await waitFor(() => sessionStates(clients.leaf01), (s) => s['10.0.0.0'] === 'established', 3000, 'reconvergence');
  });

  it('BGP admin-state disable on the far end turns the session active, locally idle', async () => {
    await Promise.all(DEVICES.map((device) => clients[device].set(deployRequest(fixture(device)))));
    await waitFor(() => sessionStates(clients.leaf02), (s) => Object.values(s).every((v) => v === 'established'), 3000, 'convergence');
    await clients.leaf02.set({ update: [update('/network-instance[name=default]/protocols/bgp/admin-state', 'disable')] });
    expect(await sessionStates(clients.leaf02)).toEqual({ '10.0.0.2': 'idle', '10.0.0.6': 'idle' });
    const spine = await sessionStates(clients.spine01);
    expect([spine['10.0.0.3'], spine['10.0.0.7'], spine['10.0.0.1']]).toEqual(['active', 'active', 'established']);
  });
});

describe('reference lab: convergence delay', () => {
  it('keeps sessions active until the delay has passed since both ends agreed', async () => {
    const delayMs = 2000;
    const sim = await startLab({ convergenceDelayMs: delayMs });
    const clients = Object.fromEntries(DEVICES.map((d) => [d, connect(sim.address(d))])) as Record<string, TestClient>;
    try {
      const started = Date.now();
      await Promise.all(DEVICES.map((device) => clients[device].set(deployRequest(fixture(device)))));
      expect(Object.values(await sessionStates(clients.spine01))).toEqual(['active', 'active', 'active', 'active']);
      await waitFor(() => sessionStates(clients.spine01), (s) => Object.values(s).every((v) => v === 'established'), 6000, 'convergence');
      expect(Date.now() - started).toBeGreaterThanOrEqual(delayMs);
    } finally {
      for (const client of Object.values(clients)) client.close();
      await sim.stop();
    }
  }, 15_000);
});
