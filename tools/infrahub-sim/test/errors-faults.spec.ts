import { data, gql, http, TOKEN, useSim } from './helpers';

const sim = useSim();
const auth = { 'x-infrahub-key': TOKEN };
const QUERY = '{ DcimDevice { count } }';

afterEach(() => {
  sim().faults.clear();
});

describe('request errors', () => {
  it('refuses a batched (JSON array) body with 400, as Infrahub does', async () => {
    const response = await http(sim(), 'POST', '/graphql', { body: [{ query: QUERY }, { query: QUERY }], headers: auth });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: ['This server does not support batching'] });
  });

  it.each([
    ['a body that is not JSON', { rawBody: '{"query": ', headers: { ...auth, 'content-type': 'application/json' } }, 'Request body is not a valid JSON'],
    ['a body that is not application/json', { rawBody: JSON.stringify({ query: QUERY }), headers: { ...auth, 'content-type': 'text/plain' } }, 'Content-type must be application/json or multipart/form-data'],
    ['a body without a query', { body: { variables: {} }, headers: auth }, 'Must provide query string.'],
    ['variables that are not an object', { body: { query: QUERY, variables: [1] }, headers: auth }, 'Variables are invalid JSON.'],
  ])('refuses %s with 400', async (_what, init, message) => {
    const response = await http(sim(), 'POST', '/graphql', init);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [message] });
  });

  it('answers GET /graphql with 405 and unknown paths with 404', async () => {
    expect((await http(sim(), 'GET', '/graphql', { headers: auth })).status).toBe(405);
    const missing = await http(sim(), 'GET', '/api/nothing-here', { headers: auth });
    expect([missing.status, missing.body]).toEqual([404, { detail: 'Not Found' }]);
  });

  it('checks credentials before the branch: a bad token on an unknown branch is 401, not 404', async () => {
    const response = await gql(sim(), QUERY, { branch: 'nope', token: 'bad' });
    expect(response.status).toBe(401);
  });
});

describe('REST endpoints the Python SDK calls', () => {
  it('serves the schema of a branch, the info and config pages, and the GraphQL SDL', async () => {
    const schema = await http(sim(), 'GET', '/api/schema?branch=main', { headers: auth });
    expect(schema.status).toBe(200);
    expect(schema.body.main).toMatch(/^[0-9a-f]{32}$/);
    const kinds = schema.body.nodes.map((n: any) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['DcimDevice', 'InterfacePhysical', 'IpamIPAddress', 'RoutingBGPSession', 'RoutingBGPPeerGroup', 'RoutingAutonomousSystem', 'SynapseChangeRecord']));
    expect(schema.body.generics.map((g: any) => g.kind)).toEqual(expect.arrayContaining(['DcimGenericDevice', 'DcimInterface', 'InterfaceLayer3']));
    const device = schema.body.nodes.find((n: any) => n.kind === 'DcimDevice');
    expect(device.human_friendly_id).toEqual(['name__value']);
    expect(device.attributes.find((a: any) => a.name === 'name')).toMatchObject({ kind: 'Text', unique: true, inherited: true });
    expect(device.relationships.find((r: any) => r.name === 'change_records')).toMatchObject({ peer: 'SynapseChangeRecord', cardinality: 'many', identifier: 'synapse_change_record__device' });

    const synapseOnly = await http(sim(), 'GET', '/api/schema?branch=main&namespaces=Synapse', { headers: auth });
    expect(synapseOnly.body.nodes.map((n: any) => n.kind)).toEqual(['SynapseChangeRecord', 'SynapseRoutingPolicy', 'SynapsePolicyStatement', 'SynapsePrefixSet', 'SynapsePrefixSetEntry']);
    // Branch support as Infrahub settles it: the record and the deployment attributes are agnostic, the record's device relationship aware.
    const record = synapseOnly.body.nodes[0];
    expect(record.branch).toBe('agnostic');
    expect(record.attributes.every((a: any) => a.branch === 'agnostic')).toBe(true);
    expect(record.relationships.find((r: any) => r.name === 'device')).toMatchObject({ branch: 'aware', on_delete: 'no-action' });
    expect(device.branch).toBe('aware');
    expect(device.attributes.filter((a: any) => a.branch === 'agnostic').map((a: any) => a.name)).toEqual(['deployment_state', 'last_change_id', 'last_config_checksum', 'last_deployed_at']);
    expect(synapseOnly.body.nodes[1].relationships.find((r: any) => r.name === 'statements')).toMatchObject({ kind: 'Component', branch: 'aware', on_delete: 'cascade' });
    const one = await http(sim(), 'GET', '/api/schema/RoutingBGPSession?branch=main', { headers: auth });
    expect(one.body.inherit_from).toEqual(['RoutingProtocol']);
    const unknown = await http(sim(), 'GET', '/api/schema/NoSuchKind', { headers: auth });
    expect([unknown.status, unknown.body.errors[0].message]).toEqual([422, 'Unable to find the schema NoSuchKind in the database.']);

    const sdl = await http(sim(), 'GET', '/schema.graphql?branch=main', { headers: auth });
    expect(sdl.text).toContain('type DcimDevice implements DcimGenericDevice');
    expect((await http(sim(), 'GET', '/api/info')).body).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect((await http(sim(), 'GET', '/api/config')).body.main.default_branch).toBe('main');
  });
});

