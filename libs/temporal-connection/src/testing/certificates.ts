import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway PKI for one test run: PEM files on disk, as an operator would deploy them. */
export interface TestCertificates {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caCertPath: string;
  /** Another CA, which signed nothing the servers present: the "wrong CA" an operator might configure. */
  otherCaCertPath: string;
  /** Names localhost and 127.0.0.1. */
  serverCertPath: string;
  serverKeyPath: string;
  /** A client certificate (CN synapse-worker) for mTLS. */
  clientCertPath: string;
  clientKeyPath: string;
  /** A client certificate signed by the other CA: valid, but not one the server trusts. */
  untrustedClientCertPath: string;
  untrustedClientKeyPath: string;
}

/**
 * Creates the certificates with the `openssl` command (present wherever git
 * and Node's own builds are; Node's crypto can read certificates but not
 * issue them). EC P-256 keys, X.509 v3 with the extensions rustls (the
 * workers' TLS) insists on: a CA marked as one, a server certificate whose
 * names are in subjectAltName, key usages per role.
 */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  await openssl(['version']).catch((err: Error) => {
    throw new Error(`the TLS tests need the openssl command to issue test certificates: ${err.message}`);
  });
  const file = (name: string) => path.join(dir, name);

  await createCa(file('ca'), 'Synapse Test CA');
  await createCa(file('other-ca'), 'Some Other CA');
  await issue(file('server'), file('ca'), 'localhost', ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'extendedKeyUsage=serverAuth']);
  await issue(file('client'), file('ca'), 'synapse-worker', ['extendedKeyUsage=clientAuth']);
  await issue(file('untrusted-client'), file('other-ca'), 'synapse-worker', ['extendedKeyUsage=clientAuth']);

  return {
    dir,
    caCertPath: file('ca.pem'),
    otherCaCertPath: file('other-ca.pem'),
    serverCertPath: file('server.pem'),
    serverKeyPath: file('server.key'),
    clientCertPath: file('client.pem'),
    clientKeyPath: file('client.key'),
    untrustedClientCertPath: file('untrusted-client.pem'),
    untrustedClientKeyPath: file('untrusted-client.key'),
  };
}

async function createCa(base: string, commonName: string): Promise<void> {
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
  ]);
}

async function issue(base: string, caBase: string, commonName: string, extensions: string[]): Promise<void> {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`]);
  await writeFile(
    `${base}.ext`,
    ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'authorityKeyIdentifier=keyid', ...extensions].join('\n') + '\n',
  );
  await openssl([
    'x509', '-req', '-in', `${base}.csr`, '-CA', `${caBase}.pem`, '-CAkey', `${caBase}.key`, '-CAcreateserial',
    '-out', `${base}.pem`, '-days', '2', '-sha256', '-extfile', `${base}.ext`,
  ]);
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${(err as Error).message}${stderr ? `\n${stderr}` : ''}`);
  }
}
