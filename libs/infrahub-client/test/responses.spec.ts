import { failure, testClient } from './helpers';
import { data, json, startScriptedServer, text, type ScriptedServer } from './scripted-server';

/**
 * How answers are read: endpoints per branch, GraphQL errors, unknown
 * branches, bodies that are not JSON or not the expected shape. The
 * simulator produces most of these too (test/sim); here the exact bytes are
 * under the test's control.
 */
describe('reading answers (scripted server)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());

  const client = () => testClient({ address: server.address, apiToken: 'token-abcdef' });
  const noDevices = data({ DcimDevice: { count: 0, edges: [] } });

  it('addresses /graphql without a branch and /graphql/<encoded> with one', async () => {
    server.script(noDevices);
    const c = client();
    try {
      await c.listDevices();
      await c.listDevices({ branch: 'main' });
      await c.listDevices({ branch: 'feature/bgp-2' });
      expect(server.requests.map((r) => r.path)).toEqual(['/graphql', '/graphql/main', '/graphql/feature%2Fbgp-2']);
    } finally {
      c.close();
    }
  });

  it('addresses a configured default branch by name', async () => {
    server.script(noDevices);
    const c = testClient({ address: server.address, apiToken: 'token-abcdef', defaultBranch: 'staging' });
    try {
      await c.listDevices();
      expect(server.requests[0]!.path).toBe('/graphql/staging');
    } finally {
      c.close();
    }
  });

  it('turns GraphQL errors in a 200 into a non-retryable InfrahubQueryFailed with the messages', async () => {
    server.script(
      json(200, {
        data: null,
        errors: [
          { message: "Cannot query field 'deployment_state' on type 'DcimDevice'.", locations: [{ line: 9, column: 7 }] },
          { message: 'second problem', path: ['DcimDevice', 'edges', 0] },
        ],
      }),
    );
    const c = client();
    try {
      const err = await failure(c.getDevice('leaf01'));
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('Infrahub getDevice (query DeviceDetail) on branch "main"');
      expect(err.message).toContain("Cannot query field 'deployment_state' on type 'DcimDevice'.; second problem (at DcimDevice.edges.0)");
      expect(server.requests).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it('names the branch when Infrahub says it does not exist (400 "Branch: x not found.")', async () => {
    server.script(json(400, { data: null, errors: [{ message: 'Branch: change-404 not found.', extensions: { code: 400 } }] }));
    const c = client();
    try {
      const err = await failure(c.getDevice('leaf01', { branch: 'change-404' }));
      expect(err.type).toBe('BranchNotFound');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/branch "change-404" does not exist/);
      expect(err.details).toMatchObject({ branch: 'change-404', status: 400 });
    } finally {
      c.close();
    }
  });

  it('names the branch on a bare 404 of a branch endpoint', async () => {
    server.script(text(404, 'Not Found'));
    const c = client();
    try {
      const err = await failure(c.listDevices({ branch: 'gone' }));
      expect(err.type).toBe('BranchNotFound');
      expect(err.message).toContain('branch "gone" does not exist');
    } finally {
      c.close();
    }
  });

  it('explains a 404 on /graphql itself as a wrong address', async () => {
    server.script(text(404, 'Not Found'));
    const c = client();
    try {
      const err = await failure(c.listDevices());
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.message).toMatch(/no GraphQL endpoint here .*INFRAHUB_ADDRESS/);
    } finally {
      c.close();
    }
  });

  it('retries a read whose answer is not JSON, then reports it with its start', async () => {
    server.script(text(200, '<html><body>Welcome to nginx</body></html>'));
    const c = client();
    try {
      const err = await failure(c.listDevices());
      expect(err.type).toBe('InfrahubUnavailable');
      expect(err.message).toMatch(/ListDevices.*\(HTTP 200, text\/html\) were not valid JSON after 4 attempts: "<html><body>Welcome to nginx/);
      expect(server.requests).toHaveLength(4);
    } finally {
      c.close();
    }
  });

  it('recovers when only the first answer was cut off', async () => {
    server.script(text(200, '{"data": {"DcimDevice": {"cou'), noDevices);
    const c = client();
    try {
      await expect(c.listDevices()).resolves.toEqual([]);
      expect(server.requests).toHaveLength(2);
    } finally {
      c.close();
    }
  });

  it('names the query and the field when the answer has another shape', async () => {
    server.script(
      data({
        DcimDevice: {
          count: 1,
          edges: [
            {
              node: {
                id: 'd1',
                name: { value: 'leaf01' },
                description: { value: null },
                status: { value: 'active' },
                role: { value: 'leaf' },
                deployment_state: { value: 'pending' },
                last_change_id: { value: null },
                last_config_checksum: { value: null },
                last_deployed_at: { value: null },
                platform: { node: { name: { value: 'srlinux' } } },
                asn: { node: { asn: { value: '65001' } } },
              },
            },
          ],
        },
      }),
    );
    const c = client();
    try {
      const err = await failure(c.listDevices());
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.message).toContain('Infrahub listDevices (query ListDevices)');
      expect(err.message).toMatch(/unexpected response shape: data\.DcimDevice\.edges\.0\.node\.asn\.node\.asn\.value: .*number/i);
      expect(err.details).toMatchObject({ fields: ['data.DcimDevice.edges.0.node.asn.node.asn.value'] });
    } finally {
      c.close();
    }
  });

  it('refuses an answer with neither data nor errors', async () => {
    server.script(json(200, {}));
    const c = client();
    try {
      const err = await failure(c.branchExists('main'));
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.message).toMatch(/BranchByName.*data: missing/);
    } finally {
      c.close();
    }
  });

  it('reports other 4xx answers with the server text', async () => {
    server.script(json(400, { errors: ['Batched requests are not supported'] }));
    const c = client();
    try {
      const err = await failure(c.listDevices());
      expect(err.type).toBe('InfrahubQueryFailed');
      expect(err.message).toMatch(/request refused \(HTTP 400\): Batched requests are not supported/);
    } finally {
      c.close();
    }
  });

  it('reads every page until the count is reached', async () => {
    const device = (i: number) => ({
      id: `d${i}`,
      name: { value: `leaf${String(i).padStart(2, '0')}` },
      description: { value: null },
      status: { value: 'active' },
      role: { value: 'leaf' },
      deployment_state: { value: null },
      last_change_id: { value: null },
      last_config_checksum: { value: null },
      last_deployed_at: { value: null },
      platform: null,
      asn: null,
    });
    server.script((req, res) => {
      const { offset, limit } = (req.json as { variables: { offset: number; limit: number } }).variables;
      const edges = Array.from({ length: Math.max(0, Math.min(limit, 7 - offset)) }, (_, i) => ({ node: device(offset + i) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { DcimDevice: { count: 7, edges } } }));
    });
    const c = client();
    try {
      const devices = await c.listDevices({ pageSize: 3 });
      expect(devices.map((d) => d.name)).toEqual(['leaf00', 'leaf01', 'leaf02', 'leaf03', 'leaf04', 'leaf05', 'leaf06']);
      expect(server.requests.map((r) => (r.json as { variables: { offset: number } }).variables.offset)).toEqual([0, 3, 6]);
    } finally {
      c.close();
    }
  });

  it('refuses bad arguments before sending anything', async () => {
    server.script(noDevices);
    const c = client();
    try {
      expect((await failure(c.getDevice('leaf 01'))).type).toBe('InvalidInput');
      expect((await failure(c.listDevices({ pageSize: 0 }))).message).toMatch(/pageSize/);
      expect((await failure(c.getDevice('leaf01', { branch: 'has space' }))).message).toMatch(/branch/);
      expect((await failure(c.setDeploymentState({ device: 'leaf01', state: 'done' as never, changeId: 'c1' }))).message).toMatch(/state/);
      expect(server.requests).toHaveLength(0);
    } finally {
      c.close();
    }
  });
});
