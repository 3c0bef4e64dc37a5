import * as tls from 'node:tls';

/**
 * A plaintext client that reaches a TLS port sees its HTTP/2 session closed
 * and grpc-js reports only "Failed to connect" — one of the vague connect
 * errors operators lose time on. After such a failure we knock once with a
 * TLS handshake (no verification: we only ask whether the port speaks TLS).
 * It costs one short connection, and only on a path that already failed.
 */
export async function portSpeaksTls(address: string, timeoutMs: number): Promise<boolean> {
  const { host, port } = splitAddress(address);
  if (port === undefined) return false;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      // SNI must be a host name; for an IP literal leave it out.
      servername: isIpLiteral(host) ? undefined : host,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    const finish = (speaksTls: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(speaksTls);
    };
    const timer = setTimeout(() => finish(false), Math.max(1, timeoutMs));
    socket.once('secureConnect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Reasons that show the TCP connection itself failed: no point probing for TLS. */
export function isSocketLevelFailure(message: string): boolean {
  return /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|No addresses resolved|Name resolution failed/i.test(message);
}

function splitAddress(address: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2]) };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: undefined };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
