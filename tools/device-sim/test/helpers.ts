import * as grpc from '@grpc/grpc-js';
import {
  gnmiServiceConstructor,
  parsePath,
  type WireCapabilityResponse,
  type WireGetRequest,
  type WireGetResponse,
  type WirePath,
  type WireSetRequest,
  type WireSetResponse,
  type WireSubscribeRequest,
  type WireSubscribeResponse,
  type WireTypedValue,
  type WireUpdate,
} from '@synapse/gnmi-client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDeviceSim, referenceLabTopology, type DeviceSim, type SimOptions } from '../src';

/**
 * A bare gRPC client over loopback built from gnmi-client's proto loader,
 * the way any third-party client would talk to the simulator.
 */
export const LAB_USER = { username: 'admin', password: 'NokiaSrl1!' };

const CLIENT_OPTIONS = { 'grpc.max_receive_message_length': 512 * 1024 * 1024, 'grpc.max_send_message_length': 512 * 1024 * 1024 };

export interface TestClient {
  raw: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  capabilities(): Promise<WireCapabilityResponse>;
  get(request: WireGetRequest): Promise<WireGetResponse>;
  set(request: WireSetRequest): Promise<WireSetResponse>;
  subscribe(): grpc.ClientDuplexStream<WireSubscribeRequest, WireSubscribeResponse>;
  close(): void;
}

export function metadataFor(credentials: { username?: string; password?: string } | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (credentials?.username !== undefined) metadata.set('username', credentials.username);
  if (credentials?.password !== undefined) metadata.set('password', credentials.password);
  return metadata;
}

export function connect(
  address: string,
  credentials: { username?: string; password?: string } | undefined = LAB_USER,
  channel: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
): TestClient {
  const Client = gnmiServiceConstructor();
  const raw = new Client(address, channel, { ...CLIENT_OPTIONS, ...options }) as TestClient['raw'];
  const unary = <Req, Res>(method: string) => (request: Req) =>
    new Promise<Res>((resolve, reject) => {
      raw[method](request, metadataFor(credentials), { deadline: Date.now() + 20_000 }, (error: grpc.ServiceError | null, response: Res) =>
        error ? reject(error) : resolve(response),
      );
    });
  return {
    raw,
    capabilities: () => unary<object, WireCapabilityResponse>('Capabilities')({}),
    get: unary<WireGetRequest, WireGetResponse>('Get'),
    set: unary<WireSetRequest, WireSetResponse>('Set'),
    subscribe: () => raw.Subscribe(metadataFor(credentials)) as grpc.ClientDuplexStream<WireSubscribeRequest, WireSubscribeResponse>,
    close: () => raw.close(),
  };
}

export function wirePath(text: string): WirePath {
  const parsed = parsePath(text);
  return { elem: parsed.elem.map((e) => (e.key ? { name: e.name, key: e.key } : { name: e.name })) };
}

export function ietf(value: unknown): WireTypedValue {
  return { json_ietf_val: Buffer.from(JSON.stringify(value)) };
}

export function json(value: unknown): WireTypedValue {
  return { json_val: Buffer.from(JSON.stringify(value)) };
}

export function update(path: string, value: unknown, encoding: 'ietf' | 'json' = 'ietf'): WireUpdate {
  return { path: wirePath(path), val: encoding === 'ietf' ? ietf(value) : json(value) };
}

export function decode(value: WireTypedValue | undefined): unknown {
  const bytes = value?.json_ietf_val ?? value?.json_val;
  if (!bytes) throw new Error(`not a JSON value: ${JSON.stringify(value)}`);
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

/** "/a[k=v]/b" of a wire path, for readable assertions. */
export function pathText(path: WirePath | undefined): string {
  const elems = path?.elem ?? [];
  return (
    '/' +
    elems
      .map((e) => {
        const keys = Object.keys(e.key ?? {}).sort();
        return e.name + keys.map((k) => `[${k}=${e.key![k]}]`).join('');
      })
      .join('/')
  );
}

/** Single-notification Get returning [path, value] pairs. */
export async function getValues(client: TestClient, request: WireGetRequest): Promise<Array<[string, unknown]>> {
  const response = await client.get(request);
  return (response.notification ?? []).flatMap((n) => (n.update ?? []).map((u): [string, unknown] => [pathText(u.path), decode(u.val)]));
}

export async function getValue(client: TestClient, path: string, request: Partial<WireGetRequest> = {}): Promise<unknown> {
  const values = await getValues(client, { path: [wirePath(path)], encoding: 'JSON', ...request });
  if (values.length !== 1) throw new Error(`expected one value at ${path}, got ${values.length}`);
  return values[0][1];
}

export async function expectGrpcError(promise: Promise<unknown>, code: grpc.status, message?: string | RegExp): Promise<grpc.ServiceError> {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) throw new Error(`expected gRPC error ${grpc.status[code]}, but the call succeeded`);
  const error = failure as grpc.ServiceError;
  expect({ code: grpc.status[error.code], details: error.details }).toEqual({ code: grpc.status[code], details: expect.anything() });
  if (message !== undefined) expect(error.details).toMatch(message);
  return error;
}

