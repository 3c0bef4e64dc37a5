import type { Server, ServerCredentials } from '@grpc/grpc-js';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

type ConnectionInjector = ReturnType<Server['createConnectionInjector']>;

/**
 * One device's listening socket. The simulator owns the TCP listener and
 * hands each accepted connection to the device's gRPC server, so it can stop
 * and resume listening on the same port (refused connections, restarts) and
 * cut the one connection a given call arrived on (dropped Set).
 */
export class DeviceListener {
  private netServer: NetServer | undefined;
  private readonly sockets = new Map<string, Socket>();
  private readonly injector: ConnectionInjector;
  private closed = false;

  constructor(
    private readonly grpcServer: Server,
    credentials: ServerCredentials,
    readonly host: string,
    private portNumber: number,
  ) {
    this.injector = grpcServer.createConnectionInjector(credentials);
  }

  get port(): number {
    return this.portNumber;
  }

  get listening(): boolean {
    return this.netServer !== undefined;
  }

  /**
   * `retryBusyPort` is for coming back after a refusal or restart, when the
   * port we held a moment ago may still be taken briefly; a first bind fails fast.
   */
  async listen(retryBusyPort = false): Promise<void> {
    if (this.netServer || this.closed) return;
    const server = createServer((socket) => this.accept(socket));
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: this.host, port: this.portNumber, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!busy || !retryBusyPort || this.portNumber === 0 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.portNumber = (server.address() as AddressInfo).port;
    this.netServer = server;
  }

  /** Stops accepting and cuts every open connection: clients see the port refuse. */
  stopListening(): void {
    this.netServer?.close();
    this.netServer = undefined;
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
  }

  /** Cuts the connection a call came in on (`call.getPeer()`); true when there was one. */
  dropConnection(peer: string): boolean {
    const socket = this.sockets.get(peer);
    socket?.destroy();
    return socket !== undefined;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.stopListening();
    this.injector.destroy();
    this.grpcServer.forceShutdown();
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    this.sockets.set(peer, socket);
    socket.once('close', () => {
      if (this.sockets.get(peer) === socket) this.sockets.delete(peer);
    });
    this.injector.injectConnection(socket);
  }
}
