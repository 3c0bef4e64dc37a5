/**
 * Workers and clients over TLS, mTLS and an API key, configured only through
 * the environment, against the suite's real dev server. `temporal server
 * start-dev` has no TLS options (CLI 1.x: see its --help), so the handshake,
 * the client certificate check and the API key check are done by the fronts
 * in src/testing on loopback; the Temporal protocol behind them is the dev
 * server's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '@synapse/temporal-tools';
import type { WorkflowBundle } from '@temporalio/worker';
import { connectClient, connectWorker, TemporalConnectionError, type ClientTemporal, type WorkerTemporal } from '../src';
import { createTestCertificates, startApiKeyProxy, startTlsTerminator, type TestCertificates, type TlsFront } from '../src/testing';
import { bundleConfigWorkflow, MARKER, quietRuntime, rawHistory, runConfigChange, suiteEnv } from './harness';

const API_KEY = 'synapse-test-api-key-7f3a9c';

describe('connecting over TLS, mTLS and an API key', () => {
  let dir: string;
  let certs: TestCertificates;
  let tlsFront: TlsFront;
  let mtlsFront: TlsFront;
  let apiKeyFront: TlsFront;
  let bundle: WorkflowBundle;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    quietRuntime();
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
    certs = await createTestCertificates(dir);
    const upstream = suiteEnv().TEMPORAL_ADDRESS!;
    [tlsFront, mtlsFront, apiKeyFront, bundle] = await Promise.all([
      startTlsTerminator({ upstream, certificates: certs }),
      startTlsTerminator({ upstream, certificates: certs, requireClientCertificate: true }),
      startApiKeyProxy({ upstream, certificates: certs, apiKeys: [API_KEY] }),
      bundleConfigWorkflow({ encodedFailures: true }),
    ]);
  });
  afterAll(async () => {
    for (const connection of opened.reverse()) await connection.close();
    await Promise.all([tlsFront?.close(), mtlsFront?.close(), apiKeyFront?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function env(front: TlsFront, extra: Record<string, string>): Record<string, string> {
    return suiteEnv({ TEMPORAL_ADDRESS: front.address, ...extra });
  }

  async function runThrough(settings: Record<string, string>): Promise<{ worker: WorkerTemporal; client: ClientTemporal; result: Awaited<ReturnType<typeof runConfigChange>> }> {
    const worker = await connectWorker(settings);
    opened.push(worker);
    const client = await connectClient(settings);
    opened.push(client);
    return { worker, client, result: await runConfigChange(worker, client.client, bundle) };
  }

  /** Both connections (Core for workers, grpc-js for clients) refuse, each with the same hint. */
  async function refusals(settings: Record<string, string>): Promise<[string, string]> {
    const fromWorker = await connectWorker(settings).then(
      (ok) => ok.close().then(() => 'worker connected'),
      (err: unknown) => err,
    );
    const fromClient = await connectClient(settings, { connectTimeoutMs: 2_000 }).then(
      (ok) => ok.close().then(() => 'client connected'),
      (err: unknown) => err,
    );
    expect(fromWorker).toBeInstanceOf(TemporalConnectionError);
    expect(fromClient).toBeInstanceOf(TemporalConnectionError);
    return [(fromWorker as Error).message, (fromClient as Error).message];
  }

  it('runs a workflow through TLS with the CA from TEMPORAL_TLS_SERVER_CA_CERT_PATH, encrypted on top', async () => {
    const settings = env(tlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, SYNAPSE_ENCRYPTION_KEYS: `tls=${Buffer.alloc(32, 7).toString('base64')}` });
    const { worker, client, result } = await runThrough(settings);
    expect(result.result.diff).toContain(MARKER);
    expect(worker.describe()).toMatchObject({ address: tlsFront.address, tls: { serverCa: certs.caCertPath }, apiKey: 'unset', encryption: { activeKeyId: 'tls' } });
    expect((await rawHistory(client.client, result.workflowId)).includes(MARKER)).toBe(false);
  });

  it("is a front Temporal's own CLI (the Go SDK) accepts with the same variables", async () => {
    // The fronts stand in for a real TLS server; the Go client checking them the same way keeps them honest.
    const cli = (await resolveTemporalCli({ obtainIfMissing: false })).path;
    const list = (settings: Record<string, string>) =>
      promisify(execFile)(cli, ['workflow', 'list', '--limit', '1', '--command-timeout', '5s'], { env: { PATH: process.env.PATH, HOME: dir, ...settings }, timeout: 20_000 }).then(
        () => 'ok',
        (err: { stderr?: string }) => `failed: ${err.stderr ?? ''}`,
      );
    const mtlsSettings = env(mtlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath });
    expect(await list(mtlsSettings)).toBe('ok');
    expect(await list(env(apiKeyFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_API_KEY: API_KEY }))).toBe('ok');
    expect(await list(env(mtlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }))).toMatch(/^failed: .*server requires client certificate \(mTLS\)/s);
    expect(await list(env(tlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCaCertPath }))).toMatch(/^failed: .*certificate signed by unknown authority/s);
    expect(await list(env(apiKeyFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_API_KEY: 'nope' }))).toMatch(/^failed: .*gRPC request was unauthenticated/s);
  });

  it('names the server certificate check that failed: wrong CA, system CAs, a server name the certificate lacks', async () => {
    for (const message of await refusals(env(tlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCaCertPath }))) {
      expect(message).toContain(`cannot connect to Temporal at ${tlsFront.address} (TLS, CA ${certs.otherCaCertPath})`);
      expect(message).toContain("the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH");
    }
    for (const message of await refusals(env(tlsFront, { TEMPORAL_TLS: 'true' }))) {
      expect(message).toContain('not signed by a CA this system trusts: set TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    }
    const wrongName = env(tlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com' });
    for (const message of await refusals(wrongName)) {
      expect(message).toContain("the server's certificate does not name temporal.example.com: set TEMPORAL_TLS_SERVER_NAME");
    }
    // And the server name is honoured when the certificate carries it.
    const rightName = await connectClient(env(tlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_TLS_SERVER_NAME: 'localhost' }));
    await rightName.close();
  });

  it('says when the two ends disagree about TLS', async () => {
    for (const message of await refusals(env(tlsFront, {}))) {
      expect(message).toContain('(plaintext)');
      expect(message).toContain('the server expects TLS: set TEMPORAL_TLS=true');
    }
    for (const message of await refusals(suiteEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }))) {
      expect(message).toContain('the server does not speak TLS at this address: set TEMPORAL_TLS=false');
    }
  });

  it('runs a workflow through mTLS with the client certificate pair', async () => {
    const before = mtlsFront.refusals.length;
    const { worker, result } = await runThrough(
      env(mtlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath, TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath }),
    );
    expect(result.result.refusal).toContain('refused the config');
    expect(worker.describe().tls).toMatchObject({ clientCert: certs.clientCertPath, clientCertSubject: 'CN=synapse-worker' });
    expect(mtlsFront.refusals.slice(before)).toEqual([]);
  });

  it('is refused by the mTLS server without a client certificate, or with one it does not trust', async () => {
    const before = mtlsFront.refusals.length;
    for (const message of await refusals(env(mtlsFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }))) {
      expect(message).toContain('certificate required');
      expect(message).toContain('the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH');
    }
    expect(mtlsFront.refusals.slice(before)).toContain('peer did not return a certificate');

    const untrusted = env(mtlsFront, {
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.untrustedClientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.untrustedClientKeyPath,
    });
    for (const message of await refusals(untrusted)) {
      expect(message).toContain(`the server refused the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH (${certs.untrustedClientCertPath})`);
    }
    expect(mtlsFront.refusals.slice(before).some((r) => r.startsWith('client certificate refused:'))).toBe(true);
  });

  it('runs a workflow with TEMPORAL_API_KEY, sent as authorization: Bearer, TLS implied', async () => {
    const before = apiKeyFront.refusals.length;
    const { worker, result } = await runThrough(env(apiKeyFront, { TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }));
    expect(result.result.device).toBe('leaf01');
    expect(worker.describe().apiKey).toBe('set');
    expect(JSON.stringify(worker.describe())).not.toContain(API_KEY);
    expect(apiKeyFront.refusals.slice(before)).toEqual([]);
  });

  it('is refused with a wrong or missing API key, without printing the key', async () => {
    const before = apiKeyFront.refusals.length;
    for (const message of await refusals(env(apiKeyFront, { TEMPORAL_API_KEY: 'not-the-key-1234', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }))) {
      expect(message).toMatch(/UNAUTHENTICATED|valid authentication credentials/);
      expect(message).toContain('the server refused TEMPORAL_API_KEY');
      expect(message).not.toContain('not-the-key-1234');
    }
    for (const message of await refusals(env(apiKeyFront, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath }))) {
      expect(message).toContain('the server wants credentials: set TEMPORAL_API_KEY');
    }
    expect(apiKeyFront.refusals.slice(before)).toEqual(expect.arrayContaining([expect.stringContaining('unknown API key'), expect.stringContaining('no authorization header')]));
  });
});
