import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { SynapseError } from '@synapse/contracts';
import type { GnmiCredentials, GnmiTransport } from './target';

export interface ChannelSecurity {
  credentials: grpc.ChannelCredentials;
  /** Channel options the transport needs (TLS server name override). */
  channelOptions: grpc.ChannelOptions;
}

/**
 * gRPC channel credentials for a transport mode. Each mode is explicit: no
 * fallback from TLS to plaintext, and skip-verify only when asked for.
 */
export function channelSecurityFor(transport: GnmiTransport, deviceName: string): ChannelSecurity {
  switch (transport.mode) {
    case 'plaintext':
      return { credentials: grpc.credentials.createInsecure(), channelOptions: {} };
    case 'skip-verify':
      // grpc-js (1.14) passes rejectUnauthorized through to tls.connect and then
      // accepts the socket without checking `authorized` (channel-credentials.js,
      // SecureConnectorImpl.connect). The no-op checkServerIdentity also lets a
      // certificate for another name through, which is what skip-verify means:
      // the connection is encrypted, the device is not authenticated.
      return {
        credentials: grpc.credentials.createSsl(null, null, null, {
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
        }),
        channelOptions: {},
      };
    case 'tls': {
      const rootCerts = transport.caPem !== undefined ? caFromPem(transport.caPem, deviceName) : transport.caFile !== undefined ? caFromFile(transport.caFile, deviceName) : null;
      // Without a CA the system trust store decides, as for any TLS client.
      const channelOptions: grpc.ChannelOptions = transport.serverName
        ? { 'grpc.ssl_target_name_override': transport.serverName, 'grpc.default_authority': transport.serverName }
        : {};
      return { credentials: grpc.credentials.createSsl(rootCerts), channelOptions };
    }
  }
}

function caFromFile(caFile: string, deviceName: string): Buffer {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    throw new SynapseError('InvalidInput', `${deviceName}: TLS CA file ${caFile} ${reason}`, {
      device: deviceName,
      fields: ['transport.caFile'],
    });
  }
  return caFromPem(pem, deviceName, caFile);
}

function caFromPem(pem: string, deviceName: string, source = 'transport.caPem'): Buffer {
  // Caught here because grpc-js would only fail at connect time with an
  // OpenSSL message that does not say which setting is wrong.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SynapseError('InvalidInput', `${deviceName}: TLS CA ${source} holds no PEM certificate`, {
      device: deviceName,
      fields: [source === 'transport.caPem' ? 'transport.caPem' : 'transport.caFile'],
    });
  }
  return Buffer.from(pem, 'utf8');
}

/**
 * Username and password go as plain per-call metadata rather than call
 * credentials: grpc-js refuses to compose call credentials with insecure
 * channel credentials, and plaintext targets (containerlab's 57401) need them too.
 */
export function credentialsMetadata(credentials: GnmiCredentials | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (credentials) {
    metadata.set('username', credentials.username);
    metadata.set('password', credentials.password);
  }
  return metadata;
}
