import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim, type InfrahubSimOptions } from '../src';

export const TOKEN = DEFAULT_LAB_API_TOKEN;

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

async function result<T>(response: Response): Promise<HttpResult<T>> {
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export interface GqlOptions {
  variables?: Record<string, unknown>;
  branch?: string;
  /** Defaults to the lab token; `null` sends no credentials. */
  token?: string | null;
  bearer?: string;
  operationName?: string;
}

/** POST a GraphQL document to the simulator the way a client does, over real HTTP. */
export async function gql<T = any>(sim: InfrahubSim, query: string, options: GqlOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  else if (options.token !== null) headers['x-infrahub-key'] = options.token ?? TOKEN;
  const path = options.branch === undefined ? '/graphql' : `/graphql/${encodeURIComponent(options.branch)}`;
  const body: Record<string, unknown> = { query };
  if (options.variables) body.variables = options.variables;
  if (options.operationName) body.operationName = options.operationName;
  return result<T>(await fetch(`${sim.address}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
}

/** Data of a query expected to succeed; fails the test with the server's errors otherwise. */
export async function data<T = any>(sim: InfrahubSim, query: string, options: GqlOptions = {}): Promise<T> {
  const response = await gql<{ data: T; errors?: unknown[] }>(sim, query, options);
  if (response.status !== 200 || response.body?.errors) throw new Error(`query failed (${response.status}): ${response.text}`);
  return response.body.data;
}

export async function http<T = any>(sim: InfrahubSim, method: string, path: string, init: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return result<T>(await fetch(`${sim.address}${path}`, { method, headers, body }));
}

/** One simulator per test file, stopped afterwards. */
export function useSim(options: InfrahubSimOptions = {}): () => InfrahubSim {
  let sim: InfrahubSim | undefined;
  beforeAll(async () => {
    sim = await startInfrahubSim(options);
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
}

export const names = (edges: { node: { name: { value: string } } }[]) => edges.map((e) => e.node.name.value);
