import type { ServerResponse } from 'node:http';
import { everythingIn, failure, recordingLogger, testClient } from './helpers';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from './scripted-server';

/**
 * Username/password sessions against a scripted server that plays Infrahub's
 * auth endpoints with switches the simulator lacks: a refresh endpoint that
 * fails with 5xx, a login that fails, and exact counts of each call.
 * The simulator-backed scenarios (test/sim) cover the real expiry path.
 */

const USER = 'automation';
const PASSWORD = 'pw-9d2f-very-secret';

interface AuthServerState {
  issued: number;
  logins: number;
  refreshes: number;
  validAccess: Set<string>;
  validRefresh: Set<string>;
  /** Status the refresh endpoint answers with instead of working. */
  refreshFailure?: number;
  /** Status the login endpoint answers with instead of working. */
  loginFailure?: number;
}

function authServer(state: AuthServerState) {
  const send = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return (req: RecordedRequest, res: ServerResponse) => {
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (req.path === '/api/auth/login') {
      state.logins++;
      if (state.loginFailure) return send(res, state.loginFailure, { errors: [{ message: 'Incorrect username or password', extensions: { code: 401 } }] });
      const body = req.json as { username?: string; password?: string };
      if (body.username !== USER || body.password !== PASSWORD) return send(res, 401, { errors: [{ message: 'Incorrect username or password' }] });
      const n = ++state.issued;
      state.validAccess.add(`access-${n}`);
      state.validRefresh.add(`refresh-${n}`);
      return send(res, 200, { access_token: `access-${n}`, refresh_token: `refresh-${n}` });
    }
    if (req.path === '/api/auth/refresh') {
      state.refreshes++;
      if (state.refreshFailure) return send(res, state.refreshFailure, { errors: [{ message: 'refresh broken' }] });
      if (!state.validRefresh.has(bearer)) return send(res, 401, { errors: [{ message: 'Expired Signature', extensions: { code: 401 } }] });
      const n = ++state.issued;
      state.validAccess.add(`access-${n}`);
      return send(res, 200, { access_token: `access-${n}` });
    }
    if (!state.validAccess.has(bearer)) return send(res, 401, { errors: [{ message: 'Expired Signature', extensions: { code: 401 } }] });
    return send(res, 200, { data: { DcimDevice: { count: 0, edges: [] } } });
  };
}

