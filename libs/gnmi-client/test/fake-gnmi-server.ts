import * as grpc from '@grpc/grpc-js';
import {
  gnmiServiceConstructor,
  type WireCapabilityRequest,
  type WireCapabilityResponse,
  type WireGetRequest,
  type WireGetResponse,
  type WireSetRequest,
  type WireSetResponse,
  type WireSubscribeRequest,
  type WireSubscribeResponse,
} from '../src/proto';

/**
 * A scripted gNMI server on loopback for testing the client's call
 * mechanics (metadata, deadlines, stream end and failure). Device behaviour
 * is the simulator's job and is tested against it in integration/.
 */
export interface FakeGnmiServer {
  address: string;
  calls: { rpc: string; metadata: Record<string, unknown>; request: unknown }[];
  stop(): Promise<void>;
}

export interface Handlers {
  Capabilities?: grpc.handleUnaryCall<WireCapabilityRequest, WireCapabilityResponse>;
  Get?: grpc.handleUnaryCall<WireGetRequest, WireGetResponse>;
  Set?: grpc.handleUnaryCall<WireSetRequest, WireSetResponse>;
  Subscribe?: grpc.handleBidiStreamingCall<WireSubscribeRequest, WireSubscribeResponse>;
}

export async function startFakeGnmiServer(handlers: Handlers, credentials = grpc.ServerCredentials.createInsecure()): Promise<FakeGnmiServer> {
  const server = new grpc.Server();
  const calls: FakeGnmiServer['calls'] = [];
  const record = (rpc: string, call: { metadata: grpc.Metadata; request?: unknown }) =>
    calls.push({ rpc, metadata: call.metadata.getMap(), request: call.request });
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not scripted' });
  const wrapUnary = (rpc: string) => (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    record(rpc, call);
    ((handlers[rpc as 'Get'] as grpc.handleUnaryCall<unknown, unknown> | undefined) ?? unimplemented)(call, callback);
  };
  server.addService(gnmiServiceConstructor().service, {
    Capabilities: wrapUnary('Capabilities'),
    Get: wrapUnary('Get'),
    Set: wrapUnary('Set'),
    Subscribe: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      record('Subscribe', call);
      if (handlers.Subscribe) handlers.Subscribe(call as grpc.ServerDuplexStream<WireSubscribeRequest, WireSubscribeResponse>);
      else call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'not scripted' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    stop: async () => server.forceShutdown(),
  };
}
