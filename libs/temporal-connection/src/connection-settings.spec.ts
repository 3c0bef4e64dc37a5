import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isSynapseError } from '@synapse/contracts';
import { describeTemporalConnection, temporalConnectionSettingsFromEnv } from './connection-settings';
import { createTestCertificates, type TestCertificates } from './testing';

describe('Temporal connection settings from the environment', () => {
  let dir: string;
  let certs: TestCertificates;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-settings-'));
    certs = await createTestCertificates(path.join(dir, 'pki'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function problemOf(env: Record<string, string>): string {
    try {
      temporalConnectionSettingsFromEnv(env);
    } catch (err) {
      expect(isSynapseError(err, 'InvalidInput')).toBe(true);
      return (err as Error).message;
    }
    throw new Error(`settings ${JSON.stringify(env)} were accepted`);
  }

  it('defaults to plaintext localhost:7233, namespace default, blank variables counting as unset', () => {
    expect(temporalConnectionSettingsFromEnv({})).toEqual({ address: 'localhost:7233', namespace: 'default' });
    expect(temporalConnectionSettingsFromEnv({ TEMPORAL_ADDRESS: ' ', TEMPORAL_NAMESPACE: '', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '' })).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
    });
  });

  it('turns TLS on when a CA, a client certificate, a server name or an API key is set, or TEMPORAL_TLS=true', () => {
    const withCa = temporalConnectionSettingsFromEnv({ TEMPORAL_ADDRESS: 'temporal.example.net:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath });
    expect(withCa.tls?.serverCaCertPath).toBe(certs.caCertPath);
    expect(withCa.tls?.sdk.serverRootCACertificate?.toString()).toContain('BEGIN CERTIFICATE');

    const cloud = temporalConnectionSettingsFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'eyJhbGciOi.key' });
    expect(cloud).toEqual({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'eyJhbGciOi.key', tls: { sdk: {} } });

    expect(temporalConnectionSettingsFromEnv({ TEMPORAL_TLS: 'true' }).tls).toEqual({ sdk: {} });
    expect(temporalConnectionSettingsFromEnv({ TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }).tls).toEqual({ serverName: 'temporal.internal', sdk: { serverNameOverride: 'temporal.internal' } });
    // An explicit false wins over the API key (a local plaintext proxy that adds TLS itself).
    expect(temporalConnectionSettingsFromEnv({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toEqual({ address: 'localhost:7233', namespace: 'default', apiKey: 'k' });
  });

  it('reads an mTLS pair, checks the key belongs to the certificate, and describes it without secrets', () => {
    const settings = temporalConnectionSettingsFromEnv({
      TEMPORAL_ADDRESS: '[::1]:7233',
      TEMPORAL_API_KEY: 'super-secret-api-key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath,
    });
    expect(settings.tls?.sdk.clientCertPair?.key.toString()).toContain('PRIVATE KEY');
    const description = describeTemporalConnection(settings);
    expect(description).toEqual({
      address: '[::1]:7233',
      namespace: 'default',
      tls: { serverCa: certs.caCertPath, clientCert: certs.clientCertPath, clientCertSubject: 'CN=synapse-worker', clientCertValidTo: expect.any(String) },
      apiKey: 'set',
    });
    const printed = JSON.stringify(description);
    expect(printed).not.toContain('super-secret-api-key');
    expect(printed).not.toContain('PRIVATE KEY');
  });

  it('names the missing half of a client certificate pair', () => {
    expect(problemOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath })).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH is required with TEMPORAL_TLS_CLIENT_CERT_PATH');
    expect(problemOf({ TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath })).toContain('TEMPORAL_TLS_CLIENT_CERT_PATH is required with TEMPORAL_TLS_CLIENT_KEY_PATH');
  });

  it('names the variable and the path of a file it cannot use', () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    expect(problemOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing })).toContain(`TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${missing} (no such file)`);
    expect(problemOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: dir })).toContain(`TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${dir} (it is a directory)`);

    const notPem = path.join(dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello\n');
    expect(problemOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: notPem })).toContain(`TEMPORAL_TLS_SERVER_CA_CERT_PATH: ${notPem} is not a PEM certificate`);
    expect(problemOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath, TEMPORAL_TLS_CLIENT_KEY_PATH: notPem })).toContain(
      `TEMPORAL_TLS_CLIENT_KEY_PATH: ${notPem} is not a PEM private key`,
    );
    expect(problemOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.untrustedClientKeyPath })).toContain(
      `TEMPORAL_TLS_CLIENT_KEY_PATH: ${certs.untrustedClientKeyPath} is not the private key of the certificate in TEMPORAL_TLS_CLIENT_CERT_PATH (${certs.clientCertPath})`,
    );
  });

  it('refuses contradictions and what the SDK cannot do, and lists every problem at once', () => {
    expect(problemOf({ TEMPORAL_TLS: 'maybe' })).toContain('TEMPORAL_TLS must be true or false (got "maybe")');
    expect(problemOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath })).toContain(
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH is set but TEMPORAL_TLS=false',
    );
    expect(problemOf({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toContain('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true is not supported');
    expect(temporalConnectionSettingsFromEnv({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'false' }).tls).toBeUndefined();

    const many = problemOf({ TEMPORAL_ADDRESS: 'localhost', TEMPORAL_NAMESPACE: 'two words', TEMPORAL_API_KEY: 'a b', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath });
    expect(many).toContain('Temporal connection settings: ');
    expect(many).toContain('TEMPORAL_ADDRESS: host:port, e.g. localhost:7233 (got "localhost")');
    expect(many).toContain('TEMPORAL_NAMESPACE: a namespace name has no spaces');
    expect(many).toContain('TEMPORAL_API_KEY: must be one token');
    expect(many).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH is required with TEMPORAL_TLS_CLIENT_CERT_PATH');
    // The refused API key is not echoed back.
    expect(many).not.toContain('"a b"');
    expect(problemOf({ TEMPORAL_ADDRESS: 'localhost:99999' })).toContain('TEMPORAL_ADDRESS: host:port');
  });
});
