import { startDeviceSim, type DeviceSim, type Topology } from '../src';
import { connect, getValue, getValues, update, waitFor, type TestClient } from './helpers';

const credentials = { username: 'admin', password: 'pw' };

/**
 * r1 has a LAG of two ports (min-links 2) cabled to r2, and a 4x25G
 * breakout whose first port is cabled to r2 and whose second is not.
 */
function topology(): Topology {
  return {
    devices: [
      {
        name: 'r1',
        credentials,
        initialConfig: {
          'srl_nokia-interfaces:interface': [
            { name: 'lag1', 'srl_nokia-interfaces-lag:lag': { 'lag-type': 'static', 'min-links': 2 }, subinterface: [{ index: 0 }] },
            { name: 'ethernet-1/10', ethernet: { 'aggregate-id': 'lag1' } },
            { name: 'ethernet-1/11', ethernet: { 'aggregate-id': 'lag1' } },
            { name: 'ethernet-1/20', 'breakout-mode': { 'num-breakout-ports': '4', 'breakout-port-speed': '25G' } },
            { name: 'ethernet-1/20/1' },
            { name: 'ethernet-1/20/2' },
            { name: 'lo0' },
            { name: 'lo1', 'admin-state': 'disable' },
          ],
        },
      },
      {
        name: 'r2',
        credentials,
        initialConfig: { 'srl_nokia-interfaces:interface': [{ name: 'ethernet-1/10' }, { name: 'ethernet-1/11' }, { name: 'ethernet-1/1' }] },
      },
    ],
    links: [
      { a: { device: 'r1', interface: 'ethernet-1/10' }, b: { device: 'r2', interface: 'ethernet-1/10' } },
      { a: { device: 'r1', interface: 'ethernet-1/11' }, b: { device: 'r2', interface: 'ethernet-1/11' } },
      { a: { device: 'r1', interface: 'ethernet-1/20/1' }, b: { device: 'r2', interface: 'ethernet-1/1' } },
    ],
  };
}

describe('derived state of LAGs, breakout ports and loopbacks', () => {
  let sim: DeviceSim;
  let r1: TestClient;
  let r2: TestClient;

  const operStates = async () =>
    Object.fromEntries((await getValues(r1, { path: [{ elem: [{ name: 'interface', key: { name: '*' } }, { name: 'oper-state' }] }] })).map(([path, state]) => [/name=([^\]]+)/.exec(path)![1], state]));

  beforeEach(async () => {
    sim = await startDeviceSim({ topology: topology(), convergenceDelayMs: 50 });
    r1 = connect(sim.address('r1'), credentials);
    r2 = connect(sim.address('r2'), credentials);
  });

  afterEach(async () => {
    r1.close();
    r2.close();
    await sim.stop();
  });

  it('brings a LAG up when at least min-links members are up, and reports each member', async () => {
    expect(await operStates()).toMatchObject({ lag1: 'up', 'ethernet-1/10': 'up', 'ethernet-1/11': 'up' });
    expect(await getValue(r1, '/interface[name=lag1]/subinterface[index=0]/oper-state')).toBe('up');
    expect(await getValue(r1, '/interface[name=lag1]/lag', { type: 'STATE' })).toEqual({
      member: [
        { name: 'ethernet-1/10', 'oper-state': 'up' },
        { name: 'ethernet-1/11', 'oper-state': 'up' },
      ],
    });

    await r2.set({ update: [update('/interface[name=ethernet-1/11]/admin-state', 'disable')] });
    expect(await operStates()).toMatchObject({ lag1: 'down', 'ethernet-1/10': 'up', 'ethernet-1/11': 'down' });
    expect(await getValue(r1, '/interface[name=lag1]/subinterface[index=0]/oper-state')).toBe('down');

    await r1.set({ update: [update('/interface[name=lag1]/lag/min-links', 1)] });
    expect((await operStates()).lag1).toBe('up');

    sim.faults('r1').flapInterface('ethernet-1/10', 200);
    expect((await operStates()).lag1).toBe('down');
    await waitFor(operStates, (states) => states.lag1 === 'up', 2000, 'the LAG back after the flap');

    await r1.set({ update: [update('/interface[name=lag1]/admin-state', 'disable')] });
    expect((await operStates()).lag1).toBe('down');
  });

  it('keeps a LAG without members down', async () => {
    await r1.set({ delete: [{ elem: [{ name: 'interface', key: { name: 'ethernet-1/10' } }] }, { elem: [{ name: 'interface', key: { name: 'ethernet-1/11' } }] }] });
    expect((await operStates()).lag1).toBe('down');
    await expect(getValue(r1, '/interface[name=lag1]/lag', { type: 'STATE' })).rejects.toThrow(/no state data/);
  });

  it('treats breakout ports as ethernet ports: up only when a link names them and the far end is enabled', async () => {
    const states = await operStates();
    expect(states).toMatchObject({ 'ethernet-1/20/1': 'up', 'ethernet-1/20/2': 'down', 'ethernet-1/20': 'down' });
    await r2.set({ update: [update('/interface[name=ethernet-1/1]/admin-state', 'disable')] });
    expect((await operStates())['ethernet-1/20/1']).toBe('down');
    expect(await getValue(r2, '/interface[name=ethernet-1/1]/oper-state')).toBe('down');
  });

  it('brings loopbacks up when enabled', async () => {
    expect(await operStates()).toMatchObject({ lo0: 'up', lo1: 'down' });
    await r1.set({ update: [update('/interface[name=lo1]/admin-state', 'enable'), update('/interface[name=lo0]/admin-state', 'disable')] });
    expect(await operStates()).toMatchObject({ lo0: 'down', lo1: 'up' });
  });
});
