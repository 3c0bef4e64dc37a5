import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { TestCertificates } from './certificates';

/**
 * `temporal server start-dev` (CLI 1.x) has no TLS options, so the tests put
 * these in front of it on loopback. They do what a TLS-terminating load
 * balancer and Temporal Cloud's front door do: the handshake, the client
 * certificate check (mTLS), the API key check. The Temporal protocol behind
 * them is the real dev server's, untouched.
 */
export interface TlsFront {
  /** host:port to give clients and workers as TEMPORAL_ADDRESS. */
  address: string;
  /** Why each refused connection or call was refused, in order. */
  refusals: string[];
  close(): Promise<void>;
}

export interface TlsTerminatorOptions {
  /** The plaintext Temporal frontend, host:port. */
  upstream: string;
  certificates: TestCertificates;
  /** mTLS: refuse the handshake unless the client presents a certificate signed by the test CA. */
  requireClientCertificate?: boolean;
}

/** TLS (optionally mTLS) on a loopback port, each connection spliced to the plaintext frontend. */
export async function startTlsTerminator(options: TlsTerminatorOptions): Promise<TlsFront> {
  const { certificates } = options;
  const refusals: string[] = [];
  const sockets = new Set<net.Socket>();
  const [upstreamHost, upstreamPort] = splitAddress(options.upstream);
  const server = tls.createServer(
    {
      key: readFileSync(certificates.serverKeyPath),
      cert: readFileSync(certificates.serverCertPath),
      // gRPC runs over HTTP/2, which TLS clients (grpc-js, rustls) negotiate by ALPN.
      ALPNProtocols: ['h2'],
      // OpenSSL refuses a missing certificate with the TLS alert; Node refuses an untrusted one by closing after the handshake.
      ...(options.requireClientCertificate ? { ca: readFileSync(certificates.caCertPath), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (client) => {
      const upstream = net.connect({ host: upstreamHost, port: upstreamPort });
      track(sockets, client);
      track(sockets, upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    },
  );
  server.on('tlsClientError', (err, socket) =>
    refusals.push(socket.authorizationError ? `client certificate refused: ${String(socket.authorizationError)}` : err.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]+:([^:]+):.*$/s, '$1')),
  );
  const address = await listen(server);
  return { address, refusals, close: () => closeServer(server, sockets) };
}

export interface ApiKeyProxyOptions {
  upstream: string;
  certificates: TestCertificates;
  /** Keys whose `authorization: Bearer <key>` is let through. */
  apiKeys: string[];
}

/**
 * TLS plus an HTTP/2 proxy that lets a gRPC call through only with
 * `authorization: Bearer <one of apiKeys>` and otherwise answers it as
 * Temporal Cloud does: gRPC status 16 UNAUTHENTICATED, in a trailers-only
 * response. Calls that pass are forwarded stream by stream to the frontend.
 */
export async function startApiKeyProxy(options: ApiKeyProxyOptions): Promise<TlsFront> {
  const refusals: string[] = [];
  const sockets = new Set<net.Socket>();
  const allowed = new Set(options.apiKeys.map((key) => `Bearer ${key}`));
  let upstream: http2.ClientHttp2Session | undefined;
  // One HTTP/2 session to the frontend carries every call, as a real proxy's pool would; reopened if the server closed it.
  const upstreamSession = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = http2.connect(`http://${options.upstream}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = http2.createSecureServer({
    key: readFileSync(options.certificates.serverKeyPath),
    cert: readFileSync(options.certificates.serverCertPath),
  });
  server.on('connection', (socket: net.Socket) => track(sockets, socket));
  server.on('secureConnection', (socket: tls.TLSSocket) => track(sockets, socket));
  server.on('stream', (stream, headers) => {
    const authorization = headers.authorization;
    if (typeof authorization !== 'string' || !allowed.has(authorization)) {
      refusals.push(`${String(headers[':path'])}: ${authorization === undefined ? 'no authorization header' : 'unknown API key'}`);
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'Request unauthorized: invalid API key' },
        { endStream: true },
      );
      return;
    }
    forward(stream, headers, upstreamSession());
  });
  server.on('sessionError', () => undefined);
  const address = await listen(server);
  return {
    address,
    refusals,
    async close() {
      upstream?.destroy();
      await closeServer(server, sockets);
    },
  };
}

const HOP_BY_HOP = new Set([':scheme', ':authority', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forward(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, upstream: http2.ClientHttp2Session): void {
  const outgoing: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) outgoing[name] = value;
  let request: http2.ClientHttp2Stream;
  try {
    request = upstream.request(outgoing);
  } catch (err) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': (err as Error).message.replace(/[^\x20-\x7e]/g, ' ') }, { endStream: true });
    return;
  }
  let trailers: http2.IncomingHttpHeaders | undefined;
  request.on('response', (responseHeaders) => {
    const reply = withoutPseudo(responseHeaders, ':status');
    if (responseHeaders['grpc-status'] !== undefined) {
      // A trailers-only answer (an error before any message): the status is in these headers and nothing follows.
      stream.respond(reply, { endStream: true });
      return;
    }
    stream.respond(reply, { waitForTrailers: true });
    request.pipe(stream);
  });
  request.on('trailers', (received) => (trailers = received));
  stream.on('wantTrailers', () => stream.sendTrailers(withoutPseudo(trailers ?? { 'grpc-status': '0' })));
  stream.pipe(request);
  request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
  stream.on('error', () => request.close(http2.constants.NGHTTP2_CANCEL));
  stream.on('close', () => {
    if (!request.closed) request.close(http2.constants.NGHTTP2_CANCEL);
  });
}

function withoutPseudo(headers: http2.IncomingHttpHeaders, keep?: string): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if ((name.startsWith(':') && name !== keep) || value === undefined) continue;
    out[name] = value;
  }
  return out;
}

function track(sockets: Set<net.Socket>, socket: net.Socket): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
}

function listen(server: net.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
