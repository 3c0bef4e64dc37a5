import { ServerCredentials } from '@grpc/grpc-js';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** The CA that signed certPem, when the simulator made both. */
  caPem?: string;
}

/**
 * A throwaway CA and one server certificate for 127.0.0.1 and localhost,
 * shared by every device of a simulator. Clients can then verify properly
 * (trust caPem) instead of only skipping verification as SR Linux labs do.
 */
export async function generateSelfSignedTls(): Promise<TlsMaterial> {
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'Synapse device-sim CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'device-sim' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { certPem: server.cert, keyPem: server.private, caPem: ca.cert };
}

export function serverCredentials(tls: TlsMaterial | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], false);
}
