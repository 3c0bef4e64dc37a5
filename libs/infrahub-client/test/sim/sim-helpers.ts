import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim, type InfrahubSimOptions } from '@synapse/infrahub-sim';
import { referenceLab } from '@synapse/lab';

export { DEFAULT_LAB_API_TOKEN, DEFAULT_LAB_USER } from '@synapse/infrahub-sim';

export async function startSim(options: InfrahubSimOptions = {}): Promise<InfrahubSim> {
  return startInfrahubSim({ lab: referenceLab(), ...options });
}

/**
 * GraphQL straight to the simulator, for arranging data (breaking a session,
 * counting records) the way an operator would through Infrahub's API. Not
 * through the client under test, so a client bug cannot hide itself.
 */
export async function rawGraphql<T = Record<string, unknown>>(
  sim: { address: string },
  query: string,
  variables: Record<string, unknown> = {},
  branch?: string,
): Promise<T> {
  const path = branch === undefined ? '/graphql' : `/graphql/${encodeURIComponent(branch)}`;
  const response = await fetch(`${sim.address}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-infrahub-key': DEFAULT_LAB_API_TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || body.errors?.length) throw new Error(`raw GraphQL failed (${response.status}): ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

export async function changeRecordCount(sim: { address: string }, changeId: string, device: string, branch?: string): Promise<number> {
  const data = await rawGraphql<{ SynapseChangeRecord: { count: number } }>(
    sim,
    `query ($c: String!, $d: String!) { SynapseChangeRecord(change_id__value: $c, device__name__value: $d) { count } }`,
    { c: changeId, d: device },
    branch,
  );
  return data.SynapseChangeRecord.count;
}

/**
 * A proxy in front of the simulator that lets the simulator do its work and
 * then spoils the answer to chosen requests: the write happened, the client
 * never hears so. That is the case a lost answer produces and the simulator's
 * own faults (which refuse before acting) cannot.
 */
export interface SpoilingProxy {
  address: string;
  /** Bodies of the requests that went through, in order. */
  seen: string[];
  /** Their paths (`/graphql`, `/graphql/<branch>`), in the same order. */
  paths: string[];
  spoil(rule: { when: (body: string) => boolean; times: number; how: 'truncate' | '502' }): void;
  stop(): Promise<void>;
}

export async function startSpoilingProxy(target: string): Promise<SpoilingProxy> {
  const targetUrl = new URL(target);
  let rule: { when: (body: string) => boolean; times: number; how: 'truncate' | '502' } | undefined;
  const seen: string[] = [];
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push(body.toString('utf8'));
      paths.push(req.url ?? '');
      const upstream = httpRequest(
        { host: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers: { ...req.headers, host: targetUrl.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            let text = Buffer.concat(parts).toString('utf8');
            let status = answer.statusCode ?? 502;
            if (rule && rule.times > 0 && rule.when(body.toString('utf8'))) {
              rule.times--;
              if (rule.how === 'truncate') text = text.slice(0, Math.floor(text.length / 2));
              else {
                status = 502;
                text = '<html><body>502 Bad Gateway</body></html>';
              }
            }
            res.writeHead(status, { 'content-type': String(answer.headers['content-type'] ?? 'application/json'), 'content-length': Buffer.byteLength(text) }).end(text);
          });
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    seen,
    paths,
    spoil(next) {
      rule = next;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
