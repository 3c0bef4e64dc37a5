import { status } from '@grpc/grpc-js';
import type { WireSubscriptionList } from '@synapse/gnmi-client';
import type { DeviceSim } from '../src';
import { connect, deployRequest, fixture, sleep, startLab, StreamRecorder, update, wirePath, LAB_USER, type TestClient } from './helpers';

const SESSION_STATES = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state';

describe('Subscribe', () => {
  let sim: DeviceSim;
  const clients: Record<string, TestClient> = {};
  const open: StreamRecorder[] = [];

  const subscribe = (device: string, list: WireSubscriptionList, client = clients[device]): StreamRecorder => {
    const recorder = new StreamRecorder(client.subscribe());
    recorder.stream.write({ subscribe: list });
    open.push(recorder);
    return recorder;
  };

  beforeEach(async () => {
    sim = await startLab({ convergenceDelayMs: 150 });
    for (const device of ['spine01', 'leaf01', 'leaf02']) clients[device] = connect(sim.address(device));
  });

  afterEach(async () => {
    for (const recorder of open.splice(0)) recorder.stream.cancel();
    for (const client of Object.values(clients)) client.close();
    await sim.stop();
  });

  describe('ONCE', () => {
    it('sends every current value, a sync_response, then ends the call with OK', async () => {
      const recorder = subscribe('spine01', { mode: 'ONCE', subscription: [{ path: wirePath('/interface[name=*]/oper-state') }, { path: wirePath('/interface[name=mgmt0]/admin-state') }] });
      await recorder.waitFor((r) => r.ended, 3000, 'end of stream');
      expect(recorder.error).toBeUndefined();
      expect(recorder.updates()).toEqual([
        ['/interface[name=mgmt0]/oper-state', 'up'],
        ['/interface[name=mgmt0]/admin-state', 'enable'],
      ]);
      expect(recorder.messages[recorder.messages.length - 1].sync_response).toBe(true);
    });

    it('with updates_only sends only the sync_response', async () => {
      const recorder = subscribe('spine01', { mode: 'ONCE', updates_only: true, subscription: [{ path: wirePath('/interface') }] });
      await recorder.waitFor((r) => r.ended, 3000, 'end of stream');
      expect(recorder.messages).toEqual([expect.objectContaining({ sync_response: true })]);
    });

    it('uses the subscribed encoding: JSON_IETF qualifies the prefix path and identity values', async () => {
      await clients.spine01.set(deployRequest(fixture('spine01')));
      const recorder = subscribe('spine01', {
        mode: 'ONCE',
        encoding: 'JSON_IETF',
        subscription: [{ path: wirePath('/network-instance[name=default]/protocols/bgp/afi-safi[afi-safi-name=ipv4-unicast]/afi-safi-name') }],
      });
      await recorder.waitFor((r) => r.ended, 3000, 'end of stream');
      const update = recorder.messages.find((m) => m.update)!.update!;
      expect(update.prefix!.elem!.map((e) => e.name)).toEqual(['srl_nokia-network-instance:network-instance', 'protocols', 'srl_nokia-bgp:bgp', 'afi-safi']);
      expect(update.update![0].val!.json_ietf_val).toBeDefined();
      expect(recorder.updates()).toEqual([
        ['/srl_nokia-network-instance:network-instance[name=default]/protocols/srl_nokia-bgp:bgp/afi-safi[afi-safi-name=ipv4-unicast]/afi-safi-name', 'srl_nokia-common:ipv4-unicast'],
      ]);
    });
  });

  describe('POLL', () => {
    it('answers the initial values and then each Poll with fresh values and a sync_response', async () => {
      const recorder = subscribe('spine01', { mode: 'POLL', subscription: [{ path: wirePath('/interface[name=mgmt0]/description') }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'initial sync');
      expect(recorder.updates()).toEqual([]);

      await clients.spine01.set({ update: [update('/interface[name=mgmt0]/description', 'oob')] });
      await sleep(100);
      expect(recorder.updates()).toEqual([]); // a POLL subscription only speaks when polled

      recorder.stream.write({ poll: {} });
      await recorder.waitFor((r) => r.syncCount() === 2, 3000, 'first poll');
      expect(recorder.updates()).toEqual([['/interface[name=mgmt0]/description', 'oob']]);

      recorder.stream.write({ poll: {} });
      await recorder.waitFor((r) => r.syncCount() === 3, 3000, 'second poll');
      expect(recorder.updates()).toEqual([
        ['/interface[name=mgmt0]/description', 'oob'],
        ['/interface[name=mgmt0]/description', 'oob'],
      ]);
      expect(recorder.ended).toBe(false);
    });

    it('refuses a Poll on a STREAM subscription with INVALID_ARGUMENT', async () => {
      const recorder = subscribe('spine01', { mode: 'STREAM', subscription: [{ path: wirePath('/interface'), mode: 'ON_CHANGE' }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      recorder.stream.write({ poll: {} });
      await recorder.waitFor((r) => r.error !== undefined, 3000, 'error');
      expect(recorder.error!.code).toBe(status.INVALID_ARGUMENT);
      expect(recorder.error!.details).toMatch(/Poll received on a STREAM subscription/);
    });
  });

  describe('STREAM', () => {
    it('ON_CHANGE (and TARGET_DEFINED) sees sessions go active then established, each change once', async () => {
      const onChange = subscribe('spine01', { subscription: [{ path: wirePath(SESSION_STATES), mode: 'ON_CHANGE' }] });
      const targetDefined = subscribe('leaf01', { subscription: [{ path: wirePath(SESSION_STATES) }] });
      await onChange.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      await targetDefined.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      expect(onChange.updates()).toEqual([]);

      await Promise.all(['spine01', 'leaf01', 'leaf02'].map((d) => clients[d].set(deployRequest(fixture(d)))));
      const neighbor = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.1]/session-state';
      await onChange.waitFor((r) => r.updates().filter(([path, value]) => path.endsWith('session-state') && value === 'established').length === 4, 5000, 'four established');
      const history = onChange.updates().filter(([path]) => path === neighbor).map(([, value]) => value);
      // Depending on which Set lands first the session may start idle; each change is reported once.
      expect(history.slice(-2)).toEqual(['active', 'established']);
      expect(history.filter((value, i) => i > 0 && value === history[i - 1])).toEqual([]);
      expect(['idle', 'active']).toContain(history[0]);
      await targetDefined.waitFor((r) => r.updates().filter(([, value]) => value === 'established').length === 2, 5000, 'leaf established');

      await clients.spine01.set({ delete: [wirePath('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.1]')] });
      await onChange.waitFor((r) => r.deletes().length > 0, 3000, 'delete');
      expect(onChange.deletes()).toEqual([neighbor]);
      await targetDefined.waitFor((r) => r.updates().some(([path, value]) => path.includes('10.0.0.0') && value === 'active'), 3000, 'leaf side drops to active');
    });

    it('ON_CHANGE reports config changes, whole-entry deletes, and paths that appear later', async () => {
      const recorder = subscribe('spine01', { subscription: [{ path: wirePath('/interface[name=lo9]'), mode: 'ON_CHANGE' }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      expect(recorder.error).toBeUndefined();

      await clients.spine01.set({ update: [update('/interface[name=lo9]', { description: 'new', 'admin-state': 'enable' })] });
      await recorder.waitFor((r) => r.updates().length >= 4, 3000, 'lo9 leaves');
      expect(Object.fromEntries(recorder.updates())).toEqual({
        '/interface[name=lo9]/name': 'lo9',
        '/interface[name=lo9]/description': 'new',
        '/interface[name=lo9]/admin-state': 'enable',
        '/interface[name=lo9]/oper-state': 'up',
      });
      const before = recorder.updates().length;
      await clients.spine01.set({ update: [update('/interface[name=lo9]/description', 'newer')] });
      await recorder.waitFor((r) => r.updates().length > before, 3000, 'description change');
      expect(recorder.updates().slice(before)).toEqual([['/interface[name=lo9]/description', 'newer']]);

      await clients.spine01.set({ delete: [wirePath('/interface[name=lo9]')] });
      await recorder.waitFor((r) => r.deletes().length > 0, 3000, 'delete');
      expect(recorder.deletes()).toEqual(['/interface[name=lo9]']);
    });

    it('ON_CHANGE with updates_only skips the initial values', async () => {
      const recorder = subscribe('spine01', { updates_only: true, subscription: [{ path: wirePath('/interface[name=mgmt0]'), mode: 'ON_CHANGE' }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      expect(recorder.messages[0].sync_response).toBe(true);
      await clients.spine01.set({ update: [update('/interface[name=mgmt0]/admin-state', 'disable')] });
      await recorder.waitFor((r) => r.updates().length >= 3, 3000, 'changes');
      expect(recorder.updates()).toEqual([
        ['/interface[name=mgmt0]/admin-state', 'disable'],
        ['/interface[name=mgmt0]/oper-state', 'down'],
        ['/interface[name=mgmt0]/subinterface[index=0]/oper-state', 'down'],
      ]);
    });

    it('SAMPLE sends every leaf each interval; suppress_redundant only changes; heartbeat forces a resend', async () => {
      const path = wirePath('/interface[name=mgmt0]/admin-state');
      const every = subscribe('spine01', { subscription: [{ path, mode: 'SAMPLE', sample_interval: String(100e6) }] });
      const suppressed = subscribe('spine01', { subscription: [{ path, mode: 'SAMPLE', sample_interval: String(100e6), suppress_redundant: true }] });
      const heartbeat = subscribe('spine01', {
        subscription: [{ path, mode: 'SAMPLE', sample_interval: String(100e6), suppress_redundant: true, heartbeat_interval: String(300e6) }],
      });
      await sleep(650);
      expect(every.updates().length).toBeGreaterThanOrEqual(4);
      expect(every.updates().every(([, value]) => value === 'enable')).toBe(true);
      expect(suppressed.updates()).toEqual([['/interface[name=mgmt0]/admin-state', 'enable']]);
      expect(heartbeat.updates().length).toBeGreaterThanOrEqual(2);
      expect(heartbeat.updates().length).toBeLessThan(every.updates().length);

      await clients.spine01.set({ update: [update('/interface[name=mgmt0]/admin-state', 'disable')] });
      await suppressed.waitFor((r) => r.updates().length === 2, 3000, 'changed sample');
      expect(suppressed.updates()[1]).toEqual(['/interface[name=mgmt0]/admin-state', 'disable']);
      await sleep(250);
      expect(suppressed.updates()).toHaveLength(2);
    });

    it('refuses a sample_interval below the minimum with INVALID_ARGUMENT', async () => {
      const recorder = subscribe('spine01', { subscription: [{ path: wirePath('/interface'), mode: 'SAMPLE', sample_interval: String(1e6) }] });
      await recorder.waitFor((r) => r.error !== undefined, 3000, 'error');
      expect(recorder.error!.code).toBe(status.INVALID_ARGUMENT);
      expect(recorder.error!.details).toMatch(/sample_interval 1000000 ns is below this target's minimum of 100 ms/);
      expect(recorder.messages).toEqual([]);
    });

    it('ends cleanly when the client cancels, and the device keeps serving', async () => {
      const recorder = subscribe('spine01', { subscription: [{ path: wirePath('/interface'), mode: 'ON_CHANGE' }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      recorder.stream.cancel();
      await recorder.waitFor((r) => r.error !== undefined, 3000, 'cancelled');
      expect(recorder.error!.code).toBe(status.CANCELLED);
      await clients.spine01.set({ update: [update('/interface[name=lo3]', {})] });
      const next = subscribe('spine01', { mode: 'ONCE', subscription: [{ path: wirePath('/interface[name=lo3]/oper-state') }] });
      await next.waitFor((r) => r.ended, 3000, 'once');
      expect(next.updates()).toEqual([['/interface[name=lo3]/oper-state', 'up']]);
    });
  });

  describe('protocol errors', () => {
    it('refuses a first message that is not a SubscriptionList', async () => {
      const recorder = new StreamRecorder(clients.spine01.subscribe());
      open.push(recorder);
      recorder.stream.write({ poll: {} });
      await recorder.waitFor((r) => r.error !== undefined, 3000, 'error');
      expect(recorder.error!.code).toBe(status.INVALID_ARGUMENT);
      expect(recorder.error!.details).toMatch(/Poll received before a SubscriptionList/);
    });

    it('refuses a second SubscriptionList on the same call', async () => {
      const recorder = subscribe('spine01', { mode: 'POLL', subscription: [{ path: wirePath('/interface') }] });
      await recorder.waitFor((r) => r.syncCount() === 1, 3000, 'sync');
      recorder.stream.write({ subscribe: { subscription: [{ path: wirePath('/interface') }] } });
      await recorder.waitFor((r) => r.error !== undefined, 3000, 'error');
      expect(recorder.error!.code).toBe(status.INVALID_ARGUMENT);
      expect(recorder.error!.details).toMatch(/already has a SubscriptionList/);
    });

    it('refuses an invalid path, an empty list and an unsupported encoding', async () => {
      const badPath = subscribe('spine01', { subscription: [{ path: wirePath('/interfaces') }] });
      const empty = subscribe('spine01', { subscription: [] });
      const ascii = subscribe('spine01', { encoding: 'ASCII', subscription: [{ path: wirePath('/interface') }] });
      await Promise.all([badPath, empty, ascii].map((r) => r.waitFor((x) => x.error !== undefined, 3000, 'error')));
      expect([badPath.error!.code, empty.error!.code, ascii.error!.code]).toEqual([status.INVALID_ARGUMENT, status.INVALID_ARGUMENT, status.UNIMPLEMENTED]);
      expect(badPath.error!.details).toMatch(/\/interfaces: unknown element "interfaces"/);
    });

    it('refuses bad credentials with UNAUTHENTICATED before sending anything', async () => {
      const intruder = connect(sim.address('spine01'), { username: LAB_USER.username, password: 'wrong' });
      try {
        const recorder = subscribe('spine01', { mode: 'ONCE', subscription: [{ path: wirePath('/interface') }] }, intruder);
        await recorder.waitFor((r) => r.error !== undefined, 3000, 'error');
        expect(recorder.error!.code).toBe(status.UNAUTHENTICATED);
        expect(recorder.messages).toEqual([]);
      } finally {
        intruder.close();
      }
    });
  });
});
