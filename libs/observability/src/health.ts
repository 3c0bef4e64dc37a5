import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';
import { parseListenAddress } from './settings';

/** What the probes need of a Worker: its state and its task queue. */
export interface ProbedWorker {
  getState(): State;
  readonly options: { readonly taskQueue: string };
}

export interface HealthServerOptions {
  /** host:port to listen on (SYNAPSE_HEALTH_ADDRESS); port 0 picks a free one. */
  address: string;
  service: string;
  worker: ProbedWorker;
}

export interface HealthServer {
  /** host:port it listens on (the chosen port when asked for 0). */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Container probes for one worker:
 *   GET /healthz  200 while the process is up (liveness: it still answers
 *                 while draining, so a slow drain is not killed as a hang);
 *   GET /readyz   200 while the worker polls (state RUNNING), 503 before it
 *                 runs and from the moment shutdown starts, both with
 *                 `{service, state, taskQueue}`;
 *   anything else 404 (405 for another method on a probe path).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { host, port } = parseListenAddress(options.address, 'the health address');
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') return reply(response, 404, { error: `no such endpoint ${path}; try /healthz or /readyz` });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return reply(response, 405, { error: `${request.method} is not allowed on ${path}` });
    }
    if (path === '/healthz') return reply(response, 200, { service: options.service, status: 'up' });
    const state = options.worker.getState();
    return reply(response, state === 'RUNNING' ? 200 : 503, { service: options.service, state, taskQueue: options.worker.options.taskQueue });
  });
  // Probes open a connection per check; none should keep close() waiting.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`health endpoint cannot listen on ${options.address}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;

  let closed: Promise<void> | undefined;
  return {
    address,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function reply(response: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}
