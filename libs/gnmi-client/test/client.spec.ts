import { createServer, type Server, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { SynapseError } from '@synapse/contracts';
import { GnmiClient, type SubscriptionEvent, type WireSubscribeRequest, type WireSubscribeResponse } from '../src/index';
import { startFakeGnmiServer, type FakeGnmiServer } from './fake-gnmi-server';

const credentials = { username: 'admin', password: 'NokiaSrl1!' };
/** The scripted server and the dead ends below speak plaintext; credentials are allowed over it explicitly. */
const PLAINTEXT = { mode: 'plaintext', allowCredentials: true } as const;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

async function failure(promise: Promise<unknown>): Promise<SynapseError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SynapseError);
    return err as SynapseError;
  }
  throw new Error('expected a failure');
}

async function collect(iterable: AsyncIterable<SubscriptionEvent>, limit = Infinity): Promise<SubscriptionEvent[]> {
  const events: SubscriptionEvent[] = [];
  for await (const event of iterable) {
    events.push(event);
    if (events.length >= limit) break;
  }
  return events;
}

describe('GnmiClient call mechanics (scripted server)', () => {
  let server: FakeGnmiServer;
  let client: GnmiClient;
  let subscribeScript: (call: grpc.ServerDuplexStream<WireSubscribeRequest, WireSubscribeResponse>) => void = () => {};

  beforeAll(async () => {
    server = await startFakeGnmiServer({
      Capabilities: (_call, cb) =>
        cb(null, { gNMI_version: '0.10.0', supported_encodings: ['JSON', 'JSON_IETF'], supported_models: [{ name: 'srl_nokia-interfaces', organization: 'Nokia', version: '2025-03-31' }] }),
      Get: (call, cb) => {
        if (call.request.path?.[0].elem?.[0]?.name === 'slow') return; // never answers
        cb(null, {
          notification: [
            {
              timestamp: '1764336000000000001',
              prefix: { elem: [{ name: 'srl_nokia-interfaces:interface', key: { name: 'ethernet-1/1' } }] },
              update: [{ path: { elem: [{ name: 'oper-state' }] }, val: { json_ietf_val: json('up') } }],
            },
            {
              timestamp: '1764336000000000009',
              update: [{ path: { elem: [] }, val: { json_ietf_val: json({ 'srl_nokia-system:system': { name: { 'host-name': 'leaf01' } } }) } }],
            },
          ],
        });
      },
      Set: (_call, cb) =>
        cb(null, {
          timestamp: '1764336000000000042',
          response: [
            { path: { elem: [{ name: 'interface', key: { name: 'ethernet-1/1' } }] }, op: 'REPLACE' },
            { path: { elem: [{ name: 'interface', key: { name: 'ethernet-1/9' } }] }, op: 'DELETE' },
          ],
        }),
      Subscribe: (call) => subscribeScript(call),
    });
    client = new GnmiClient({ name: 'leaf01', address: server.address, transport: PLAINTEXT, timeoutMs: 2000 }, credentials);
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('sends username and password metadata on every call and maps Capabilities', async () => {
    await expect(client.capabilities()).resolves.toEqual({
      gnmiVersion: '0.10.0',
      encodings: ['JSON', 'JSON_IETF'],
      models: [{ name: 'srl_nokia-interfaces', organization: 'Nokia', version: '2025-03-31' }],
    });
    expect(server.calls.at(-1)!.metadata).toMatchObject({ username: 'admin', password: 'NokiaSrl1!' });
  });

  it('joins prefixes, strips module prefixes and keeps the latest timestamp', async () => {
    const result = await client.get('/interface[name=*]/oper-state', { type: 'STATE' });
    expect(result).toEqual({
      timestamp: '1764336000000000009',
      updates: [
        { path: '/interface[name=ethernet-1/1]/oper-state', value: 'up', timestamp: '1764336000000000001' },
        { path: '/', value: { system: { name: { 'host-name': 'leaf01' } } }, timestamp: '1764336000000000009' },
      ],
    });
    expect(server.calls.at(-1)!.request).toMatchObject({ type: 'STATE', encoding: 'JSON_IETF' });
    const raw = await client.get('/', { keepModulePrefixes: true });
    expect(raw.updates[0].path).toBe('/srl_nokia-interfaces:interface[name=ethernet-1/1]/oper-state');
  });

  it('maps Set results', async () => {
    await expect(client.set({ replace: [{ path: '/interface[name=ethernet-1/1]', value: {} }], delete: ['/interface[name=ethernet-1/9]'] })).resolves.toEqual({
      timestamp: '1764336000000000042',
      results: [
        { path: '/interface[name=ethernet-1/1]', op: 'REPLACE' },
        { path: '/interface[name=ethernet-1/9]', op: 'DELETE' },
      ],
    });
  });

  it('fails an unanswered call with DeviceTimeout at its deadline', async () => {
    const started = Date.now();
    const error = await failure(client.get('/slow', { timeoutMs: 300 }));
    expect(error.type).toBe('DeviceTimeout');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Get', grpcStatus: 'DEADLINE_EXCEEDED', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects a bad request before sending it, naming the field', async () => {
    const before = server.calls.length;
    const error = await failure(client.get(['/interface[name=x'], {}));
    expect(error.type).toBe('InvalidInput');
    expect(error.message).toMatch(/^leaf01 \(127\.0\.0\.1:\d+\) Get: paths\.0: invalid gNMI path/);
    expect(() => client.subscribe({ mode: 'STREAM', subscriptions: [] })).toThrow(/subscriptions: at least one/);
    expect(server.calls.length).toBe(before);
  });

  it('streams updates, deletes and sync, and ends a ONCE subscription with the stream', async () => {
    subscribeScript = (call) =>
      call.on('data', () => {
        call.write({ update: { timestamp: '5', update: [{ path: { elem: [{ name: 'a' }] }, val: { string_val: 'x' } }], delete: [{ elem: [{ name: 'b' }] }] } });
        call.write({ sync_response: true });
        call.end();
      });
    const events = await collect(client.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/a' }] }));
    expect(events).toEqual([
      { kind: 'delete', path: '/b', timestamp: '5' },
      { kind: 'update', path: '/a', value: 'x', timestamp: '5' },
      { kind: 'sync' },
    ]);
    expect(server.calls.at(-1)!.request).toBeUndefined();
    expect(server.calls.at(-1)!.metadata).toMatchObject({ username: 'admin' });
  });

  it('answers each poll() of a POLL subscription', async () => {
    let polls = 0;
    subscribeScript = (call) =>
      call.on('data', (request: WireSubscribeRequest) => {
        if (request.poll) polls++;
        call.write({ update: { timestamp: String(polls), update: [{ path: { elem: [{ name: 'counter' }] }, val: { uint_val: String(polls) } }] } });
        call.write({ sync_response: true });
      });
    const subscription = client.subscribe({ mode: 'POLL', subscriptions: [{ path: '/counter' }] });
    const iterator = subscription[Symbol.asyncIterator]();
    const values: unknown[] = [];
    for (let round = 0; round < 3; round++) {
      if (round > 0) subscription.poll();
      const update = await iterator.next();
      values.push((update.value as { value: unknown }).value);
      expect((await iterator.next()).value).toEqual({ kind: 'sync' });
    }
    expect(values).toEqual([0, 1, 2]);
    subscription.close();
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    expect(() => subscription.poll()).toThrow(/ended/);
  });

  it('throws a stream failure from the iterator after the events before it', async () => {
    subscribeScript = (call) =>
      call.on('data', () => {
        call.write({ sync_response: true });
        setTimeout(() => call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: 'user admin may not read /system' }), 20);
      });
    const subscription = client.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/system', mode: 'ON_CHANGE' }] });
    const events: SubscriptionEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of subscription) events.push(event);
      })(),
    );
    expect(events).toEqual([{ kind: 'sync' }]);
    expect(error.type).toBe('AuthFailed');
    expect(error.message).toContain('user admin may not read /system');
    expect(error.details).toMatchObject({ rpc: 'Subscribe', grpcStatus: 'PERMISSION_DENIED' });
  });

  it('closes the stream when the consumer breaks out', async () => {
    let cancelled = false;
    subscribeScript = (call) => {
      call.on('cancelled', () => (cancelled = true));
      call.on('data', () => {
        for (let i = 0; i < 5; i++) call.write({ update: { timestamp: String(i), update: [{ path: { elem: [{ name: 'n' }] }, val: { int_val: String(i) } }] } });
      });
    };
    const events = await collect(client.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/n', mode: 'SAMPLE', sampleIntervalMs: 100 }] }), 2);
    expect(events.map((e) => (e as { value: unknown }).value)).toEqual([0, 1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cancelled).toBe(true);
  });

  it('pauses a device that outruns the consumer without losing events', async () => {
    const total = 12_000;
    subscribeScript = (call) =>
      call.on('data', () => {
        for (let i = 0; i < total; i++) call.write({ update: { timestamp: String(i), update: [{ path: { elem: [{ name: 'n' }] }, val: { int_val: String(i) } }] } });
        call.write({ sync_response: true });
        call.end();
      });
    const subscription = client.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/n' }] });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the buffer fill past the high mark
    const events = await collect(subscription);
    expect(events).toHaveLength(total + 1);
    expect((events[total - 1] as { value: unknown }).value).toBe(total - 1);
  });
});

