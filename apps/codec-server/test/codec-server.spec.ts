/**
 * The codec server as the Temporal Web UI and CLI use it: payloads taken
 * from a real workflow history (encrypted by a client configured like the
 * workers) decode to the original config over HTTP; bearer tokens keep
 * everyone else out; CORS answers the UI's origin only; bad requests say
 * what is wrong with them. Then the deployable process: ready line, SIGTERM.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  AesGcmPayloadCodec,
  connectClient,
  createEncryptionKeyring,
  payloadsToJson,
  type ClientTemporal,
  type Payload,
} from '@synapse/temporal-connection';
import { resolveTemporalCli } from '@synapse/temporal-tools';
import { startCodecServer, type RunningCodecServer } from '../src';

const MARKER = 'uplink-to-spine-secret-marker';
const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = 'alice-codec-token-5b1e';
const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What the Web UI sends: JSON, the namespace, and (with "pass access token") the bearer token. */
function uiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI_ORIGIN, Authorization: `Bearer ${TOKEN}`, ...extra };
}

function decodedJson(reply: Reply): unknown[] {
  const { payloads } = reply.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>();
  return payloads.map((p) => {
    expect(Buffer.from(p.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    return JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'));
  });
}

describe('codec server', () => {
  const key = randomBytes(32);
  const keys = `prod-2025=${key.toString('base64')}`;
  const codec = new AesGcmPayloadCodec(createEncryptionKeyring({ 'prod-2025': key }));
  let server: RunningCodecServer;
  let temporal: ClientTemporal;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const address = process.env.TEMPORAL_ADDRESS;
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    temporal = await connectClient({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE, SYNAPSE_ENCRYPTION_KEYS: keys });
    server = await startCodecServer({ codec, host: '127.0.0.1', port: 0, corsOrigins: [UI_ORIGIN], authTokens: [TOKEN, 'bob-token'], log: (e) => logged.push(e) });
  });
  afterAll(async () => {
    await server?.close();
    await temporal?.close();
  });

  /** A workflow started by an encrypting client; nothing polls its queue, so it only holds its input. */
  async function startEncryptedWorkflow() {
    const config = { device: 'leaf01', interface: [{ name: 'ethernet-1/49', mtu: 9214, description: MARKER }] };
    return temporal.client.workflow.start('configChangeWorkflow', { taskQueue: `nobody-polls-${randomUUID()}`, workflowId: `codec-${randomUUID()}`, args: [config] });
  }

  /** The encrypted input of such a workflow, as stored in its history. */
  async function encryptedHistoryPayloads(): Promise<Payload[]> {
    const handle = await startEncryptedWorkflow();
    try {
      const history = await handle.fetchHistory();
      return history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads! as Payload[];
    } finally {
      await handle.terminate('test done');
    }
  }

  it('decodes payloads from a real history back to the config, as the Web UI asks', async () => {
    const stored = await encryptedHistoryPayloads();
    expect(Buffer.from(stored[0]!.data!).includes(MARKER)).toBe(false);
    const reply = await request(`${server.url}/decode`, { headers: uiHeaders(), body: JSON.stringify(payloadsToJson(stored)) });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(decodedJson(reply)).toEqual([{ device: 'leaf01', interface: [{ name: 'ethernet-1/49', mtu: 9214, description: MARKER }] }]);
    // The CLI's --codec-endpoint 'http://host/{namespace}' form, with another allowed token.
    const viaNamespacePath = await request(`${server.url}/default/decode`, { headers: { 'Content-Type': 'application/json', Authorization: 'Bearer bob-token' }, body: JSON.stringify(payloadsToJson(stored)) });
    expect(viaNamespacePath.status).toBe(200);
    expect(JSON.stringify(decodedJson(viaNamespacePath))).toContain(MARKER);
    expect(JSON.stringify(logged)).not.toContain(MARKER);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
  });

  it("decodes for Temporal's own CLI (temporal workflow show --codec-endpoint --codec-auth)", async () => {
    const cli = (await resolveTemporalCli({ obtainIfMissing: false })).path;
    const handle = await startEncryptedWorkflow();
    try {
      const show = (...codec: string[]) =>
        promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json', ...codec], {
          env: { PATH: process.env.PATH, HOME: tmpdir(), TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default' },
          timeout: 20_000,
        }).then(
          ({ stdout }) => stdout,
          (err: { stderr?: string }) => `failed: ${err.stderr ?? ''}`,
        );
      /** The first event's input as the CLI printed it (proto JSON: metadata and data in base64). */
      const input = (output: string) => {
        const history = JSON.parse(output) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string>; data: string }[] } } }[] };
        const [payload] = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
        return { encoding: Buffer.from(payload!.metadata.encoding!, 'base64').toString(), data: Buffer.from(payload!.data, 'base64').toString() };
      };
      const decoded = input(await show('--codec-endpoint', server.url, '--codec-auth', `Bearer ${TOKEN}`));
      expect(decoded.encoding).toBe('json/plain');
      expect(JSON.parse(decoded.data)).toEqual({ device: 'leaf01', interface: [{ name: 'ethernet-1/49', mtu: 9214, description: MARKER }] });
      // Without the codec server the CLI shows what the server stores: ciphertext.
      const raw = input(await show());
      expect(raw.encoding).toBe('binary/encrypted');
      expect(raw.data).not.toContain(MARKER);
      // A token the codec server does not know gets nothing decoded (the CLI retries the refused call until its timeout).
      const loggedBefore = logged.length;
      const refused = await show('--codec-endpoint', server.url, '--codec-auth', 'Bearer mallory-token', '--command-timeout', '2s');
      expect(refused).toMatch(/^failed: /);
      expect(refused).not.toContain(MARKER);
      expect(logged.slice(loggedBefore).some((entry) => entry.status === 401 && entry.path === '/decode')).toBe(true);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('encodes for the UI (start or signal with encrypted input) so the workers can decode', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ mtu: 9214 })).toString('base64') };
    const reply = await request(`${server.url}/encode`, { headers: uiHeaders(), body: JSON.stringify({ payloads: [plain] }) });
    expect(reply.status).toBe(200);
    const [encoded] = reply.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    expect(Buffer.from(encoded!.metadata['encryption-key-id']!, 'base64').toString()).toBe('prod-2025');
    const [decoded] = await codec.decode([{ metadata: { encoding: Buffer.from(encoded!.metadata.encoding!, 'base64'), 'encryption-key-id': Buffer.from('prod-2025') }, data: Buffer.from(encoded!.data, 'base64') }]);
    expect(JSON.parse(Buffer.from(decoded!.data!).toString())).toEqual({ mtu: 9214 });
  });

  it('refuses without a token, with an unknown one, or another scheme: 401, still readable by the UI', async () => {
    const body = JSON.stringify(payloadsToJson(await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }])));
    const without = await request(`${server.url}/decode`, { headers: { ...uiHeaders(), Authorization: '' }, body });
    expect(without.status).toBe(401);
    expect(without.json().error).toBe('authorization required: send Authorization: Bearer <token>');
    expect(without.headers['www-authenticate']).toBe('Bearer realm="synapse-codec"');
    expect(without.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    for (const authorization of ['Bearer mallory-token', `Basic ${Buffer.from(`alice:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN}x`]) {
      const reply = await request(`${server.url}/decode`, { headers: uiHeaders({ Authorization: authorization }), body });
      expect(reply.status).toBe(401);
      expect(reply.body).not.toContain('"payloads"');
    }
    expect((await request(`${server.url}/encode`, { headers: { 'Content-Type': 'application/json' }, body })).status).toBe(401);
  });

  it('answers the CORS preflight for the configured origin only', async () => {
    const preflight = (origin: string, extra: Record<string, string> = {}) =>
      request(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace', ...extra },
      });
    const allowed = await preflight(UI_ORIGIN, { 'Access-Control-Request-Private-Network': 'true' });
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    expect(allowed.headers['access-control-allow-headers']?.toLowerCase().split(/,\s*/).sort()).toEqual(['authorization', 'content-type', 'x-namespace']);
    expect(allowed.headers['access-control-allow-private-network']).toBe('true');
    expect(allowed.headers.vary).toContain('Origin');

    const other = await preflight('http://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // A POST from another origin gets no CORS headers either, so a browser hides the answer from that page.
    const post = await request(`${server.url}/decode`, { headers: uiHeaders({ Origin: 'http://localhost:8234' }), body: '{"payloads": []}' });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('says what is wrong with a bad request', async () => {
    const badJson = await request(`${server.url}/decode`, { headers: uiHeaders(), body: '{"payloads": [' });
    expect(badJson.status).toBe(400);
    expect(badJson.json().error).toMatch(/^the body is not JSON: /);
    const notArray = await request(`${server.url}/decode`, { headers: uiHeaders(), body: '{"payloads": "abc"}' });
    expect(notArray.status).toBe(400);
    expect(notArray.json().error).toBe('payloads: payloads must be an array');
    const notBase64 = await request(`${server.url}/decode`, { headers: uiHeaders(), body: '{"payloads": [{"metadata": {"encoding": "json plain"}, "data": ""}]}' });
    expect(notBase64.status).toBe(400);
    expect(notBase64.json().error).toBe('payloads.0.metadata.encoding: must be base64');

    const otherKey = new AesGcmPayloadCodec(createEncryptionKeyring({ 'dev-1': randomBytes(32) }));
    const foreign = await request(`${server.url}/decode`, { headers: uiHeaders(), body: JSON.stringify(payloadsToJson(await otherKey.encode([{ metadata: {}, data: Buffer.from('x') }]))) });
    expect(foreign.status).toBe(400);
    expect(foreign.json().error).toContain('cannot decode: payload encrypted with key id "dev-1", which is not configured (configured key ids: prod-2025)');

    expect((await request(`${server.url}/decrypt`, { headers: uiHeaders(), body: '{}' })).status).toBe(404);
    const get = await request(`${server.url}/decode`, { method: 'GET', headers: uiHeaders() });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST, OPTIONS');
  });

  describe('node dist/main.js', () => {
    let dir: string;

    beforeAll(() => {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx nx run codec-server:build)`);
      dir = mkdtempSync(path.join(tmpdir(), 'codec-server-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function start(env: Record<string, string>) {
      const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line within 15 s: ${stderr}`)), 15_000);
        child.stdout.on('data', () => {
          const line = stdout.split('\n').find((l) => l.startsWith('{'));
          if (!line) return;
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before it was ready: ${stderr}`));
        });
      });
      return { child, ready, exited, stderr: () => stderr };
    }

    it('prints one ready line without secrets, serves, and stops on SIGTERM', async () => {
      const tokensFile = path.join(dir, 'tokens');
      writeFileSync(tokensFile, `# operators\n${TOKEN}\n\nbob-token\n`);
      const proc = start({ SYNAPSE_ENCRYPTION_KEYS: keys, SYNAPSE_CODEC_SERVER_PORT: '0', SYNAPSE_CODEC_AUTH_TOKENS_FILE: tokensFile, SYNAPSE_CODEC_CORS_ORIGINS: `${UI_ORIGIN},https://cloud.temporal.io` });
      const ready = await proc.ready;
      expect(ready).toEqual({
        service: 'codec-server',
        address: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        endpoints: ['/encode', '/decode'],
        corsOrigins: [UI_ORIGIN, 'https://cloud.temporal.io'],
        auth: { bearerTokens: 2, file: tokensFile },
        encryption: { activeKeyId: 'prod-2025', keyIds: ['prod-2025'] },
      });
      expect(JSON.stringify(ready)).not.toContain(TOKEN);
      expect(JSON.stringify(ready)).not.toContain(key.toString('base64'));

      const encrypted = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(MARKER)) }]);
      const reply = await request(`${String(ready.address)}/decode`, { headers: uiHeaders(), body: JSON.stringify(payloadsToJson(encrypted)) });
      expect(reply.status).toBe(200);
      expect(decodedJson(reply)).toEqual([MARKER]);
      expect((await request(`${String(ready.address)}/decode`, { headers: uiHeaders({ Authorization: 'Bearer nope' }), body: '{}' })).status).toBe(401);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.stderr()).toContain('SIGTERM, shutting down');
      expect(proc.stderr()).not.toContain(MARKER);
    });

    it('refuses to start without keys or with bad settings, naming the variables', async () => {
      const proc = start({ SYNAPSE_CODEC_SERVER_PORT: 'eighty', SYNAPSE_CODEC_CORS_ORIGINS: 'localhost:8233', SYNAPSE_CODEC_AUTH_TOKENS_FILE: path.join(dir, 'missing') });
      await expect(proc.ready).rejects.toThrow(/exited with 1/);
      expect(proc.stderr()).toContain('SYNAPSE_CODEC_SERVER_PORT: a port from 0 to 65535 (got "eighty")');
      expect(proc.stderr()).toContain('SYNAPSE_CODEC_CORS_ORIGINS: "localhost:8233" is not an origin like http://localhost:8233');
      expect(proc.stderr()).toContain('no encryption key is configured: set SYNAPSE_ENCRYPTION_KEYS_FILE or SYNAPSE_ENCRYPTION_KEYS');
    });
  });
});
