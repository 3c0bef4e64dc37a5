/**
 * Every gNMI RPC of the client against the device simulator over loopback,
 * asserted the way an operator would check a device: its running config and
 * its state.
 */
import { referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import type { GnmiClient, SubscriptionEvent } from '@synapse/gnmi-client';
import { clientFor, withoutIdentityModules, eventsUntil, expectTypedError, fabricSet, LEAF01_TO_SPINE01, routedInterface, sleep, SPINE01_TO_LEAF01 } from './lab';

const CONVERGENCE_MS = 300;

describe('gNMI RPCs against the device simulator', () => {
  let sim: DeviceSim;
  let leaf01: GnmiClient;
  let leaf02: GnmiClient;
  let spine01: GnmiClient;

  beforeAll(async () => {
    sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: CONVERGENCE_MS });
    leaf01 = clientFor(sim, 'leaf01');
    leaf02 = clientFor(sim, 'leaf02');
    spine01 = clientFor(sim, 'spine01');
  });
  afterAll(async () => {
    for (const client of [leaf01, leaf02, spine01]) client?.close();
    await sim?.stop();
  });

  describe('Capabilities', () => {
    it('reports the gNMI version, encodings and SR Linux models', async () => {
      const capabilities = await leaf01.capabilities();
      expect(capabilities.gnmiVersion).toBe('0.10.0');
      expect(capabilities.encodings).toEqual(expect.arrayContaining(['JSON', 'JSON_IETF']));
      expect(capabilities.models).toEqual(expect.arrayContaining([{ name: 'srl_nokia-interfaces', organization: 'Nokia', version: expect.any(String) }]));
    });
  });

  describe('Get', () => {
    it('reads the whole running config at the root (a backup), prefixes stripped from member names', async () => {
      const config = (await leaf01.getConfig('/')) as { 'network-instance': { type: string }[] };
      expect(Object.keys(config)).toEqual(expect.arrayContaining(['interface', 'network-instance', 'system']));
      // Identity values keep their module in JSON_IETF (RFC 7951): only member names are unqualified.
      expect(config['network-instance'][0].type).toBe('srl_nokia-network-instance:ip-vrf');
      expect(withoutIdentityModules(config)).toEqual(sim.runningConfig('leaf01'));
    });

    it('keeps the module prefixes on request', async () => {
      const raw = (await leaf01.getConfig('/', { keepModulePrefixes: true })) as Record<string, unknown>;
      expect(Object.keys(raw)).toEqual(expect.arrayContaining(['srl_nokia-interfaces:interface', 'srl_nokia-system:system', 'srl_nokia-network-instance:network-instance']));
      const { updates } = await leaf01.get('/', { type: 'CONFIG', keepModulePrefixes: true });
      expect(updates).toHaveLength(1);
      expect(updates[0].path).toBe('/');
    });

    it('separates CONFIG, STATE and ALL', async () => {
      const [config, state, all] = await Promise.all(
        (['CONFIG', 'STATE', 'ALL'] as const).map((type) => leaf01.get('/interface[name=mgmt0]', { type })),
      );
      expect(config.updates[0].value).toMatchObject({ 'admin-state': 'enable' });
      expect(config.updates[0].value).not.toHaveProperty('oper-state');
      expect(state.updates[0].value).toMatchObject({ 'oper-state': 'up' });
      expect(state.updates[0].value).not.toHaveProperty('admin-state');
      expect(all.updates[0].value).toMatchObject({ 'admin-state': 'enable', 'oper-state': 'up' });
      for (const result of [config, state, all]) expect(result.updates[0].path).toBe('/interface[name=mgmt0]');
      expect(BigInt(all.timestamp!)).toBeGreaterThan(BigInt(Date.now() - 60_000) * 1_000_000n);
    });

    it('reads JSON as well as JSON_IETF; identity values keep their module in JSON_IETF only', async () => {
      const path = '/network-instance[name=mgmt]/type';
      const ietf = await leaf01.get(path, { type: 'CONFIG', encoding: 'JSON_IETF' });
      const json = await leaf01.get(path, { type: 'CONFIG', encoding: 'JSON' });
      expect(ietf.updates).toEqual([{ path, value: 'srl_nokia-network-instance:ip-vrf', timestamp: expect.any(String) }]);
      expect(json.updates).toEqual([{ path, value: 'ip-vrf', timestamp: expect.any(String) }]);
    });

    it('expands wildcard keys into one update per match', async () => {
      await spine01.set({
        replace: ['ethernet-1/1', 'ethernet-1/2'].map((name, i) => ({ path: `/interface[name=${name}]`, value: routedInterface(name, `10.9.${i}.0`, 'wildcard test') })),
      });
      const { updates } = await spine01.get('/interface[name=*]/admin-state', { type: 'CONFIG' });
      expect(updates.map((u) => u.path).sort()).toEqual([
        '/interface[name=ethernet-1/1]/admin-state',
        '/interface[name=ethernet-1/2]/admin-state',
        '/interface[name=mgmt0]/admin-state',
      ]);
      expect(new Set(updates.map((u) => u.value))).toEqual(new Set(['enable']));
      await spine01.set({ delete: ['/interface[name=ethernet-1/1]', '/interface[name=ethernet-1/2]'] });
    });

    it('uses a prefix', async () => {
      const { updates } = await leaf01.get(['/admin-state', '/description'], { type: 'CONFIG', prefix: '/network-instance[name=mgmt]' });
      expect(updates.map((u) => [u.path, u.value])).toEqual([
        ['/network-instance[name=mgmt]/admin-state', 'enable'],
        ['/network-instance[name=mgmt]/description', 'Management network instance'],
      ]);
    });

    it('reports a path the device does not have as a wrong request', async () => {
      const error = await expectTypedError(leaf01.get('/interface[name=ethernet-1/7]', { type: 'CONFIG' }), 'InvalidInput');
      expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Get', grpcStatus: 'NOT_FOUND' });
      expect(error.message).toContain('ethernet-1/7');
    });
  });

  describe('Set', () => {
    it('applies delete, replace and update atomically in one request', async () => {
      await leaf02.set({
        replace: [
          { path: '/interface[name=ethernet-1/10]', value: routedInterface('ethernet-1/10', '10.8.0.0', 'to be deleted') },
          { path: '/interface[name=ethernet-1/11]', value: routedInterface('ethernet-1/11', '10.8.0.2', 'first description') },
        ],
      });
      const result = await leaf02.set({
        delete: ['/interface[name=ethernet-1/10]'],
        replace: [{ path: '/interface[name=ethernet-1/12]', value: { name: 'ethernet-1/12', 'admin-state': 'disable', mtu: 1500 } }],
        update: [{ path: '/interface[name=ethernet-1/11]/description', value: 'updated description' }],
      });
      expect(result.results).toEqual([
        { path: '/interface[name=ethernet-1/10]', op: 'DELETE' },
        { path: '/interface[name=ethernet-1/12]', op: 'REPLACE' },
        { path: '/interface[name=ethernet-1/11]/description', op: 'UPDATE' },
      ]);
      expect(BigInt(result.timestamp)).toBeGreaterThan(0n);
      const interfaces = (sim.runningConfig('leaf02') as { interface: { name: string; description?: string; 'admin-state'?: string }[] }).interface;
      expect(interfaces.map((i) => i.name).sort()).toEqual(['ethernet-1/11', 'ethernet-1/12', 'mgmt0']);
      expect(interfaces.find((i) => i.name === 'ethernet-1/11')?.description).toBe('updated description');
      expect(interfaces.find((i) => i.name === 'ethernet-1/12')?.['admin-state']).toBe('disable');
    });

    it('writes JSON encoding too', async () => {
      await leaf02.set({ update: [{ path: '/interface[name=ethernet-1/12]/description', value: 'written as JSON' }] }, { encoding: 'JSON' });
      expect(await leaf02.getConfig('/interface[name=ethernet-1/12]/description')).toBe('written as JSON');
    });

    it('rejects the whole request when one item is invalid, and changes nothing', async () => {
      const before = sim.runningConfig('leaf02');
      const error = await expectTypedError(
        leaf02.set({
          delete: ['/interface[name=ethernet-1/11]'],
          replace: [{ path: '/interface[name=ethernet-1/13]', value: { name: 'ethernet-1/13', 'admin-state': 'enable' } }],
          update: [{ path: '/interface[name=ethernet-1/12]/mtu', value: 100 }],
        }),
        'ConfigRejected',
      );
      expect(error.retryable).toBe(false);
      expect(error.details).toMatchObject({ device: 'leaf02', rpc: 'Set', grpcStatus: 'INVALID_ARGUMENT' });
      expect(error.message).toMatch(/mtu/);
      expect(sim.runningConfig('leaf02')).toEqual(before);
    });

    it('refuses a reference to a missing group as the device would', async () => {
      const before = sim.runningConfig('leaf02');
      const set = fabricSet({ ...LEAF01_TO_SPINE01, links: [{ interface: 'ethernet-1/49', local: '10.1.2.1', peer: '10.1.2.0' }] });
      const ni = set.replace[2].value as { protocols: { 'srl_nokia-bgp:bgp': { neighbor: { 'peer-group': string }[] } } };
      ni.protocols['srl_nokia-bgp:bgp'].neighbor[0]['peer-group'] = 'no-such-group';
      const error = await expectTypedError(leaf02.set(set), 'ConfigRejected');
      expect(error.message).toContain('no-such-group');
      expect(sim.runningConfig('leaf02')).toEqual(before);
    });
  });

  describe('Subscribe', () => {
    it('ONCE: current values, sync, then the stream ends', async () => {
      const events: SubscriptionEvent[] = [];
      for await (const event of leaf01.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/interface[name=*]/admin-state' }] })) events.push(event);
      expect(events).toEqual([
        { kind: 'update', path: '/interface[name=mgmt0]/admin-state', value: 'enable', timestamp: expect.any(String) },
        { kind: 'sync' },
      ]);
    });

    it('POLL: a fresh snapshot per poll()', async () => {
      const path = '/interface[name=mgmt0]/description';
      await leaf01.set({ update: [{ path, value: 'before poll' }] });
      const subscription = leaf01.subscribe({ mode: 'POLL', subscriptions: [{ path }] });
      const iterator = subscription[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ kind: 'update', path, value: 'before poll' });
      expect((await iterator.next()).value).toEqual({ kind: 'sync' });
      await leaf01.set({ update: [{ path, value: 'after poll' }] });
      subscription.poll();
      expect((await iterator.next()).value).toMatchObject({ kind: 'update', path, value: 'after poll' });
      expect((await iterator.next()).value).toEqual({ kind: 'sync' });
      subscription.close();
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    });

    it('STREAM ON_CHANGE: watches a BGP session reach established once both ends are configured', async () => {
      const sessionPath = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state';
      const subscription = leaf01.subscribe({ mode: 'STREAM', subscriptions: [{ path: sessionPath, mode: 'ON_CHANGE' }] });
      try {
        await leaf01.set(fabricSet(LEAF01_TO_SPINE01));
        await sleep(50);
        await spine01.set(fabricSet(SPINE01_TO_LEAF01));
        const started = Date.now();
        const events = await eventsUntil(subscription, (seen) => seen.some((e) => e.kind === 'update' && e.value === 'established'), 10_000);
        const states = events.filter((e): e is Extract<SubscriptionEvent, { kind: 'update' }> => e.kind === 'update').map((e) => e.value);
        expect(events[0]).toEqual({ kind: 'sync' });
        expect(states.at(-1)).toBe('established');
        expect(states).toContain('active'); // leaf01 configured first: the session waits for spine01
        expect(Date.now() - started).toBeGreaterThanOrEqual(CONVERGENCE_MS - 50);
        const path = events.find((e) => e.kind === 'update')!;
        expect(path).toMatchObject({ path: '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.1.1.0]/session-state' });
      } finally {
        subscription.close();
      }
      const { updates } = await spine01.get(sessionPath, { type: 'STATE' });
      expect(updates.map((u) => u.value)).toEqual(['established']);
    });

    it('STREAM ON_CHANGE: sees an interface flap, down then up', async () => {
      const path = '/interface[name=ethernet-1/49]/oper-state';
      const subscription = leaf01.subscribe({ mode: 'STREAM', subscriptions: [{ path, mode: 'ON_CHANGE' }], updatesOnly: true });
      try {
        const synced = await eventsUntil(subscription, (seen) => seen.length > 0, 5000);
        expect(synced).toEqual([{ kind: 'sync' }]); // updatesOnly: no initial values
        sim.faults('spine01').flapInterface('ethernet-1/1', 200);
        const events = await eventsUntil(subscription, (seen) => seen.filter((e) => e.kind === 'update').length >= 2, 5000);
        expect(events.map((e) => (e.kind === 'update' ? `${e.path}=${String(e.value)}` : e.kind))).toEqual([`${path}=down`, `${path}=up`]);
      } finally {
        subscription.close();
      }
    });

    it('STREAM SAMPLE: the value again every interval', async () => {
      const subscription = leaf01.subscribe({
        mode: 'STREAM',
        subscriptions: [{ path: '/interface[name=mgmt0]/oper-state', mode: 'SAMPLE', sampleIntervalMs: 100 }],
      });
      try {
        const events = await eventsUntil(subscription, (seen) => seen.filter((e) => e.kind === 'update').length >= 4, 3000);
        const updates = events.filter((e): e is Extract<SubscriptionEvent, { kind: 'update' }> => e.kind === 'update');
        expect(events[1]).toEqual({ kind: 'sync' });
        expect(new Set(updates.map((u) => u.value))).toEqual(new Set(['up']));
        const gapsMs = updates.slice(1).map((u, i) => Number((BigInt(u.timestamp) - BigInt(updates[i].timestamp)) / 1_000_000n));
        for (const gap of gapsMs.slice(1)) expect(gap).toBeGreaterThanOrEqual(50);
      } finally {
        subscription.close();
      }
    });

    it('throws a refused subscription from the iterator as a typed error', async () => {
      const subscription = leaf01.subscribe({
        mode: 'STREAM',
        subscriptions: [{ path: '/interface[name=mgmt0]/oper-state', mode: 'SAMPLE', sampleIntervalMs: 1 }],
      });
      const error = await expectTypedError(eventsUntil(subscription, () => false, 5000), 'InvalidInput');
      expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Subscribe', grpcStatus: 'INVALID_ARGUMENT' });
      expect(error.message).toMatch(/sample_interval/);
    });

    it('ends an open stream with a typed error when the device restarts, never silently', async () => {
      const subscription = leaf02.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/interface[name=mgmt0]/oper-state', mode: 'ON_CHANGE' }] });
      await eventsUntil(subscription, (seen) => seen.some((e) => e.kind === 'sync'), 5000);
      const restart = sim.faults('leaf02').restart(300);
      const error = await expectTypedError(eventsUntil(subscription, () => false, 5000), 'DeviceUnreachable');
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ device: 'leaf02', rpc: 'Subscribe' });
      await restart;
    });
  });
});