describe('GnmiClient against unreachable targets', () => {
  it('fails fast with DeviceUnreachable when nothing listens', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise((resolve) => probe.close(resolve));
    const client = new GnmiClient({ name: 'leaf09', address: `127.0.0.1:${port}`, transport: PLAINTEXT, timeoutMs: 5000 }, credentials);
    const started = Date.now();
    const error = await failure(client.capabilities());
    expect(error.type).toBe('DeviceUnreachable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('NokiaSrl1!');
    expect(Date.now() - started).toBeLessThan(2000);
    client.close();
  });

  describe('a peer that accepts TCP and never speaks', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let address: string;
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
      address = `127.0.0.1:${port}`;
    });
    afterAll(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });

    it('times out a unary call at its deadline', async () => {
      const client = new GnmiClient({ name: 'leaf09', address, transport: PLAINTEXT, timeoutMs: 400 }, credentials);
      const started = Date.now();
      const error = await failure(client.get('/'));
      expect(error.type).toBe('DeviceTimeout');
      expect(Date.now() - started).toBeLessThan(1500);
      client.close();
    });

    it('times out a subscription that never connects', async () => {
      const client = new GnmiClient({ name: 'leaf09', address, transport: PLAINTEXT, timeoutMs: 5000 }, credentials);
      const started = Date.now();
      const error = await failure(collect(client.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/', mode: 'ON_CHANGE' }], connectTimeoutMs: 400 })));
      expect(error.type).toBe('DeviceTimeout');
      expect(error.message).toMatch(/no connection to the device within 400 ms/);
      expect(Date.now() - started).toBeLessThan(1500);
      client.close();
    });
  });
});