describe('username/password sessions (scripted server)', () => {
  let server: ScriptedServer;
  let state: AuthServerState;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    state = { issued: 0, logins: 0, refreshes: 0, validAccess: new Set(), validRefresh: new Set() };
    server.script(authServer(state));
  });

  it('logs in once and sends the access token as a bearer token', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD });
    try {
      await client.listDevices();
      await client.listDevices();
      expect(state.logins).toBe(1);
      const graphql = server.requests.filter((r) => r.path === '/graphql');
      expect(graphql.map((r) => r.headers.authorization)).toEqual(['Bearer access-1', 'Bearer access-1']);
      expect(graphql[0]!.headers['x-infrahub-key']).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('refreshes an expired access token and replays the request once', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD });
    try {
      await client.listDevices();
      state.validAccess.clear(); // every access token expires
      await client.listDevices();
      expect(state.refreshes).toBe(1);
      expect(state.logins).toBe(1);
      const refresh = server.requests.find((r) => r.path === '/api/auth/refresh')!;
      expect(refresh.headers.authorization).toBe('Bearer refresh-1');
      expect(server.requests.filter((r) => r.path === '/graphql').at(-1)!.headers.authorization).toBe('Bearer access-2');
    } finally {
      client.close();
    }
  });

  it('logs in again when the refresh token is refused too', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD });
    try {
      await client.listDevices();
      state.validAccess.clear();
      state.validRefresh.clear();
      await client.listDevices();
      expect(state.refreshes).toBe(1);
      expect(state.logins).toBe(2);
      expect(server.requests.filter((r) => r.path === '/graphql').at(-1)!.headers.authorization).toBe('Bearer access-2');
    } finally {
      client.close();
    }
  });

  it('renews once for a burst of concurrent requests that all hit expiry', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD });
    try {
      await client.listDevices();
      state.validAccess.clear();
      await Promise.all(Array.from({ length: 6 }, () => client.listDevices()));
      expect(state.refreshes).toBe(1);
      expect(state.logins).toBe(1);
    } finally {
      client.close();
    }
  });

  it('replays only once: a token refused right after renewal is AuthFailed', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD });
    try {
      await client.listDevices();
      // The server now refuses every access token, fresh ones included.
      const add = state.validAccess.add.bind(state.validAccess);
      state.validAccess.clear();
      state.validAccess.add = () => state.validAccess;
      const err = await failure(client.listDevices());
      state.validAccess.add = add;
      expect(err.type).toBe('AuthFailed');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/credentials refused \(HTTP 401, auth mode password\): Expired Signature/);
      expect(server.requests.filter((r) => r.path === '/graphql')).toHaveLength(3);
    } finally {
      client.close();
    }
  });

  it('reports a refused login as AuthFailed naming the user, never the password', async () => {
    const logger = recordingLogger();
    const client = testClient({ address: server.address, username: USER, password: `${PASSWORD}-wrong`, logger });
    try {
      const err = await failure(client.getDevice('leaf01'));
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/login as "automation" was refused \(HTTP 401\): Incorrect username or password/);
      expect(err.details).toMatchObject({ operation: 'login', endpoint: '/api/auth/login', status: 401 });
      expect(everythingIn(err)).not.toContain(PASSWORD);
      expect(logger.lines.join('\n')).not.toContain(PASSWORD);
      expect(server.requests.filter((r) => r.path === '/graphql')).toHaveLength(0);
    } finally {
      client.close();
    }
  });

  it('retries a login through 5xx and then fails with InfrahubUnavailable, not AuthFailed', async () => {
    state.loginFailure = 503;
    const client = testClient({ address: server.address, username: USER, password: PASSWORD, retry: { maxAttempts: 3 } });
    try {
      const err = await failure(client.listDevices());
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ operation: 'login', attempts: 3 });
      expect(state.logins).toBe(3);
      expect(everythingIn(err)).not.toContain(PASSWORD);
    } finally {
      client.close();
    }
  });

  it('surfaces a refresh endpoint that is down as InfrahubUnavailable (retryable)', async () => {
    const client = testClient({ address: server.address, username: USER, password: PASSWORD, retry: { maxAttempts: 2 } });
    try {
      await client.listDevices();
      state.validAccess.clear();
      state.refreshFailure = 502;
      const err = await failure(client.listDevices());
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.details).toMatchObject({ operation: 'refresh', status: 502 });
      expect(everythingIn(err)).not.toContain('refresh-1');
    } finally {
      client.close();
    }
  });
});

describe('API token and anonymous access (scripted server)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());

  it('maps 401 to AuthFailed without a replay, since a token cannot be renewed', async () => {
    server.script((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Invalid token' }] })));
    const client = testClient({ address: server.address, apiToken: 'bad-token-0000' });
    try {
      const err = await failure(client.listDevices());
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/credentials refused \(HTTP 401, auth mode token\): Invalid token/);
      expect(server.requests).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('maps 403 to AuthFailed with the server message', async () => {
    server.script((_req, res) =>
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'You do not have one of the following permissions: global:edit_default_branch:allow_all' }] })),
    );
    const client = testClient({ address: server.address, apiToken: 'read-only-token' });
    try {
      const err = await failure(client.setDeploymentState({ device: 'leaf01', state: 'deployed', changeId: 'c1' }));
      expect(err.type).toBe('AuthFailed');
      expect(err.message).toMatch(/permission denied \(HTTP 403, auth mode token\): You do not have one of the following permissions/);
    } finally {
      client.close();
    }
  });

  it('sends no credentials when none are configured', async () => {
    server.script((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { DcimDevice: { count: 0, edges: [] } } })));
    const client = testClient({ address: server.address });
    try {
      await client.listDevices();
      expect(client.authMode).toBe('none');
      expect(server.requests[0]!.headers.authorization).toBeUndefined();
      expect(server.requests[0]!.headers['x-infrahub-key']).toBeUndefined();
    } finally {
      client.close();
    }
  });
});
