import { status } from '@grpc/grpc-js';
import type { DeviceSim } from '../src';
import { connect, expectGrpcError, getValue, startLab, update, type TestClient } from './helpers';

describe('HTTP control interface', () => {
  let sim: DeviceSim;
  let leaf: TestClient;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.controlAddress}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    sim = await startLab({ controlPort: 0 });
    leaf = connect(sim.address('leaf01'));
  });

  afterAll(async () => {
    leaf.close();
    await sim.stop();
  });

  afterEach(() => sim.faults('leaf01').clear());

  it('listens on loopback and lists the devices with their addresses', async () => {
    expect(sim.controlAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status: code, body } = await call('GET', '/devices');
    expect(code).toBe(200);
    expect(body.devices).toEqual(sim.devices);
  });

  it('serves running config and derived state', async () => {
    await leaf.set({ update: [update('/interface[name=lo4]', { description: 'via gnmi' })] });
    const config = await call('GET', '/devices/leaf01/config');
    expect(config.body).toEqual(sim.runningConfig('leaf01'));
    const state = await call('GET', '/devices/leaf01/state');
    expect(state.body.interface).toEqual(expect.arrayContaining([{ name: 'lo4', 'oper-state': 'up' }]));
  });

  it('sets and clears standing faults', async () => {
    const set = await call('POST', '/devices/leaf01/faults', { latencyMs: 250, holdBgpDown: true });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ latencyMs: 250, holdBgpDown: true, refuseConnections: false });
    const started = Date.now();
    await leaf.capabilities();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const cleared = await call('DELETE', '/devices/leaf01/faults');
    expect(cleared.body).toMatchObject({ latencyMs: 0, holdBgpDown: false });
  });

  it('refuses connections and lets them back in', async () => {
    await call('POST', '/devices/leaf01/faults', { refuseConnections: true });
    const refused = connect(sim.address('leaf01'));
    try {
      await expectGrpcError(refused.capabilities(), status.UNAVAILABLE);
    } finally {
      refused.close();
    }
    await call('POST', '/devices/leaf01/faults', { refuseConnections: false });
    const again = connect(sim.address('leaf01'));
    try {
      await expect(again.capabilities()).resolves.toBeDefined();
    } finally {
      again.close();
    }
  });

  it('fails and drops the next Set', async () => {
    expect((await call('POST', '/devices/leaf01/fail-next-set', { code: status.RESOURCE_EXHAUSTED, message: 'commit queue full' })).status).toBe(200);
    await expectGrpcError(leaf.set({ update: [update('/interface[name=lo5]', {})] }), status.RESOURCE_EXHAUSTED, 'commit queue full');
    expect((await call('POST', '/devices/leaf01/drop-next-set', { when: 'after-apply' })).status).toBe(200);
    expect((await call('GET', '/devices/leaf01/faults')).body).toMatchObject({ dropNextSet: { when: 'after-apply', configOnly: false } });
    expect((await call('POST', '/devices/leaf01/drop-next-set', { when: 'after-apply', configOnly: true })).body).toMatchObject({ dropNextSet: { when: 'after-apply', configOnly: true } });
    await expectGrpcError(leaf.set({ update: [update('/interface[name=lo5]', {})] }), status.UNAVAILABLE);
    expect(JSON.stringify(sim.runningConfig('leaf01'))).toContain('lo5');
  });

  it('flaps an interface and restarts a device, answering once it is back', async () => {
    await leaf.set({ update: [update('/interface[name=ethernet-1/49]', { 'admin-state': 'enable' })] });
    expect((await call('POST', '/devices/leaf01/flap', { interface: 'ethernet-1/49', downMs: 200 })).status).toBe(200);
    expect(sim.state('leaf01')).toMatchObject({ interface: expect.arrayContaining([{ name: 'ethernet-1/49', 'oper-state': 'down' }]) });
    const started = Date.now();
    const restart = await call('POST', '/devices/leaf01/restart', { downMs: 200 });
    expect(restart.status).toBe(200);
    expect(restart.body).toEqual({ device: 'leaf01', address: sim.address('leaf01'), up: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const fresh = connect(sim.address('leaf01'));
    try {
      expect(await getValue(fresh, '/interface[name=mgmt0]/oper-state')).toBe('up');
    } finally {
      fresh.close();
    }
  });

  it('answers 404 naming an unknown device or route', async () => {
    expect(await call('GET', '/devices/leaf99/config')).toEqual({ status: 404, body: { error: 'unknown device "leaf99"' } });
    expect(await call('POST', '/devices/leaf99/faults', { latencyMs: 1 })).toEqual({ status: 404, body: { error: 'unknown device "leaf99"' } });
    const route = await call('POST', '/devices/leaf01/explode', {});
    expect(route.status).toBe(404);
    expect(route.body.error).toMatch(/no route POST \/devices\/leaf01\/explode/);
  });

  it.each([
    ['/devices/leaf01/faults', { latencyMs: -5 }, /latencyMs/],
    ['/devices/leaf01/faults', { latencyMs: '100' }, /latencyMs/],
    ['/devices/leaf01/faults', { refuse: true }, /unknown field\(s\) refuse/],
    ['/devices/leaf01/fail-next-set', { code: 0 }, /code: must be a gRPC status code other than OK/],
    ['/devices/leaf01/fail-next-set', { message: 'x' }, /code/],
    ['/devices/leaf01/drop-next-set', { when: 'during' }, /when/],
    ['/devices/leaf01/flap', { interface: 'eth1', downMs: 10 }, /interface: must be an interface name/],
    ['/devices/leaf01/flap', { interface: 'ethernet-1/1' }, /downMs/],
    ['/devices/leaf01/restart', {}, /downMs/],
    ['/devices/leaf01/faults', '{not json', /body is not valid JSON/],
  ])('answers 400 naming the bad field for POST %s %j', async (path, body, message) => {
    const response = await call('POST', path, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(message);
    expect((await call('GET', '/devices/leaf01/faults')).body).toMatchObject({ latencyMs: 0, failNextSet: null, dropNextSet: null, flappingInterfaces: [] });
  });

  it('is absent unless a control port is asked for', async () => {
    const quiet = await startLab();
    try {
      expect(quiet.controlAddress).toBeUndefined();
    } finally {
      await quiet.stop();
    }
  });
});
