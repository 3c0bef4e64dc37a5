/**
 * The Temporal Server's static config (persistence, services, cluster) and
 * dynamic config for one process running every service on loopback, on a
 * PostgreSQL 12+ default store and a separate PostgreSQL visibility store.
 *
 * Both files are written as JSON, which is YAML too: the server reads them
 * with its YAML parser, and no value (a generated password, a path) can
 * ever be misquoted.
 */

export const DEFAULT_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';
/** The SQL plugin for PostgreSQL 12 and later, in the server and in temporal-sql-tool. */
export const POSTGRES_PLUGIN = 'postgres12';
export const DEFAULT_HISTORY_SHARDS = 4;
/** The variable that sets the shard count of a new cluster (npm start, with-postgres-server). */
export const HISTORY_SHARDS_VARIABLE = 'SYNAPSE_TEMPORAL_HISTORY_SHARDS';

/** cluster_membership.rpc_port is a SMALLINT in the SQL schemas: the server fails to start with a larger membership port. */
export const MAX_MEMBERSHIP_PORT = 32767;

export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

export const SERVER_PORT_NAMES: readonly (keyof ServerPorts)[] = [
  'frontendGrpc',
  'frontendHttp',
  'frontendMembership',
  'historyGrpc',
  'historyMembership',
  'matchingGrpc',
  'matchingMembership',
  'workerGrpc',
  'workerMembership',
];

export interface ServerConfigInput {
  /** Where every service binds and what the others are told: loopback. */
  host: string;
  ports: ServerPorts;
  postgres: { host: string; port: number; user: string; password: string };
  numHistoryShards: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Absolute path of the dynamic config file. */
  dynamicConfigFile: string;
}

export function serverConfig(input: ServerConfigInput): Record<string, unknown> {
  validateHistoryShards(input.numHistoryShards);
  const ports = Object.values(input.ports);
  if (new Set(ports).size !== ports.length || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw new Error(`the Temporal services need ${SERVER_PORT_NAMES.length} distinct TCP ports, got ${JSON.stringify(input.ports)}`);
  }
  const unstorable = SERVER_PORT_NAMES.filter((name) => name.endsWith('Membership') && input.ports[name] > MAX_MEMBERSHIP_PORT);
  if (unstorable.length > 0) {
    throw new Error(
      `${unstorable.map((name) => `${name} ${input.ports[name]}`).join(', ')}: the SQL stores keep membership ports in a SMALLINT column, so they must be at most ${MAX_MEMBERSHIP_PORT}`,
    );
  }
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: POSTGRES_PLUGIN,
      databaseName,
      connectAddr: `${input.postgres.host}:${input.postgres.port}`,
      connectProtocol: 'tcp',
      user: input.postgres.user,
      password: input.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: input.host, ...(httpPort === undefined ? {} : { httpPort }) },
  });
  const frontend = `${input.host}:${input.ports.frontendGrpc}`;
  return {
    log: { stdout: true, level: input.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.numHistoryShards,
      datastores: {
        // Four services in one process, each with its own pools: 4 × (20 + 10) stays under max_connections=200.
        'postgres-default': sql(DEFAULT_DATABASE, 20),
        'postgres-visibility': sql(VISIBILITY_DATABASE, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: input.host },
    },
    services: {
      frontend: service(input.ports.frontendGrpc, input.ports.frontendMembership, input.ports.frontendHttp),
      history: service(input.ports.historyGrpc, input.ports.historyMembership),
      matching: service(input.ports.matchingGrpc, input.ports.matchingMembership),
      worker: service(input.ports.workerGrpc, input.ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `${input.host}:${input.ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    // The worker service (system workflows: scheduler, batcher, deployments) calls the frontend here.
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}

export function renderServerConfig(input: ServerConfigInput): string {
  return JSON.stringify(serverConfig(input), null, 2) + '\n';
}

/**
 * What differs from Temporal Server 1.32's defaults, as the CLI's dev server
 * sets it, so the tests see the same behaviour on both servers. Updates
 * (frontend.enableUpdateWorkflowExecution) and Worker Deployment versions
 * (system.enableDeploymentVersions, frontend.workerVersioningWorkflowAPIs)
 * are on by default in 1.32 and need nothing here.
 */
export const DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  // A search attribute is usable right after `operator search-attribute create`, not up to a minute later.
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  // Reading search attributes uncached costs persistence calls: the dev server raises these in proportion.
  'frontend.persistenceMaxQPS': 10000,
  'history.persistenceMaxQPS': 45000,
  // List and count calls per second (10 by default); the CLI and the tests' waits list often.
  'frontend.namespaceRPS.visibility': 100,
  // Workflows cached per host (128000 by default) sized for a laptop, as in the dev server.
  'history.hostLevelCacheMaxSize': 8096,
};

export function renderDynamicConfig(values: Readonly<Record<string, unknown>> = DYNAMIC_CONFIG): string {
  const file = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value, constraints: {} }]]));
  return JSON.stringify(file, null, 2) + '\n';
}

export function validateHistoryShards(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`the history shard count must be a whole number of at least 1, got ${count}`);
}

/** SYNAPSE_TEMPORAL_HISTORY_SHARDS, or the default for a cluster on one machine. */
export function historyShardsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[HISTORY_SHARDS_VARIABLE];
  if (raw === undefined || raw.trim() === '') return DEFAULT_HISTORY_SHARDS;
  const count = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || count < 1) throw new Error(`${HISTORY_SHARDS_VARIABLE}="${raw}" is not a whole number of at least 1`);
  return count;
}
