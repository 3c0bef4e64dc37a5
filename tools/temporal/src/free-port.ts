import * as net from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * Asks the kernel for a free loopback port (bind to 0, read it, release it).
 * Another process could take it before the caller binds it; on one test
 * machine that window is small enough, and a collision fails loudly at start.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on the loopback port and it can be bound. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}