export async function waitFor<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type ManagedConfig = Record<string, unknown>;

export function fixture(device: string): ManagedConfig {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', 'reference-lab', `${device}.json`), 'utf8')) as ManagedConfig;
}

/** One atomic SetRequest replacing each managed path, as the deploy activity will. */
export function deployRequest(managed: ManagedConfig): WireSetRequest {
  return { replace: Object.entries(managed).map(([path, value]) => update(path, value)) };
}

export async function startLab(options: Partial<SimOptions> = {}): Promise<DeviceSim> {
  return startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100, ...options });
}

/** Collects a Subscribe stream's messages and its end. */
export class StreamRecorder {
  readonly messages: WireSubscribeResponse[] = [];
  error: grpc.ServiceError | undefined;
  ended = false;

  constructor(readonly stream: grpc.ClientDuplexStream<WireSubscribeRequest, WireSubscribeResponse>) {
    stream.on('data', (message: WireSubscribeResponse) => this.messages.push(message));
    stream.on('error', (error: grpc.ServiceError) => {
      this.error = error;
    });
    stream.on('status', () => {
      this.ended = true;
    });
    stream.on('end', () => {
      this.ended = true;
    });
  }

  syncCount(): number {
    return this.messages.filter((m) => m.sync_response).length;
  }

  /** Every (path, value) update received, with prefixes joined. */
  updates(): Array<[string, unknown]> {
    return this.messages.flatMap((m) =>
      (m.update?.update ?? []).map((u): [string, unknown] => [
        pathText({ elem: [...(m.update?.prefix?.elem ?? []), ...(u.path?.elem ?? [])] }),
        decode(u.val),
      ]),
    );
  }

  deletes(): string[] {
    return this.messages.flatMap((m) => (m.update?.delete ?? []).map((p) => pathText({ elem: [...(m.update?.prefix?.elem ?? []), ...(p.elem ?? [])] })));
  }

  async waitFor(accept: (recorder: StreamRecorder) => boolean, timeoutMs = 5000, what = 'stream condition'): Promise<void> {
    await waitFor(() => this, accept, timeoutMs, what);
  }
}

/** Values of these leaves are identities: a JSON_IETF answer qualifies them (`srl_nokia-interfaces:routed`). */
const IDENTITY_LEAVES = new Set(['type', 'afi-safi-name', 'protocol', 'services', 'functional-type']);
const MODULE_PREFIX = /^srl_nokia-[a-z-]+:/;

/**
 * The canonical form two configs are compared in, written apart from the
 * simulator's own decoding: identity values lose their module prefix, object
 * members are sorted, and member names lose theirs too unless `keepNames`
 * (then a prefix missing or misplaced still differs). Arrays keep their
 * order, so an ordered-by-user list that was reordered still differs.
 */
export function canonical(value: unknown, options: { keepNames?: boolean } = {}, member?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, options, member));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([name, child]) => {
      const bare = name.replace(MODULE_PREFIX, '');
      return [options.keepNames ? name : bare, canonical(child, options, bare)] as const;
    });
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  if (typeof value === 'string' && member !== undefined && IDENTITY_LEAVES.has(member)) return value.replace(MODULE_PREFIX, '');
  return value;
}

/** Get CONFIG at the root in JSON_IETF: what a backup holds. */
export async function backup(client: TestClient): Promise<Record<string, unknown>> {
  const response = await client.get({ path: [{ elem: [] }], type: 'CONFIG', encoding: 'JSON_IETF' });
  return decode(response.notification![0].update![0].val) as Record<string, unknown>;
}

/** A root replace with a whole config document, as a restore does. */
export function replaceRoot(document: unknown): WireSetRequest {
  return { replace: [{ path: { elem: [] }, val: ietf(document) }] };
}
