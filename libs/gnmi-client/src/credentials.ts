import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { SynapseError } from '@synapse/contracts';
import type { GnmiCredentials, GnmiTarget, GnmiTransport } from './target';

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
 * The credentials a client may send to a target. Over plaintext anyone on
 * the path reads them, so there they go only where the target's transport
 * allows it explicitly. Otherwise the client refuses before it connects,
 * naming the device, its address, the transport and the setting that would
 * allow it; connecting without them instead would only turn the refusal
 * into the device's vaguer AuthFailed. A target given no credentials at all
 * has nothing to protect and is left alone.
 */
export function credentialsForTarget(target: GnmiTarget, credentials: GnmiCredentials | undefined, allowSetting: string): GnmiCredentials | undefined {
  const { transport } = target;
  if (credentials === undefined || transport.mode !== 'plaintext' || transport.allowCredentials === true) return credentials;
  throw new SynapseError(
    'TargetMisconfigured',
    `${target.name} (${target.address}): refusing to send the username and password over plaintext gNMI (transport mode plaintext), ` +
      `where anyone on the path can read them: use transport tls, or allow it explicitly with ${allowSetting}`,
    { device: target.name, address: target.address, transport: transport.mode, setting: allowSetting },
  );
}

/**
 * Username and password go as plain per-call metadata rather than call
 * credentials: grpc-js refuses to compose call credentials with insecure
 * channel credentials, and plaintext targets (containerlab's 57401) need them
 * too once allowed (credentialsForTarget).
 */
export function credentialsMetadata(credentials: GnmiCredentials | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (credentials) {
    metadata.set('username', credentials.username);
    metadata.set('password', credentials.password);
  }
  return metadata;
}
