import * as net from 'node:net';
import * as os from 'node:os';

/**
 * A plain TCP relay: every connection to `<listen host>:<port>` is piped to
 * `<target host>:<port>`. It exists for tools/device-sim, which by design
 * listens on loopback only: in a container that makes it unreachable from
 * the device-worker's container, so a relay sharing its network namespace
 * re-serves the same ports on the container's own address. Bytes pass
 * through untouched (gRPC over HTTP/2, the control endpoint's HTTP).
 */
export interface RelayOptions {
  ports: readonly number[];
  /** Addresses to listen on. Not the wildcard: the target already holds these ports on loopback. */
  listenHosts: readonly string[];
  targetHost: string;
}

export interface Relay {
  listening: Array<{ host: string; port: number }>;
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  if (options.ports.length === 0) throw new Error('the relay needs at least one port');
  if (options.listenHosts.length === 0) throw new Error('the relay needs at least one address to listen on');
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  try {
    for (const host of options.listenHosts) {
      for (const port of options.ports) {
        // Half-open both ways: a peer that finishes sending (FIN) may still be owed an answer,
        // so each direction ends on its own, as it would on a direct connection.
        const server = net.createServer({ allowHalfOpen: true }, (client) => {
          track(client);
          const upstream = net.connect({ host: options.targetHost, port, allowHalfOpen: true });
          track(upstream);
          client.setNoDelay(true);
          upstream.setNoDelay(true);
          // Either side failing ends the pair: the client sees a reset, as it would from the device itself.
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end);
          upstream.on('error', end);
          client.pipe(upstream);
          upstream.pipe(client);
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        servers.push(server);
      }
    }
  } catch (err) {
    await closeAll(servers, sockets);
    throw err;
  }
  return {
    listening: servers.map((server) => {
      const address = server.address() as net.AddressInfo;
      return { host: address.address, port: address.port };
    }),
    close: () => closeAll(servers, sockets),
  };
}

async function closeAll(servers: net.Server[], sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}

/** The container's own IPv4 addresses (what other containers reach it by), loopback excluded. */
export function externalIpv4Addresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

/** `57400-57402,9000` -> [57400, 57401, 57402, 9000]; anything else is an error naming the bad part. */
export function parsePortList(text: string): number[] {
  const ports: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!match) throw new Error(`"${part}" is not a port or a port range (e.g. 57400-57402,9000)`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first < 1 || last > 65535 || last < first) throw new Error(`"${part}" is not a port range within 1-65535`);
    for (let port = first; port <= last; port++) ports.push(port);
  }
  return ports;
}
