import type { IncomingMessage, ServerResponse } from 'node:http';
import { printSchema, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import type { AuthService, Credentials } from '../auth/auth-service';
import { DEFAULT_BRANCH, type SimStore } from '../data/sim-store';
import { InfrahubError } from '../errors';
import { FaultRequest, type Faults } from '../faults';
import { SIMULATED_INFRAHUB_VERSION } from '../graphql/branch-types';
import { kindApiResponse, schemaApiResponse } from '../schema/schema-api';
import { handleGraphql } from './graphql-endpoint';
import { BodyTooLargeError, readBody } from './read-body';
import { errorEnvelope, sendJson, sendText } from './respond';

export interface RouterDeps {
  schema: GraphQLSchema;
  store: SimStore;
  auth: AuthService;
  faults: Faults;
  deploymentId: string;
  allowAnonymousRead: boolean;
}

/** Where the test-only control interface lives; never subject to faults or auth. */
export const CONTROL_PREFIX = '/__sim/';

const LoginBody = z.object({ username: z.string(), password: z.string() });

function credentials(req: IncomingMessage): Credentials {
  const apiKey = req.headers['x-infrahub-key'];
  const authorization = req.headers.authorization;
  const bearer = typeof authorization === 'string' && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined;
  return { apiKey: typeof apiKey === 'string' ? apiKey : undefined, bearer: bearer || undefined };
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InfrahubError('JSON decode error', 422);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, deps: RouterDeps): Promise<void> {
  if (path === '/__sim/faults') {
    if (req.method === 'GET') return sendJson(res, 200, deps.faults.snapshot());
    if (req.method === 'DELETE') return sendJson(res, 200, deps.faults.clear());
    if (req.method === 'POST') {
      const parsed = FaultRequest.safeParse(await jsonBody(req).catch(() => null));
      if (!parsed.success) return sendJson(res, 400, { errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) });
      return sendJson(res, 200, deps.faults.set(parsed.data));
    }
    return sendJson(res, 405, { detail: 'Method Not Allowed' });
  }
  if (path === '/__sim/branches' && req.method === 'GET') return sendJson(res, 200, deps.store.branches());
  return sendJson(res, 404, { detail: 'Not Found' });
}

async function route(req: IncomingMessage, res: ServerResponse, deps: RouterDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  if (path.startsWith(CONTROL_PREFIX)) return handleControl(req, res, path, deps);

  const { faults } = deps;
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  const retryAfter = faults.takeRateLimit();
  if (retryAfter !== undefined) return sendJson(res, 429, errorEnvelope('Too many requests, retry later', 429), undefined, { 'retry-after': String(retryAfter) });
  const failure = faults.takeServerError();
  if (failure !== undefined) return sendJson(res, failure, errorEnvelope('Service unavailable (injected fault)', failure));

  if (path === '/graphql' || path.startsWith('/graphql/')) {
    const account = deps.auth.authenticate(credentials(req));
    const branch = path === '/graphql' ? DEFAULT_BRANCH : decodeURIComponent(path.slice('/graphql/'.length));
    // Infrahub's time travel: `?at=<timestamp>` reads the branch as it was then.
    return handleGraphql(req, res, deps, account, branch, url.searchParams.get('at') ?? undefined);
  }
  if (path === '/api/auth/login') {
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, faults);
    const body = LoginBody.safeParse(await jsonBody(req));
    if (!body.success) {
      return sendJson(res, 422, { detail: body.error.issues.map((i) => ({ type: 'missing', loc: ['body', ...i.path.map(String)], msg: i.message })) }, faults);
    }
    return sendJson(res, 200, deps.auth.login(body.data.username, body.data.password), faults);
  }
  if (path === '/api/auth/refresh') {
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, faults);
    return sendJson(res, 200, deps.auth.refresh(credentials(req).bearer), faults);
  }
  if (path === '/api/auth/logout') {
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' }, faults);
    deps.auth.logout(credentials(req));
    return sendJson(res, 200, null, faults);
  }
  if (req.method !== 'GET') return sendJson(res, 405, { detail: 'Method Not Allowed' }, faults);

  if (path === '/api/config') {
    return sendJson(res, 200, { main: { default_branch: DEFAULT_BRANCH, allow_anonymous_access: deps.allowAnonymousRead }, experimental_features: {}, sso: { providers: [], enabled: false } }, faults);
  }
  if (path === '/api/info') return sendJson(res, 200, { deployment_id: deps.deploymentId, version: SIMULATED_INFRAHUB_VERSION }, faults);

  // The remaining routes read data: the same rules as a GraphQL query.
  deps.auth.authorize(deps.auth.authenticate(credentials(req)), false);
  const branchName = url.searchParams.get('branch') ?? DEFAULT_BRANCH;
  if (path === '/api/schema' || path === '/api/schema/' || path.startsWith('/api/schema/') || path === '/schema.graphql') {
    deps.store.branchOrFail(branchName);
    if (path === '/schema.graphql') return sendText(res, 200, printSchema(deps.schema));
    if (path === '/api/schema' || path === '/api/schema/') return sendJson(res, 200, schemaApiResponse(deps.store.model, url.searchParams.getAll('namespaces')), faults);
    const kind = decodeURIComponent(path.slice('/api/schema/'.length));
    const schema = kindApiResponse(deps.store.model, kind);
    if (!schema) throw new InfrahubError(`Unable to find the schema ${kind} in the database.`, 422);
    return sendJson(res, 200, schema, faults);
  }
  return sendJson(res, 404, { detail: 'Not Found' }, faults);
}

/** The simulator's request handler: Infrahub's errors as Infrahub shapes them, anything else a 500. */
export function createRequestHandler(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res, deps).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof InfrahubError) return sendJson(res, error.httpCode, errorEnvelope(error.message, error.httpCode), deps.faults);
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { errors: [error.message] });
      sendJson(res, 500, errorEnvelope(`simulator error: ${(error as Error).message}`, 500));
    });
  };
}
