/**
 * `synapse` against a Temporal reached over mTLS or with an API key, and with
 * payload encryption, configured only by the variables the workers read
 * (@synapse/temporal-connection). `temporal server start-dev` has no TLS
 * options, so the suite's dev server gets the test fronts of
 * @synapse/temporal-connection/testing before it: a TLS terminator that
 * requires a client certificate, and an HTTP/2 proxy that checks
 * `authorization: Bearer <key>` as Temporal Cloud does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { connectClient, connectWorker, ENCODED_FAILURE_CONVERTER_PATH, type ClientTemporal, type WorkerTemporal } from '@synapse/temporal-connection';
import { createTestCertificates, startApiKeyProxy, startTlsTerminator, type TestCertificates, type TlsFront } from '@synapse/temporal-connection/testing';
import { workflowIds } from '@synapse/contracts';
import { historyText } from '@synapse/temporal-tools';
import { runCli } from './cli';

const MARKER = 'uplink-to-spine-secret-marker';
const API_KEY = 'cli-test-api-key-91c2';
const KEYS = `cli=${Buffer.alloc(32, 42).toString('base64')}`;

describe('synapse over mTLS and an API key, with payload encryption', () => {
  const upstream = process.env.TEMPORAL_ADDRESS!;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = `cli-tls-${randomUUID()}`;
  let dir: string;
  let certs: TestCertificates;
  let mtls: TlsFront;
  let apiKeyFront: TlsFront;
  let worker: WorkerTemporal;
  let plainClient: ClientTemporal;
  let running: Promise<void>;
  let stopWorker: () => void;

  /**
   * The fronts by name, as operators connect: over TLS to an IP address,
   * grpc-js sends the IP as SNI and Node prints a DEP0123 warning for it.
   */
  const byName = (front: TlsFront) => front.address.replace('127.0.0.1', 'localhost');

  function mtlsEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: byName(mtls),
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath,
      SYNAPSE_ENCRYPTION_KEYS: KEYS,
      ...extra,
    };
  }

  beforeAll(async () => {
    if (!upstream) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed already by another file in this Jest worker.
    }
    dir = mkdtempSync(path.join(tmpdir(), 'cli-tls-'));
    certs = await createTestCertificates(dir);
    [mtls, apiKeyFront] = await Promise.all([
      startTlsTerminator({ upstream, certificates: certs, requireClientCertificate: true }),
      startApiKeyProxy({ upstream, certificates: certs, apiKeys: [API_KEY] }),
    ]);
    // The stand-in change workflow, on a worker that reaches Temporal through the same mTLS front with the same keys.
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'workflows', 'stand-in-change.ts'),
      failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    worker = await connectWorker(mtlsEnv());
    const created = await Worker.create({ ...worker.workerOptions, taskQueue, workflowBundle });
    running = created.run();
    stopWorker = () => created.shutdown();
    // Straight to the dev server, no keys: what someone reading the stored history without the keys sees.
    plainClient = await connectClient({ TEMPORAL_ADDRESS: upstream, TEMPORAL_NAMESPACE: namespace });
  });
  afterAll(async () => {
    stopWorker?.();
    await running;
    await worker?.close();
    await plainClient?.close();
    await Promise.all([mtls?.close(), apiKeyFront?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a change and waits for its result over mTLS, with nothing readable in the stored history', async () => {
    const changeId = `chg-mtls-${randomUUID().slice(0, 8)}`;
    const reason = `MTU 9214 on ${MARKER}`;
    // Device names are the device workflows' ids (their locks) on the shared server: this file's own.
    const device = `leaf01-${changeId}`;
    const run = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', device, '--reason', reason, '--no-approval', '--wait', '--json', '--task-queue', taskQueue], { env: mtlsEnv() });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(run.stdout) as { result?: { outcome: string; devices: { device: string; outcome: string }[] } };
    expect(printed.result).toMatchObject({ outcome: 'succeeded', devices: [{ device, outcome: 'deployed' }] });

    const show = await runCli(['change', 'show', changeId, '--json', '--task-queue', taskQueue], { env: mtlsEnv() });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ status: 'completed', result: { outcome: 'succeeded' } });

    // Every payload's bytes as text, read with a client that has no keys.
    const stored = historyText(await plainClient.client.workflow.getHandle(workflowIds.change(changeId)).fetchHistory());
    expect(stored).toContain('binary/encrypted');
    expect(stored).not.toContain(MARKER);
    expect(stored).not.toContain('/interface[name=ethernet-1/1]/mtu');
  });

  it('cannot read the change with another key or without its id, and says which key failed (exit 2)', async () => {
    const changeId = `chg-key-${randomUUID().slice(0, 8)}`;
    const started = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', `leaf02-${changeId}`, '--reason', 'key check', '--no-approval', '--wait', '--task-queue', taskQueue], { env: mtlsEnv() });
    expect(started.code).toBe(0);
    const wrongKey = await runCli(['change', 'show', changeId, '--task-queue', taskQueue], { env: mtlsEnv({ SYNAPSE_ENCRYPTION_KEYS: `cli=${Buffer.alloc(32, 7).toString('base64')}` }) });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('cannot decrypt what Temporal returned (SYNAPSE_ENCRYPTION_KEYS_FILE / SYNAPSE_ENCRYPTION_KEYS): payload encrypted with key id "cli" failed authentication (AES-GCM tag mismatch)');

    const unknownId = await runCli(['change', 'show', changeId, '--task-queue', taskQueue], { env: mtlsEnv({ SYNAPSE_ENCRYPTION_KEYS: `other=${Buffer.alloc(32, 7).toString('base64')}` }) });
    expect(unknownId.code).toBe(2);
    expect(unknownId.stderr).toContain('payload encrypted with key id "cli", which is not configured (configured key ids: other)');
  });

  it('reports a CA that did not sign the server certificate, and a missing client certificate, with exit 3', async () => {
    const wrongCa = await runCli(['change', 'list'], { env: mtlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCaCertPath }) });
    expect(wrongCa.code).toBe(3);
    expect(wrongCa.stderr).toContain(`cannot reach Temporal at ${byName(mtls)} (TLS, CA ${certs.otherCaCertPath}`);
    expect(wrongCa.stderr).toContain("the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH");

    const before = mtls.refusals.length;
    const noClientCert = await runCli(['change', 'list'], { env: { TEMPORAL_ADDRESS: byName(mtls), TEMPORAL_NAMESPACE: namespace, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath } });
    expect(noClientCert.code).toBe(3);
    expect(noClientCert.stderr).toContain('the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(mtls.refusals.slice(before)).toContain('peer did not return a certificate');
  });

  it('lists changes with TEMPORAL_API_KEY, and is refused with a wrong one without printing it', async () => {
    const env = { TEMPORAL_ADDRESS: byName(apiKeyFront), TEMPORAL_NAMESPACE: namespace, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath };
    // No payload keys here: the encrypted changes above are still listed (by their search attributes); only
    // their memo (devices, ticket, summary) cannot be read, and stays empty rather than failing the list.
    const allowed = await runCli(['change', 'list', '--json'], { env: { ...env, TEMPORAL_API_KEY: API_KEY } });
    expect({ code: allowed.code, stderr: allowed.stderr }).toEqual({ code: 0, stderr: '' });
    const listed = JSON.parse(allowed.stdout) as Array<{ changeId: string; devices?: string }>;
    expect(listed.filter((c) => c.changeId.startsWith('chg-key-'))).toEqual([expect.not.objectContaining({ devices: expect.anything() })]);
    // With the keys, the same list reads the memo.
    const withKeys = JSON.parse((await runCli(['change', 'list', '--json'], { env: mtlsEnv() })).stdout) as Array<{ changeId: string; devices?: string }>;
    expect(withKeys.find((c) => c.changeId.startsWith('chg-key-'))).toMatchObject({ devices: expect.stringMatching(/^leaf02-chg-key-/) });

    const refused = await runCli(['change', 'list'], { env: { ...env, TEMPORAL_API_KEY: 'wrong-key-55' } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    expect(refused.stderr).toContain('the server refused TEMPORAL_API_KEY');
    expect(refused.stderr + refused.stdout).not.toContain('wrong-key-55');
    expect(apiKeyFront.refusals).toContain('/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo: unknown API key');
  });

  it('refuses incomplete TLS or key settings with exit 2 before connecting', async () => {
    const halfPair = await runCli(['change', 'list'], { env: { TEMPORAL_ADDRESS: byName(mtls), TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath } });
    expect(halfPair.code).toBe(2);
    expect(halfPair.stderr).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH is required with TEMPORAL_TLS_CLIENT_CERT_PATH');

    const badKey = await runCli(['change', 'list'], { env: mtlsEnv({ SYNAPSE_ENCRYPTION_KEYS: 'cli=c2hvcnQ=' }) });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('SYNAPSE_ENCRYPTION_KEYS: key "cli" decodes to 5 bytes; AES-256 needs exactly 32');
  });
});
