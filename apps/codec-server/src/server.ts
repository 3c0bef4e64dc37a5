import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayloadDecryptionError, payloadsFromJson, payloadsToJson, type PayloadCodec } from '@synapse/temporal-connection';

/**
 * Temporal's codec server protocol over plain node:http: POST /encode and
 * POST /decode (also under a namespace segment, /{namespace}/decode, for
 * `temporal --codec-endpoint 'http://host/{namespace}'`), bodies in proto3
 * JSON, the namespace in X-Namespace. The Web UI calls it from the browser,
 * hence CORS for the configured origins only, with credentials.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call (the Web UI's); others get no CORS headers, so the browser blocks them. */
  corsOrigins: readonly string[];
  /** When given, every encode/decode needs `Authorization: Bearer <one of these>`. */
  authTokens?: readonly string[];
  /** Largest request body; the UI sends a page of history's payloads at once. */
  maxBodyBytes?: number;
  /** One entry per request: path, namespace, payload count, status. Never payloads or tokens. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningCodecServer {
  /** http://host:port, the endpoint to give the Web UI (--ui-codec-endpoint, or its codec settings). */
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';
const ENDPOINT = /^(?:\/([^/]+))?\/(encode|decode)\/?$/;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createCodecRequestHandler(options: CodecServerOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const origins = new Set(options.corsOrigins);
  // Digests, so comparing a presented token takes the same time whatever it shares with a real one.
  const tokenDigests = options.authTokens?.map(digest);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);

  return (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://codec-server');
    const endpoint = ENDPOINT.exec(url.pathname);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const corsAllowed = origin !== undefined && origins.has(origin);
    if (corsAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      // The UI's "include cross-origin credentials" setting sends cookies; that needs the exact origin and this.
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');
    const namespace = firstHeader(req.headers['x-namespace']) ?? endpoint?.[1];
    let payloadCount: number | undefined;

    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
      res.end(text);
      log({ method: req.method, path: url.pathname, ...(namespace ? { namespace } : {}), ...(origin ? { origin } : {}), ...(payloadCount !== undefined ? { payloads: payloadCount } : {}), status, ms: Date.now() - started });
    };
    const fail = (err: unknown) => {
      if (err instanceof HttpProblem) finish(err.status, { error: err.message }, err.headers);
      else finish(500, { error: `codec server error: ${err instanceof Error ? err.message : String(err)}` });
    };

    if (req.method === 'OPTIONS') {
      // Preflight: the browser asks before a POST with JSON and X-Namespace; no credentials come with it.
      if (!endpoint) return finish(404, { error: `no such endpoint ${url.pathname}: POST /encode or /decode` });
      if (!corsAllowed) return finish(403, { error: `origin ${origin ?? '(none)'} is not allowed: SYNAPSE_CODEC_CORS_ORIGINS lists the allowed ones` });
      return finish(204, undefined, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
        // Chrome asks this before a public page (Temporal Cloud's UI) may call a codec server on localhost.
        ...(req.headers['access-control-request-private-network'] === 'true' ? { 'Access-Control-Allow-Private-Network': 'true' } : {}),
      });
    }
    if (!endpoint) return finish(404, { error: `no such endpoint ${url.pathname}: POST /encode or /decode` });
    if (req.method !== 'POST') return finish(405, { error: `${req.method} ${url.pathname}: use POST` }, { Allow: 'POST, OPTIONS' });
    if (tokenDigests && !authorized(req.headers.authorization, tokenDigests)) {
      return finish(
        401,
        { error: req.headers.authorization ? 'the bearer token is not one of SYNAPSE_CODEC_AUTH_TOKENS_FILE' : 'authorization required: send Authorization: Bearer <token>' },
        { 'WWW-Authenticate': 'Bearer realm="synapse-codec"' },
      );
    }

    readBody(req, maxBodyBytes)
      .then(async (body) => {
        const parsed = payloadsFromJson(body);
        if (!parsed.ok) throw new HttpProblem(400, parsed.problem);
        payloadCount = parsed.payloads.length;
        const operation = endpoint[2] as 'encode' | 'decode';
        try {
          const result = operation === 'encode' ? await options.codec.encode(parsed.payloads) : await options.codec.decode(parsed.payloads);
          finish(200, payloadsToJson(result));
        } catch (err) {
          if (err instanceof PayloadDecryptionError) throw new HttpProblem(400, `cannot decode: ${err.message}`);
          throw err;
        }
      })
      .catch(fail);
  };
}

export function startCodecServer(options: CodecServerOptions & { host: string; port: number }): Promise<RunningCodecServer> {
  const server = http.createServer(createCodecRequestHandler(options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Browsers keep connections open; idle ones would hold close() until they time out.
            server.closeIdleConnections();
          }),
      });
    });
  });
}

function authorized(header: string | undefined, tokenDigests: Buffer[]): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const presented = digest(match[1]!);
  let found = false;
  for (const candidate of tokenDigests) found = timingSafeEqual(presented, candidate) || found;
  return found;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the 413 still reaches the client.
      if (size > maxBytes) return;
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) reject(new HttpProblem(413, `the body is larger than ${maxBytes} bytes`, { Connection: 'close' }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
