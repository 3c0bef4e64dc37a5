import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InfrahubSim } from '@synapse/infrahub-sim';
import { InfrahubClient } from '../../src/index';
import { failure, recordingLogger, testClient } from '../helpers';
import { DEFAULT_LAB_API_TOKEN, startSim } from './sim-helpers';

/**
 * The simulator's injected trouble — load shedding, server errors, slowness,
 * bodies cut off — and a server whose schema lacks the Synapse extension.
 */
describe('surviving faults injected by the simulator', () => {
  let sim: InfrahubSim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(() => sim.stop());
  afterEach(() => sim.faults.clear());

  const client = (options: Parameters<typeof testClient>[0] = {}) => testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, ...options });

  it('waits out a 429 for the Retry-After the server asked, then succeeds', async () => {
    const c = client();
    try {
      sim.faults.rateLimitNext(1, 1);
      const started = Date.now();
      const device = await c.getDevice('leaf01');
      const waited = Date.now() - started;
      expect(device.name).toBe('leaf01');
      // Backoff alone would have retried within 20 ms; Retry-After said 1 s.
      expect(waited).toBeGreaterThanOrEqual(950);
      expect(waited).toBeLessThan(3_000);
      expect(sim.faults.snapshot().rateLimit.remaining).toBe(0);
    } finally {
      c.close();
    }
  });

  it('gives up on persistent 429s after the configured attempts as retryable InfrahubUnavailable', async () => {
    const c = client({ retry: { maxAttempts: 2 } });
    try {
      sim.faults.rateLimitNext(5, 1);
      const started = Date.now();
      const err = await failure(c.listDevices());
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/still shedding load \(429\) after 2 attempts/);
      expect(err.details).toMatchObject({ status: 429, retryAfterMs: 1_000, attempts: 2 });
      expect(sim.faults.snapshot().rateLimit.remaining).toBe(3);
    } finally {
      c.close();
    }
  });

  it('does not sleep through a Retry-After longer than it is willing to wait', async () => {
    const c = client({ retry: { maxRetryAfterMs: 1_000 } });
    try {
      sim.faults.rateLimitNext(1, 120);
      const started = Date.now();
      const err = await failure(c.listDevices());
      expect(Date.now() - started).toBeLessThan(500);
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ retryAfterMs: 120_000 });
    } finally {
      c.close();
    }
  });

  it('retries through 5xx and returns the answer that follows', async () => {
    const logger = recordingLogger();
    const c = client({ logger });
    try {
      sim.faults.failNext(3, 503);
      await expect(c.getDeviceIntent('spine01')).resolves.toMatchObject({ intent: { name: 'spine01' } });
      expect(logger.lines.filter((l) => l.includes('HTTP 503; retrying'))).toHaveLength(3);
    } finally {
      c.close();
    }
  });

  it('reports 5xx that outlast the attempts as InfrahubUnavailable', async () => {
    const c = client();
    try {
      sim.faults.failNext(10, 502);
      const err = await failure(c.getDevice('leaf01'));
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/HTTP 502 after 4 attempts: .*Service unavailable \(injected fault\)/);
      expect(sim.faults.snapshot().serverErrors.remaining).toBe(6);
    } finally {
      c.close();
    }
  });

  it('times out a slow server and reports it as InfrahubUnavailable', async () => {
    const c = client({ timeoutSeconds: 0.2, retry: { maxAttempts: 2 } });
    try {
      sim.faults.latency(1_000);
      const err = await failure(c.listDevices());
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.message).toMatch(/no answer within 0\.2 s \(request timeout\) after 2 attempts/);
      expect(err.details).toMatchObject({ attempts: 2, code: 'ETIMEDOUT' });
    } finally {
      c.close();
    }
  });

  it('rereads a query whose answer was cut off mid-JSON', async () => {
    const c = client();
    try {
      sim.faults.malformNext(2);
      await expect(c.listDevices({ role: 'leaf' })).resolves.toHaveLength(2);
      expect(sim.faults.snapshot().malformed.remaining).toBe(0);
    } finally {
      c.close();
    }
  });

  it('reports answers that keep arriving cut off as InfrahubUnavailable, quoting the start', async () => {
    const c = client({ retry: { maxAttempts: 3 } });
    try {
      sim.faults.malformNext(10);
      const err = await failure(c.getDevice('leaf01'));
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.message).toMatch(/DeviceDetail.*were not valid JSON after 3 attempts: "\{/);
    } finally {
      c.close();
    }
  });

  it('recovers when the lookup before a write is cut off, and the write lands once', async () => {
    const c = client();
    try {
      sim.faults.malformNext(1);
      await expect(c.setDeploymentState({ device: 'leaf02', state: 'failed', changeId: 'chg-f1' })).resolves.toMatchObject({ state: 'failed' });
      expect(sim.faults.snapshot().malformed.remaining).toBe(0);
      expect((await c.getDevice('leaf02')).deployment).toMatchObject({ state: 'failed', lastChangeId: 'chg-f1' });
    } finally {
      c.close();
    }
  });
});

describe('a server without the Synapse schema extension', () => {
  let dir: string;
  let sim: InfrahubSim;
  let client: InfrahubClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infrahub-client-'));
    const empty = join(dir, 'no-extension.yml');
    writeFileSync(empty, 'version: "1.0"\nnodes: []\n');
    sim = await startSim({ extensionSchemaPath: empty });
    client = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN });
  });
  afterAll(async () => {
    client.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails at once with the GraphQL errors naming the missing fields, not retried', async () => {
    const logger = recordingLogger();
    const c = testClient({ address: sim.address, apiToken: DEFAULT_LAB_API_TOKEN, logger });
    try {
      const err = await failure(c.getDevice('leaf01'));
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('Infrahub getDevice (query DeviceDetail) on branch "main"');
      expect(err.message).toMatch(/Cannot query field "deployment_state" on type "DcimDevice"/);
      expect(logger.lines).toHaveLength(0);
    } finally {
      c.close();
    }
  });

  it('fails a change record write the same way', async () => {
    const err = await failure(
      client.recordDeployment({
        device: 'leaf01',
        state: 'deployed',
        changeId: 'chg-x',
        record: {
          changeId: 'chg-x',
          kind: 'standard',
          device: 'leaf01',
          requester: 'alice',
          reason: 'r',
          outcome: 'deployed',
          diffSummary: '',
          startedAt: '2026-11-28T10:00:00Z',
          finishedAt: '2026-11-28T10:01:00Z',
        },
      }),
    );
    expect(err.type).toBe('InfrahubQueryFailed');
    expect(err.message).toMatch(/SynapseChangeRecord/);
  });
});