describe('faults, set from code', () => {
  it('adds latency to every request', async () => {
    sim().faults.latency(150);
    const started = Date.now();
    await data(sim(), QUERY);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('sheds load: the next N requests get 429 with Retry-After, then service resumes', async () => {
    sim().faults.rateLimitNext(2, 7);
    for (let i = 0; i < 2; i++) {
      const response = await gql(sim(), QUERY);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(response.body.errors[0].message).toMatch(/Too many requests/);
    }
    expect((await gql(sim(), QUERY)).status).toBe(200);
  });

  it('fails the next N requests with the chosen 5xx status, then recovers', async () => {
    sim().faults.failNext(1, 502);
    const failed = await gql(sim(), QUERY);
    expect([failed.status, failed.body.errors[0].extensions.code]).toEqual([502, 502]);
    expect((await gql(sim(), QUERY)).status).toBe(200);
  });

  it('cuts the next N response bodies off mid-JSON', async () => {
    sim().faults.malformNext(1);
    const broken = await gql(sim(), QUERY);
    expect(broken.status).toBe(200);
    expect(broken.body).toBeUndefined();
    expect(() => JSON.parse(broken.text)).toThrow();
    expect(broken.text.length).toBeGreaterThan(0);
    expect((await gql(sim(), QUERY)).body.data.DcimDevice.count).toBe(3);
  });

  it('applies faults to REST calls too (login, schema)', async () => {
    sim().faults.failNext(1);
    expect((await http(sim(), 'POST', '/api/auth/login', { body: { username: 'admin', password: 'infrahub' } })).status).toBe(503);
    expect((await http(sim(), 'POST', '/api/auth/login', { body: { username: 'admin', password: 'infrahub' } })).status).toBe(200);
  });
});

describe('faults, set over HTTP (/__sim/faults)', () => {
  it('sets, reports and clears faults; the control endpoint itself is never faulted', async () => {
    const set = await http(sim(), 'POST', '/__sim/faults', { body: { rateLimit: { count: 1 }, serverErrors: { count: 1, status: 500 }, malformed: { count: 1 } } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ latencyMs: 0, rateLimit: { remaining: 1, retryAfterSeconds: 1 }, serverErrors: { remaining: 1, status: 500 }, malformed: { remaining: 1 } });
    expect((await http(sim(), 'GET', '/__sim/faults')).body.rateLimit.remaining).toBe(1);
    // Order per request: rate limit first, then server error, then a malformed body.
    expect((await gql(sim(), QUERY)).status).toBe(429);
    expect((await gql(sim(), QUERY)).status).toBe(500);
    const malformed = await gql(sim(), QUERY);
    expect([malformed.status, malformed.body]).toEqual([200, undefined]);
    expect((await gql(sim(), QUERY)).body.data.DcimDevice.count).toBe(3);

    await http(sim(), 'POST', '/__sim/faults', { body: { latencyMs: 5000 } });
    const cleared = await http(sim(), 'DELETE', '/__sim/faults');
    expect(cleared.body.latencyMs).toBe(0);
    expect((await http(sim(), 'GET', '/__sim/branches')).body.map((b: any) => b.name)).toEqual(['main']);
  });

  it('refuses a fault request it does not understand, naming the field', async () => {
    const response = await http(sim(), 'POST', '/__sim/faults', { body: { serverErrors: { count: 1, status: 404 } } });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatch(/^serverErrors\.status: /);
    const unknown = await http(sim(), 'POST', '/__sim/faults', { body: { explode: true } });
    expect(unknown.body.errors[0]).toMatch(/explode/);
  });
});
