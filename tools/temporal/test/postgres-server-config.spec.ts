import {
  DYNAMIC_CONFIG,
  historyShardsFromEnv,
  renderDynamicConfig,
  renderServerConfig,
  type ServerConfigInput,
  type ServerPorts,
} from '../src/postgres/server-config';

/**
 * The config temporal-server 1.32 starts from with TEMPORAL_STACK=postgres
 * and with-postgres-server. The files are JSON (YAML's subset), so what the
 * server's YAML parser reads is what JSON.parse reads here.
 */
const PORTS: ServerPorts = {
  frontendGrpc: 7233,
  frontendHttp: 7243,
  frontendMembership: 26933,
  historyGrpc: 7234,
  historyMembership: 26934,
  matchingGrpc: 7235,
  matchingMembership: 26935,
  workerGrpc: 7239,
  workerMembership: 26939,
};

const INPUT: ServerConfigInput = {
  host: '127.0.0.1',
  ports: PORTS,
  postgres: { host: '127.0.0.1', port: 45432, user: 'temporal', password: 'p"a:s s\nword' },
  numHistoryShards: 4,
  logLevel: 'warn',
  dynamicConfigFile: '/data/config/dynamic-config.yaml',
};

type Rendered = {
  persistence: {
    defaultStore: string;
    visibilityStore: string;
    numHistoryShards: number;
    datastores: Record<string, { sql: Record<string, unknown> }>;
  };
  services: Record<string, { rpc: Record<string, unknown> }>;
  global: { membership: { broadcastAddress: string } };
  clusterMetadata: { currentClusterName: string; clusterInformation: Record<string, { rpcAddress: string }> };
  publicClient: { hostPort: string };
  dynamicConfigClient: { filepath: string };
};

const render = (input: Partial<ServerConfigInput> = {}) => JSON.parse(renderServerConfig({ ...INPUT, ...input })) as Rendered;

describe('the Temporal Server config for PostgreSQL', () => {
  it('keeps the default store and visibility in two PostgreSQL databases through the postgres12 plugin', () => {
    const { persistence } = render();
    const stores = persistence.datastores;
    expect(stores[persistence.defaultStore]!.sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal', connectAddr: '127.0.0.1:45432', user: 'temporal' });
    expect(stores[persistence.visibilityStore]!.sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal_visibility', connectAddr: '127.0.0.1:45432' });
    expect(persistence.defaultStore).not.toBe(persistence.visibilityStore);
  });

  it('carries a password with quotes, colons and a newline intact', () => {
    expect(render().persistence.datastores['postgres-default']!.sql.password).toBe(INPUT.postgres.password);
  });

  it('creates the cluster with the shard count asked for, and refuses one that is not a whole number of at least 1', () => {
    expect(render({ numHistoryShards: 4 }).persistence.numHistoryShards).toBe(4);
    expect(render({ numHistoryShards: 512 }).persistence.numHistoryShards).toBe(512);
    expect(() => render({ numHistoryShards: 0 })).toThrow(/shard count must be a whole number of at least 1/);
    expect(() => render({ numHistoryShards: 2.5 })).toThrow(/shard count/);
  });

  it('binds every service on loopback on its own ports, and tells the worker service and the cluster where the frontend is', () => {
    const config = render();
    expect(Object.keys(config.services).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
    expect(config.services.frontend!.rpc).toEqual({ grpcPort: 7233, membershipPort: 26933, httpPort: 7243, bindOnIP: '127.0.0.1' });
    expect(config.services.history!.rpc).toEqual({ grpcPort: 7234, membershipPort: 26934, bindOnIP: '127.0.0.1' });
    expect(config.global.membership.broadcastAddress).toBe('127.0.0.1');
    expect(config.publicClient.hostPort).toBe('127.0.0.1:7233');
    expect(config.clusterMetadata.clusterInformation[config.clusterMetadata.currentClusterName]!.rpcAddress).toBe('127.0.0.1:7233');
    expect(config.dynamicConfigClient.filepath).toBe('/data/config/dynamic-config.yaml');
  });

  it('refuses a membership port above 32767 (a SMALLINT in the SQL schema) and two services on one port', () => {
    expect(() => render({ ports: { ...PORTS, historyMembership: 40000 } })).toThrow(/historyMembership 40000: .*SMALLINT.*at most 32767/);
    // gRPC ports are not stored: any port will do.
    expect(render({ ports: { ...PORTS, historyGrpc: 40000 } }).services.history!.rpc.grpcPort).toBe(40000);
    expect(() => render({ ports: { ...PORTS, matchingGrpc: 7234 } })).toThrow(/distinct TCP ports/);
  });
});

describe('the dynamic config', () => {
  it('is the dev server’s: search attributes usable at once, visibility calls not throttled at 10/s', () => {
    const file = JSON.parse(renderDynamicConfig()) as Record<string, Array<{ value: unknown; constraints: object }>>;
    expect(file['system.forceSearchAttributesCacheRefreshOnRead']).toEqual([{ value: true, constraints: {} }]);
    expect(file['frontend.namespaceRPS.visibility']).toEqual([{ value: 100, constraints: {} }]);
    expect(Object.keys(file).sort()).toEqual(Object.keys(DYNAMIC_CONFIG).sort());
  });
});

describe('SYNAPSE_TEMPORAL_HISTORY_SHARDS', () => {
  it('defaults to 4 and takes a whole number of at least 1', () => {
    expect(historyShardsFromEnv({})).toBe(4);
    expect(historyShardsFromEnv({ SYNAPSE_TEMPORAL_HISTORY_SHARDS: '' })).toBe(4);
    expect(historyShardsFromEnv({ SYNAPSE_TEMPORAL_HISTORY_SHARDS: '16' })).toBe(16);
    for (const bad of ['0', '-4', '4.5', 'four', '1e3']) {
      expect(() => historyShardsFromEnv({ SYNAPSE_TEMPORAL_HISTORY_SHARDS: bad })).toThrow(`SYNAPSE_TEMPORAL_HISTORY_SHARDS="${bad}" is not a whole number of at least 1`);
    }
  });
});
