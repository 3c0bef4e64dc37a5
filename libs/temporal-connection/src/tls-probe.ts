import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { TemporalConnectionSettings } from './connection-settings';

/**
 * grpc-js reports every failed TLS handshake as "Failed to connect before
 * the deadline", and Core's wording depends on the failure; a handshake of
 * our own with the same CA, client certificate and server name says which
 * check failed, in OpenSSL's words. Undefined: the handshake is fine (the
 * problem is elsewhere), or nothing answered.
 */
export async function probeTls(settings: TemporalConnectionSettings, timeoutMs = 3_000): Promise<string | undefined> {
  const at = settings.address.lastIndexOf(':');
  const host = settings.address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(settings.address.slice(at + 1));
  const sdk = settings.tls?.sdk;
  const serverName = sdk?.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let settled = false;
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(serverName ? { servername: serverName } : {}),
      ...(sdk?.serverNameOverride ? { checkServerIdentity: (_host, cert) => tls.checkServerIdentity(sdk.serverNameOverride!, cert) } : {}),
      ...(sdk?.serverRootCACertificate ? { ca: sdk.serverRootCACertificate } : {}),
      ...(sdk?.clientCertPair ? { cert: sdk.clientCertPair.crt, key: sdk.clientCertPair.key } : {}),
      // Without TLS configured, the question is only whether the server speaks TLS at all.
      rejectUnauthorized: settings.tls !== undefined,
    });
    const done = (result: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    let handshakeDone = false;
    socket.once('secureConnect', () => {
      handshakeDone = true;
      if (!settings.tls) {
        done('the server completed a TLS handshake, so it expects TLS');
        return;
      }
      // A gRPC server speaks first (its HTTP/2 SETTINGS); one that refuses the client certificate closes instead,
      // and under TLS 1.3 that refusal comes after the client considers the handshake done.
      socket.once('data', () => done(undefined));
      setTimeout(() => done(undefined), 1_000);
    });
    socket.once('error', (err) => done(settings.tls ? `TLS handshake: ${cleanOpenSslMessage(err.message)}` : undefined));
    socket.once('close', () =>
      done(handshakeDone && settings.tls ? 'TLS handshake: the server closed the connection as soon as the handshake was done, as servers do with a client certificate they refuse' : undefined),
    );
  });
}

/** "80DC…:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:…c:1601:SSL alert number 42" -> "sslv3 alert bad certificate (SSL alert number 42)". */
function cleanOpenSslMessage(message: string): string {
  const match = /SSL routines:[^:]+:([^:]+):[^:]*:\d+:(SSL alert number \d+)?/.exec(message);
  if (!match) return message.trim();
  return match[2] ? `${match[1]} (${match[2]})` : match[1]!;
}
