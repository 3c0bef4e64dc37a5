/**
 * Reaching devices: credentials, TLS modes, deadlines, injected faults, and
 * one reused channel per device. Every failure must be a typed error that
 * names the device, arrives within the deadline, and never leaks a password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { LAB_PLAINTEXT_TRANSPORT, referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { GnmiClient, GnmiClientPool } from '@synapse/gnmi-client';
import { ADMIN, clientFor, closedPort, eventsUntil, expectTypedError, routedInterface, sleep, startCountingRelay } from './lab';

async function within<T>(ms: number, promise: Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const started = Date.now();
  const result = await promise;
  const elapsedMs = Date.now() - started;
  expect(elapsedMs).toBeLessThan(ms);
  return { result, elapsedMs };
}

describe('plaintext lab', () => {
  let sim: DeviceSim;
  beforeAll(async () => {
    sim = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 });
  });
  afterEach(() => {
    for (const device of ['leaf01', 'leaf02', 'spine01']) sim.faults(device).clear();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  describe('credentials', () => {
    it('a wrong password is AuthFailed, with the device message and without the password', async () => {
      const client = new GnmiClient({ name: 'leaf01', address: sim.address('leaf01'), transport: LAB_PLAINTEXT_TRANSPORT }, { username: 'admin', password: 'WrongSecret1!' });
      try {
        const error = await expectTypedError(client.get('/', { type: 'CONFIG' }), 'AuthFailed');
        expect(error.retryable).toBe(false);
        expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Get', grpcStatus: 'UNAUTHENTICATED' });
        expect(error.message).toContain('authentication failed for user "admin"');
        expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('WrongSecret1!');
      } finally {
        client.close();
      }
    });

    it('are refused over plaintext unless allowed, before anything reaches the device', async () => {
      let refused: unknown;
      try {
        new GnmiClient({ name: 'leaf01', address: sim.address('leaf01'), transport: { mode: 'plaintext' } }, ADMIN);
      } catch (err) {
        refused = err;
      }
      expect(refused).toMatchObject({ type: 'TargetMisconfigured', retryable: false, details: { device: 'leaf01', address: sim.address('leaf01'), transport: 'plaintext' } });
      expect((refused as Error).message).toMatch(/refusing to send the username and password over plaintext gNMI .* allow it explicitly with transport\.allowCredentials: true$/);
      const allowed = new GnmiClient({ name: 'leaf01', address: sim.address('leaf01'), transport: { mode: 'plaintext', allowCredentials: true } }, ADMIN);
      try {
        await expect(allowed.capabilities()).resolves.toMatchObject({ gnmiVersion: '0.10.0' });
      } finally {
        allowed.close();
      }
    });

    it('no credentials at all is AuthFailed too', async () => {
      const client = new GnmiClient({ name: 'leaf01', address: sim.address('leaf01'), transport: { mode: 'plaintext' } });
      try {
        await expectTypedError(client.capabilities(), 'AuthFailed');
        await expectTypedError(eventsUntil(client.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/interface' }] }), () => false, 5000), 'AuthFailed');
      } finally {
        client.close();
      }
    });
  });

  describe('deadlines', () => {
    it('nothing listening: DeviceUnreachable at once, not at the deadline', async () => {
      const client = new GnmiClient({ name: 'leaf99', address: `127.0.0.1:${await closedPort()}`, transport: LAB_PLAINTEXT_TRANSPORT, timeoutMs: 10_000 }, ADMIN);
      try {
        const { result: error } = await within(2000, expectTypedError(client.capabilities(), 'DeviceUnreachable'));
        expect(error.retryable).toBe(true);
        expect(error.message).toMatch(/leaf99 \(127\.0\.0\.1:\d+\) Capabilities: device could not be reached \(UNAVAILABLE\): connect ECONNREFUSED/);
        await within(2000, expectTypedError(eventsUntil(client.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/' }] }), () => false, 5000), 'DeviceUnreachable'));
      } finally {
        client.close();
      }
    });

    it('a slow device: DeviceTimeout at about the deadline', async () => {
      sim.faults('leaf01').set({ latencyMs: 3000 });
      const client = clientFor(sim, 'leaf01', { timeoutMs: 500 });
      try {
        const { result: error, elapsedMs } = await within(1500, expectTypedError(client.get('/', { type: 'CONFIG' }), 'DeviceTimeout'));
        expect(elapsedMs).toBeGreaterThanOrEqual(450);
        expect(error.retryable).toBe(true);
        expect(error.details).toMatchObject({ device: 'leaf01', rpc: 'Get', grpcStatus: 'DEADLINE_EXCEEDED', timeoutMs: 500 });
        // A per-call deadline overrides the target's.
        sim.faults('leaf01').set({ latencyMs: 300 });
        await expect(client.capabilities({ timeoutMs: 2000 })).resolves.toMatchObject({ gnmiVersion: '0.10.0' });
      } finally {
        client.close();
      }
    });

    it('refused connections: DeviceUnreachable quickly, and the client recovers once the device listens again', async () => {
      const client = clientFor(sim, 'leaf02', { timeoutMs: 5000 });
      try {
        await client.capabilities();
        sim.faults('leaf02').set({ refuseConnections: true });
        await within(2000, expectTypedError(client.capabilities(), 'DeviceUnreachable'));
        sim.faults('leaf02').clear();
        // grpc-js retries the connection on its own backoff (capped at 10 s by the client).
        const deadline = Date.now() + 12_000;
        for (;;) {
          try {
            await client.capabilities();
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await sleep(250);
          }
        }
      } finally {
        client.close();
      }
    });
  });

  describe('injected Set failures', () => {
    it.each([
      [status.INVALID_ARGUMENT, 'ConfigRejected', false],
      [status.FAILED_PRECONDITION, 'CommitPending', false],
      [status.PERMISSION_DENIED, 'AuthFailed', false],
      [status.UNIMPLEMENTED, 'Unsupported', false],
      [status.UNAVAILABLE, 'DeviceUnreachable', true],
      [status.DEADLINE_EXCEEDED, 'DeviceTimeout', true],
      [status.INTERNAL, 'ConfigRejected', false],
    ] as const)('gRPC %s -> %s (retryable %s), keeping the device message', async (code, type, retryable) => {
      const client = clientFor(sim, 'spine01');
      try {
        const before = sim.runningConfig('spine01');
        sim.faults('spine01').failNextSet(code, `injected: commit failed with code ${code}`);
        const error = await expectTypedError(client.set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'never applied' }] }), type);
        expect(error.retryable).toBe(retryable);
        expect(error.details).toMatchObject({ device: 'spine01', rpc: 'Set', grpcCode: code, deviceMessage: `injected: commit failed with code ${code}` });
        expect(sim.runningConfig('spine01')).toEqual(before);
      } finally {
        client.close();
      }
    });

    it('a connection dropped before the change applies: retryable, outcome unknown, nothing changed', async () => {
      const client = clientFor(sim, 'spine01');
      try {
        const before = sim.runningConfig('spine01');
        sim.faults('spine01').dropNextSet('before-apply');
        const set = { replace: [{ path: '/interface[name=ethernet-1/20]', value: routedInterface('ethernet-1/20', '10.20.0.0', 'dropped') }] };
        const error = await within(3000, expectTypedError(client.set(set), 'DeviceUnreachable'));
        expect(error.result.details).toMatchObject({ device: 'spine01', rpc: 'Set', outcome: 'unknown' });
        expect(sim.runningConfig('spine01')).toEqual(before);
      } finally {
        client.close();
      }
    });

    it('a connection dropped after the change applied: retrying the same replace converges', async () => {
      const client = clientFor(sim, 'spine01');
      try {
        sim.faults('spine01').dropNextSet('after-apply');
        const set = { replace: [{ path: '/interface[name=ethernet-1/21]', value: routedInterface('ethernet-1/21', '10.21.0.0', 'landed') }] };
        const error = await expectTypedError(client.set(set), 'DeviceUnreachable');
        expect(error.details.outcome).toBe('unknown');
        const landed = () => (sim.runningConfig('spine01') as { interface: { name: string }[] }).interface.some((i) => i.name === 'ethernet-1/21');
        expect(landed()).toBe(true);
        // The caller's retry, on the same client: it reconnects and the replace is idempotent.
        await expect(client.set(set)).resolves.toMatchObject({ results: [{ path: '/interface[name=ethernet-1/21]', op: 'REPLACE' }] });
        expect(landed()).toBe(true);
      } finally {
        client.close();
      }
    });
  });

  describe('channel reuse', () => {
    it('the pool hands out one client per device, and its calls share one connection', async () => {
      const relay = await startCountingRelay(sim.address('leaf01'));
      const lookedUp: string[] = [];
      const pool = new GnmiClientPool((name) => {
        lookedUp.push(name);
        return ADMIN;
      });
      try {
        const target = { name: 'leaf01', address: relay.address, transport: LAB_PLAINTEXT_TRANSPORT };
        const client = pool.get(target);
        expect(pool.get(target)).toBe(client);
        await Promise.all([client.capabilities(), pool.get(target).get('/interface[name=*]/oper-state', { type: 'STATE' }), pool.get(target).getConfig('/')]);
        const once = pool.get(target).subscribe({ mode: 'ONCE', subscriptions: [{ path: '/interface[name=mgmt0]/admin-state' }] });
        for await (const _ of once);
        await pool.get(target).set({ update: [{ path: '/interface[name=mgmt0]/description', value: 'pooled' }] });
        expect(relay.connections()).toBe(1);
        expect(client.connectionState()).toBe('READY');
        expect(lookedUp).toEqual(['leaf01']);
      } finally {
        pool.close();
        await relay.close();
      }
    });
  });
});

describe('TLS lab (self-signed CA)', () => {
  let tlsSim: DeviceSim;
  let otherTlsSim: DeviceSim;
  let plainSim: DeviceSim;
  let caDir: string;
  let caFile: string;

  beforeAll(async () => {
    [tlsSim, otherTlsSim, plainSim] = await Promise.all([
      startDeviceSim({ topology: referenceLabTopology(), tls: 'self-signed', convergenceDelayMs: 100 }),
      startDeviceSim({ topology: referenceLabTopology(), tls: 'self-signed', convergenceDelayMs: 100 }),
      startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 }),
    ]);
    caDir = mkdtempSync(join(tmpdir(), 'gnmi-ca-'));
    caFile = join(caDir, 'ca.pem');
    writeFileSync(caFile, tlsSim.tlsCaPem!);
  });
  afterAll(async () => {
    await Promise.all([tlsSim?.stop(), otherTlsSim?.stop(), plainSim?.stop()]);
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  it('verifies by default: a target naming no transport is TLS, and a device whose CA it was not given is refused', async () => {
    const byDefault = new GnmiClient({ name: 'leaf01', address: tlsSim.address('leaf01') }, ADMIN);
    const wrongCa = clientFor(tlsSim, 'leaf01', { transport: { mode: 'tls', caPem: otherTlsSim.tlsCaPem! } });
    try {
      expect(byDefault.target.transport).toEqual({ mode: 'tls' });
      for (const client of [byDefault, wrongCa]) {
        const error = await expectTypedError(client.capabilities(), 'TargetMisconfigured');
        expect(error.message).toMatch(/certificate is not trusted with transport mode tls/);
      }
    } finally {
      byDefault.close();
      wrongCa.close();
    }
  });

  it.each([
    ['the CA from a file', () => ({ mode: 'tls' as const, caFile })],
    ['the CA in memory', () => ({ mode: 'tls' as const, caPem: tlsSim.tlsCaPem! })],
    ['the CA and the certificate name', () => ({ mode: 'tls' as const, caPem: tlsSim.tlsCaPem!, serverName: 'localhost' })],
    ['skip-verify', () => ({ mode: 'skip-verify' as const })],
  ])('verifies and talks to the device with %s', async (_case, transport) => {
    const client = clientFor(tlsSim, 'leaf01', { transport: transport() });
    try {
      await expect(client.capabilities()).resolves.toMatchObject({ gnmiVersion: '0.10.0' });
      await expect(client.getConfig('/system/name')).resolves.toEqual({ 'host-name': 'leaf01' });
    } finally {
      client.close();
    }
  });

  it('refuses a certificate the trust store does not know, as a misconfiguration', async () => {
    const client = clientFor(tlsSim, 'leaf01', { transport: { mode: 'tls' } });
    try {
      const { result: error } = await within(3000, expectTypedError(client.capabilities(), 'TargetMisconfigured'));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/certificate is not trusted/);
    } finally {
      client.close();
    }
  });

  it('refuses a certificate issued for another name', async () => {
    const client = clientFor(tlsSim, 'leaf01', { transport: { mode: 'tls', caPem: tlsSim.tlsCaPem!, serverName: 'leaf01.example.net' } });
    try {
      const error = await expectTypedError(client.capabilities(), 'TargetMisconfigured');
      expect(error.message).toMatch(/not trusted/);
      expect(error.details.deviceMessage).toMatch(/leaf01\.example\.net/);
    } finally {
      client.close();
    }
  });

  it('plaintext against a TLS port: a clear error, quickly, not a hang', async () => {
    const client = clientFor(tlsSim, 'leaf01', { transport: LAB_PLAINTEXT_TRANSPORT, timeoutMs: 10_000 });
    try {
      const { result: error } = await within(3000, expectTypedError(client.capabilities(), 'TargetMisconfigured'));
      expect(error.message).toMatch(/speaks TLS on 127\.0\.0\.1:\d+ but transport mode is plaintext/);
      const streamed = await within(3000, expectTypedError(eventsUntil(client.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/' }] }), () => false, 5000), 'TargetMisconfigured'));
      expect(streamed.result.details).toMatchObject({ rpc: 'Subscribe' });
    } finally {
      client.close();
    }
  });

  it.each(['tls', 'skip-verify'] as const)('%s against a plaintext port: a clear error, quickly, not a hang', async (mode) => {
    const client = clientFor(plainSim, 'leaf01', { transport: mode === 'tls' ? { mode, caFile } : { mode }, timeoutMs: 10_000 });
    try {
      const { result: error } = await within(3000, expectTypedError(client.capabilities(), 'TargetMisconfigured'));
      expect(error.message).toMatch(new RegExp(`does not speak TLS on 127\\.0\\.0\\.1:\\d+, but transport mode is ${mode}`));
    } finally {
      client.close();
    }
  });
});
