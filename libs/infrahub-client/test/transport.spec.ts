import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRetryAfter } from '../src/index';
import { failure, everythingIn, recordingLogger, testClient } from './helpers';
import { data, hang, json, startScriptedServer, text, type ScriptedServer } from './scripted-server';

/**
 * Transport behaviour against a scripted HTTP server: what is retried, how
 * long the client waits, what it refuses to repeat, and that no secret leaks
 * into an error or a log line. The simulator covers the common faults; these
 * are the cases it has no switch for (hung responses, HTTP-date Retry-After,
 * a server that comes up late, 5xx on a mutation).
 */

const TOKEN = 'tok-7f3c9a1e-5b2d-4c8e-9f00-secret';
const noDevices = data({ DcimDevice: { count: 0, edges: [] } });
const updated = data({ DcimDeviceUpdate: { ok: true, object: { id: 'dev-1' } } });
const deviceId = data({ DcimDevice: { count: 1, edges: [{ node: { id: 'dev-1', name: { value: 'leaf01' } } }] } });

describe('transport against a scripted server', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());

  it('retries a query through 5xx answers and returns the answer that follows', async () => {
    server.script(json(502, { errors: ['bad gateway'] }), text(503, 'busy'), noDevices);
    const logger = recordingLogger();
    const client = testClient({ address: server.address, apiToken: TOKEN, logger });
    try {
      await expect(client.listDevices()).resolves.toEqual([]);
      expect(server.requests).toHaveLength(3);
      expect(logger.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('gives up after the configured attempts with a retryable InfrahubUnavailable', async () => {
    server.script(text(500, 'Internal Server Error'));
    const client = testClient({ address: server.address, apiToken: TOKEN, retry: { maxAttempts: 3 } });
    try {
      const err = await failure(client.listDevices());
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/HTTP 500 after 3 attempts: Internal Server Error/);
      expect(err.details).toMatchObject({ status: 500, attempts: 3, operation: 'listDevices', query: 'ListDevices' });
      expect(server.requests).toHaveLength(3);
    } finally {
      client.close();
    }
  });

  it('backs off exponentially between attempts', async () => {
    server.script(text(503, 'busy'));
    const client = testClient({ address: server.address, apiToken: TOKEN, retry: { maxAttempts: 4, baseDelayMs: 80, maxDelayMs: 10_000 } });
    try {
      await failure(client.listDevices());
      const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);
      // Each wait lies between half and all of 80, 160, 320 ms.
      expect(gaps[0]).toBeGreaterThanOrEqual(35);
      expect(gaps[1]).toBeGreaterThanOrEqual(75);
      expect(gaps[2]).toBeGreaterThanOrEqual(155);
      expect(gaps[2]!).toBeLessThan(1_000);
    } finally {
      client.close();
    }
  });

  it('does not repeat a create after a 5xx, whose outcome is unknown', async () => {
    const record = {
      changeId: 'chg-1',
      kind: 'standard' as const,
      device: 'leaf01',
      requester: 'alice',
      reason: 'test',
      outcome: 'deployed' as const,
      diffSummary: '1 changed',
      startedAt: '2026-11-28T10:00:00Z',
      finishedAt: '2026-11-28T10:01:00Z',
    };
    server.script(deviceId, text(502, 'bad gateway'), data({ SynapseChangeRecordCreate: { ok: true, object: { id: 'rec-1' } } }));
    const client = testClient({ address: server.address, apiToken: TOKEN });
    try {
      const err = await failure(client.createChangeRecord(record));
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ outcome: 'unknown', status: 502 });
      expect(err.message).toMatch(/not repeated/);
      // One lookup of the device, one create, and no second create.
      expect(server.requests).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('retries an update (idempotent) through a 5xx', async () => {
    server.script(deviceId, text(503, 'busy'), updated);
    const client = testClient({ address: server.address, apiToken: TOKEN });
    try {
      await expect(client.setDeploymentState({ device: 'leaf01', state: 'deploying', changeId: 'chg-1' })).resolves.toEqual({
        device: 'leaf01',
        id: 'dev-1',
        state: 'deploying',
      });
      expect(server.requests).toHaveLength(3);
      expect(server.requests[2]!.body).toBe(server.requests[1]!.body);
    } finally {
      client.close();
    }
  });

  it('honours Retry-After given as an HTTP date', async () => {
    // HTTP dates have one-second resolution: ask for a moment two seconds ahead.
    const until = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    server.script(json(429, { errors: ['slow down'] }, { 'retry-after': until.toUTCString() }), noDevices);
    const client = testClient({ address: server.address, apiToken: TOKEN });
    try {
      await client.listDevices();
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]!.at).toBeGreaterThanOrEqual(until.getTime() - 50);
    } finally {
      client.close();
    }
  });

  it('fails at once when Retry-After asks for longer than the client waits', async () => {
    server.script(json(429, { errors: ['slow down'] }, { 'retry-after': '3600' }));
    const client = testClient({ address: server.address, apiToken: TOKEN, retry: { maxRetryAfterMs: 2_000 } });
    try {
      const started = Date.now();
      const err = await failure(client.listDevices());
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ status: 429, retryAfterMs: 3_600_000, outcome: 'not-applied' });
      expect(err.message).toMatch(/asked to wait 3600 s, longer than the 2 s/);
      expect(server.requests).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('repeats a create after a 429, which the server refused before acting', async () => {
    server.script(
      deviceId,
      json(429, { errors: ['slow down'] }, { 'retry-after': '0' }),
      data({ SynapseChangeRecordCreate: { ok: true, object: { id: 'rec-9' } } }),
    );
    const client = testClient({ address: server.address, apiToken: TOKEN });
    try {
      await expect(
        client.createChangeRecord({
          changeId: 'chg-9',
          kind: 'standard',
          device: 'leaf01',
          requester: 'alice',
          reason: 'r',
          outcome: 'deployed',
          diffSummary: '',
          startedAt: '2026-11-28T10:00:00Z',
          finishedAt: '2026-11-28T10:01:00Z',
        }),
      ).resolves.toBe('rec-9');
      expect(server.requests).toHaveLength(3);
    } finally {
      client.close();
    }
  });

  it('times out a hung response, retries it, and reports InfrahubUnavailable', async () => {
    server.script(hang);
    const client = testClient({ address: server.address, apiToken: TOKEN, timeoutSeconds: 0.2, retry: { maxAttempts: 2 } });
    try {
      const started = Date.now();
      const err = await failure(client.listDevices());
      const elapsed = Date.now() - started;
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.message).toMatch(/no answer within 0\.2 s/);
      expect(server.requests).toHaveLength(2);
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      client.close();
    }
  });

  it('recovers from a hung first answer when the next one comes', async () => {
    server.script(hang, noDevices);
    const client = testClient({ address: server.address, apiToken: TOKEN, timeoutSeconds: 0.2 });
    try {
      await expect(client.listDevices()).resolves.toEqual([]);
      expect(server.requests).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('does not repeat a create after a timeout (outcome unknown)', async () => {
    server.script(deviceId, hang);
    const client = testClient({ address: server.address, apiToken: TOKEN, timeoutSeconds: 0.2 });
    try {
      const err = await failure(
        client.createChangeRecord({
          changeId: 'chg-2',
          kind: 'standard',
          device: 'leaf01',
          requester: 'alice',
          reason: 'r',
          outcome: 'deployed',
          diffSummary: '',
          startedAt: '2026-11-28T10:00:00Z',
          finishedAt: '2026-11-28T10:01:00Z',
        }),
      );
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ outcome: 'unknown' });
      expect(server.requests).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('never lets the API token into errors, causes or logs', async () => {
    server.script(json(500, { errors: [`token ${TOKEN} is bad`] }));
    const logger = recordingLogger();
    const client = testClient({ address: server.address, apiToken: TOKEN, logger, retry: { maxAttempts: 2 } });
    try {
      const err = await failure(client.listDevices());
      expect(everythingIn(err)).not.toContain(TOKEN);
      expect(everythingIn(err)).toContain('token *** is bad');
      expect(logger.lines.join('\n')).not.toContain(TOKEN);
      // The header did go out.
      expect(server.requests[0]!.headers['x-infrahub-key']).toBe(TOKEN);
    } finally {
      client.close();
    }
  });

  it('sends one JSON object per request with query, variables and operation name', async () => {
    server.script(noDevices);
    const client = testClient({ address: server.address, apiToken: TOKEN });
    try {
      await client.listDevices({ role: 'leaf' });
      const body = server.requests[0]!.json as Record<string, unknown>;
      expect(Array.isArray(body)).toBe(false);
      expect(body).toMatchObject({ operationName: 'ListDevices', variables: { roles: ['leaf'], offset: 0, limit: 50 } });
      expect(String(body.query)).toContain('role__values: $roles');
      expect(server.requests[0]!.headers['content-type']).toMatch(/application\/json/);
    } finally {
      client.close();
    }
  });
});

describe('connection failures', () => {
  it('retries a create while the server is not listening yet, since nothing was sent', async () => {
    const port = await freePort();
    const client = testClient({ address: `http://127.0.0.1:${port}`, apiToken: TOKEN, retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 400 } });
    let server: Server | undefined;
    const bodies: string[] = [];
    // The server comes up after the first attempts were refused.
    const late = new Promise<void>((resolve) =>
      setTimeout(() => {
        server = createServer((req, res) => {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            bodies.push(body);
            const answer = body.includes('DeviceId')
              ? { DcimDevice: { count: 1, edges: [{ node: { id: 'dev-1', name: { value: 'leaf01' } } }] } }
              : { SynapseChangeRecordCreate: { ok: true, object: { id: 'rec-late' } } };
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: answer }));
          });
        }).listen(port, '127.0.0.1', () => resolve());
      }, 250),
    );
    try {
      const id = await client.createChangeRecord({
        changeId: 'chg-3',
        kind: 'standard',
        device: 'leaf01',
        requester: 'alice',
        reason: 'r',
        outcome: 'deployed',
        diffSummary: '',
        startedAt: '2026-11-28T10:00:00Z',
        finishedAt: '2026-11-28T10:01:00Z',
      });
      await late;
      expect(id).toBe('rec-late');
      expect(bodies.filter((b) => b.includes('CreateChangeRecord'))).toHaveLength(1);
    } finally {
      client.close();
      await late;
      await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    }
  });

  it('reports a refused connection as InfrahubUnavailable, naming address and attempts', async () => {
    const port = await freePort();
    const client = testClient({ address: `http://127.0.0.1:${port}`, apiToken: TOKEN, retry: { maxAttempts: 3 } });
    try {
      const err = await failure(client.getDevice('leaf01', { branch: 'change-7' }));
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.retryable).toBe(true);
      expect(err.message).toContain(`http://127.0.0.1:${port}/graphql/change-7`);
      expect(err.message).toMatch(/ECONNREFUSED.*after 3 attempts/);
      expect(err.details).toMatchObject({ attempts: 3, code: 'ECONNREFUSED', branch: 'change-7', outcome: 'not-applied' });
      // got's own error carries the request headers; none of it may ride along.
      expect(err.cause).toBeInstanceOf(Error);
      expect(everythingIn(err)).not.toContain(TOKEN);
    } finally {
      client.close();
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores nonsense', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
