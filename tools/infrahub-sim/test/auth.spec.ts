import { startInfrahubSim, type InfrahubSim } from '../src';
import { data, gql, http, TOKEN, useSim } from './helpers';

const READ_ONLY_TOKEN = 'read-only-token-for-tests';
const ACCESS_TTL_SECONDS = 0.4;
const sim = useSim({
  tokens: [TOKEN, { token: READ_ONLY_TOKEN, account: 'auditor', readOnly: true }],
  users: [
    { username: 'admin', password: 'infrahub' },
    { username: 'viewer', password: 'look-only', readOnly: true },
  ],
  accessTokenTtlSeconds: ACCESS_TTL_SECONDS,
});

const QUERY = '{ DcimDevice { count } }';
const MUTATION = 'mutation { DcimDeviceUpdate(data: {hfid: ["leaf01"], last_change_id: {value: "chg-auth"}}) { ok } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function login(username = 'admin', password = 'infrahub') {
  return http<{ access_token: string; refresh_token: string }>(sim(), 'POST', '/api/auth/login', { body: { username, password } });
}

function expectAuthError(response: { status: number; body: any }, status: number, message: string) {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ data: null, errors: [{ message, extensions: { code: status } }] });
}

describe('API token (X-INFRAHUB-KEY)', () => {
  it('reads and writes with a valid token', async () => {
    expect((await data(sim(), QUERY)).DcimDevice.count).toBe(3);
    expect((await data(sim(), MUTATION)).DcimDeviceUpdate.ok).toBe(true);
  });

  it('refuses an unknown token with 401 "Invalid token"', async () => {
    expectAuthError(await gql(sim(), QUERY, { token: 'guess' }), 401, 'Invalid token');
  });

  it('refuses a request without credentials with 401', async () => {
    expectAuthError(await gql(sim(), QUERY, { token: null }), 401, 'Authentication is required to perform this operation');
    expectAuthError(await http(sim(), 'GET', '/api/schema?branch=main'), 401, 'Authentication is required to perform this operation');
  });

  it('lets a read-only token read but answers its writes with 403', async () => {
    expect((await data(sim(), QUERY, { token: READ_ONLY_TOKEN })).DcimDevice.count).toBe(3);
    expectAuthError(await gql(sim(), MUTATION, { token: READ_ONLY_TOKEN }), 403, 'The current account is not authorized to perform this operation');
  });
});

describe('username and password (JWT)', () => {
  it('logs in and uses the access token as a Bearer token', async () => {
    const response = await login();
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['access_token', 'refresh_token']);
    expect((await data(sim(), QUERY, { bearer: response.body.access_token })).DcimDevice.count).toBe(3);
    expect((await data(sim(), MUTATION, { bearer: response.body.access_token })).DcimDeviceUpdate.ok).toBe(true);
  });

  it('refuses a wrong password (401) and an unknown user (404), as Infrahub does', async () => {
    expectAuthError(await login('admin', 'wrong'), 401, 'Incorrect password');
    expectAuthError(await login('mallory', 'x'), 404, "That login user doesn't exist in the system");
  });

  it('refuses a login body without a password (422, naming the field)', async () => {
    const response = await http(sim(), 'POST', '/api/auth/login', { body: { username: 'admin' } });
    expect(response.status).toBe(422);
    expect(response.body.detail[0].loc).toEqual(['body', 'password']);
  });

  it('answers an expired access token with 401 "Expired Signature", and refresh gives a working one', async () => {
    const { access_token, refresh_token } = (await login()).body;
    await sleep(ACCESS_TTL_SECONDS * 1000 + 150);
    expectAuthError(await gql(sim(), QUERY, { bearer: access_token }), 401, 'Expired Signature');
    const refreshed = await http<{ access_token: string }>(sim(), 'POST', '/api/auth/refresh', { headers: { authorization: `Bearer ${refresh_token}` } });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body)).toEqual(['access_token']);
    expect(refreshed.body.access_token).not.toBe(access_token);
    expect((await data(sim(), QUERY, { bearer: refreshed.body.access_token })).DcimDevice.count).toBe(3);
  });

  it('keeps access and refresh tokens apart', async () => {
    const { access_token, refresh_token } = (await login()).body;
    expectAuthError(await gql(sim(), QUERY, { bearer: refresh_token }), 401, 'Invalid token, current token is not an access token');
    const wrongKind = await http(sim(), 'POST', '/api/auth/refresh', { headers: { authorization: `Bearer ${access_token}` } });
    expectAuthError(wrongKind, 401, 'Invalid token, current token is not a refresh token');
    expectAuthError(await http(sim(), 'POST', '/api/auth/refresh'), 401, 'A refresh token is required to perform this operation.');
  });

  it('refuses a forged or foreign token as "Invalid token"', async () => {
    const { access_token } = (await login()).body;
    const [header, payload] = access_token.split('.');
    expectAuthError(await gql(sim(), QUERY, { bearer: `${header}.${payload}.forged` }), 401, 'Invalid token');
    expectAuthError(await gql(sim(), QUERY, { bearer: 'not-a-jwt' }), 401, 'Invalid token');
    const other: InfrahubSim = await startInfrahubSim();
    try {
      const foreign = await http(other, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'infrahub' } });
      expectAuthError(await gql(sim(), QUERY, { bearer: foreign.body.access_token }), 401, 'Invalid token');
    } finally {
      await other.stop();
    }
  });

  it('ends the session on logout: the refresh token stops working', async () => {
    const { access_token, refresh_token } = (await login()).body;
    expect((await http(sim(), 'POST', '/api/auth/logout', { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    const refused = await http(sim(), 'POST', '/api/auth/refresh', { headers: { authorization: `Bearer ${refresh_token}` } });
    expectAuthError(refused, 401, 'The provided refresh token has been invalidated in the database');
  });

  it('gives a read-only user reads but not writes', async () => {
    const { access_token } = (await login('viewer', 'look-only')).body;
    expect((await data(sim(), QUERY, { bearer: access_token })).DcimDevice.count).toBe(3);
    expectAuthError(await gql(sim(), MUTATION, { bearer: access_token }), 403, 'The current account is not authorized to perform this operation');
  });
});

describe('anonymous access, when allowed (Infrahub allow_anonymous_access)', () => {
  const open = useSim({ allowAnonymousRead: true });

  it('serves queries without credentials but still refuses anonymous writes', async () => {
    expect((await data(open(), QUERY, { token: null })).DcimDevice.count).toBe(3);
    expectAuthError(await gql(open(), MUTATION, { token: null }), 401, 'Authentication is required to perform this operation');
    expectAuthError(await gql(open(), QUERY, { token: 'wrong' }), 401, 'Invalid token');
  });
});
