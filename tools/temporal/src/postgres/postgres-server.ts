import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from '@temporalio/client';
import { findFreePort, isPortFree, LOOPBACK } from '../free-port';
import { ManagedChild, type ChildExit } from '../managed-child';
import { lastLines, runCommand } from '../run-command';
import { ensureSearchAttributesRegistered, PROJECT_SEARCH_ATTRIBUTES, type SearchAttributeDefinition } from '../search-attributes';
import { resolveTemporalCli } from '../temporal-cli';
import { connectWhenTemporalReady } from '../temporal-readiness';
import { TEMPORAL_DATA_DIR } from '../workspace-paths';
import { startPostgres, type PostgresInstance } from './postgres-instance';
import { resolveTemporalServerBinaries, type ServerBinaries } from './server-binaries';
import {
  DEFAULT_DATABASE,
  DEFAULT_HISTORY_SHARDS,
  MAX_MEMBERSHIP_PORT,
  POSTGRES_PLUGIN,
  renderDynamicConfig,
  renderServerConfig,
  SERVER_PORT_NAMES,
  validateHistoryShards,
  VISIBILITY_DATABASE,
  type ServerPorts,
} from './server-config';

export interface PostgresServerOptions {
  /**
   * Everything of this cluster (PostgreSQL's data, the generated password,
   * config, logs) lives here and persists from one start to the next.
   * Omitted: a throwaway directory under .data/temporal/ that stop() removes.
   */
  home?: string;
  /** Frontend gRPC port; a free loopback port when omitted. */
  port?: number;
  namespace?: string;
  /**
   * Fixed when the cluster is created; a persistent home keeps the count it
   * was created with, and asking for another one is an error.
   */
  numHistoryShards?: number;
  /** How long closed workflows stay visible in the namespace (set when it is created). */
  retention?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The environment binaries are looked up in and the server runs with (default: ours). */
  env?: NodeJS.ProcessEnv;
  /** The temporal CLI, which creates the namespace and search attributes. */
  cliPath?: string;
  /** Build the server with Go when it is not found (default true). */
  buildIfMissing?: boolean;
  searchAttributes?: readonly SearchAttributeDefinition[];
  /** For the frontend to answer and the namespace to be served; default 120 s. */
  readyTimeoutMs?: number;
  /** Progress for a person (the first build takes minutes). */
  log?: (line: string) => void;
}

export interface PostgresTemporalServer {
  /** host:port for Connection/NativeConnection and TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  home: string;
  postgresPort: number;
  numHistoryShards: number;
  binaries: ServerBinaries;
  serverLog: string;
  postgresLog: string;
  pid: number;
  /** Resolves when the Temporal server or PostgreSQL ends — on stop(), or on its own. */
  exited: Promise<ChildExit & { which: 'temporal-server' | 'postgres' }>;
  /**
   * Stops the server, then PostgreSQL, and removes a throwaway home — after
   * copying the two logs to keepLogsIn, when given (a failed test run).
   */
  stop(options?: { keepLogsIn?: string }): Promise<void>;
}

export interface HomeLayout {
  pgdata: string;
  /** The PostgreSQL superuser's password, generated at initdb (mode 600). */
  passwordFile: string;
  /** What the cluster was created with (the shard count cannot change). */
  clusterFile: string;
  /** Ports of the last start, reused when free so membership records stay valid. */
  portsFile: string;
  serverConfig: string;
  dynamicConfig: string;
  serverLog: string;
  postgresLog: string;
}

export function homeLayout(home: string): HomeLayout {
  return {
    pgdata: path.join(home, 'pgdata'),
    passwordFile: path.join(home, 'postgres-password'),
    clusterFile: path.join(home, 'cluster.json'),
    portsFile: path.join(home, 'ports.json'),
    serverConfig: path.join(home, 'config', 'temporal-server.yaml'),
    dynamicConfig: path.join(home, 'config', 'dynamic-config.yaml'),
    serverLog: path.join(home, 'temporal-server.log'),
    postgresLog: path.join(home, 'postgres.log'),
  };
}

const POSTGRES_USER = 'temporal';
const DEFAULT_NAMESPACE = 'default';
const THROWAWAY_PREFIX = 'postgres-test-';
const MEMBERSHIP_PORT_LIMIT = MAX_MEMBERSHIP_PORT + 1;
/** Above the well-known and most registered service ports. */
const MEMBERSHIP_PORT_FLOOR = 20000;
/** Variables the server reads as flags; one left in the environment would clash with --config-file. */
const SERVER_FLAG_VARIABLES = [
  'TEMPORAL_ROOT',
  'TEMPORAL_CONFIG_DIR',
  'TEMPORAL_ENVIRONMENT',
  'TEMPORAL_AVAILABILITY_ZONE',
  'TEMPORAL_AVAILABILTY_ZONE',
  'TEMPORAL_SERVER_CONFIG_FILE_PATH',
  'TEMPORAL_SERVICES',
];

/**
 * Where throwaway clusters go: the data directory, except as root. There
 * PostgreSQL runs as the postgres user, who must be able to reach pgdata,
 * and a checkout often sits under a directory only root may enter (`mktemp
 * -d`, /root): the system's temporary directory is searchable by everyone.
 */
function throwawayParent(): string {
  return process.getuid?.() === 0 ? path.join(os.tmpdir(), 'synapse-temporal') : TEMPORAL_DATA_DIR;
}

/**
 * Temporal Server (the Go build of TEMPORAL_SERVER_VERSION, all four
 * services in one process) on a PostgreSQL cluster of its own: PostgreSQL
 * first, its two databases and schemas, then the server, then the namespace
 * and the project's search attributes — resolved once all of that is served.
 */
export async function startPostgresTemporalServer(options: PostgresServerOptions = {}): Promise<PostgresTemporalServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const searchAttributes = options.searchAttributes ?? PROJECT_SEARCH_ATTRIBUTES;

  const binaries = await resolveTemporalServerBinaries({ env, buildIfMissing: options.buildIfMissing ?? true, log });
  const cliPath = options.cliPath ?? (await resolveTemporalCli({ env, obtainIfMissing: true })).path;

  const isThrowaway = options.home === undefined;
  const throwawayRoot = throwawayParent();
  if (isThrowaway) removeAbandonedThrowaways(throwawayRoot);
  const home = options.home ?? path.join(throwawayRoot, `${THROWAWAY_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const layout = homeLayout(home);
  // Searchable by all: as root, PostgreSQL runs as the postgres user and must reach pgdata.
  fs.mkdirSync(path.join(home, 'config'), { recursive: true, mode: 0o755 });
  const removeThrowaway = () => {
    if (isThrowaway) fs.rmSync(home, { recursive: true, force: true });
  };

  let postgres: PostgresInstance | undefined;
  let server: ManagedChild | undefined;
  try {
    const numHistoryShards = historyShardsFor(layout, options.numHistoryShards);
    const password = passwordFor(layout);
    const ports = await choosePorts(layout, options.port, !isThrowaway);

    postgres = await startPostgres({
      dataDir: layout.pgdata,
      port: ports.postgres,
      user: POSTGRES_USER,
      password,
      durable: !isThrowaway,
      env,
      logFile: layout.postgresLog,
    });
    await setUpSchemas(binaries, ports.postgres, password, postgres.createdNow, env);
    fs.writeFileSync(layout.clusterFile, JSON.stringify({ numHistoryShards, serverVersion: binaries.server.version }, null, 2) + '\n');

    fs.writeFileSync(layout.dynamicConfig, renderDynamicConfig());
    // It holds the database password.
    fs.writeFileSync(
      layout.serverConfig,
      renderServerConfig({
        host: LOOPBACK,
        ports: ports.temporal,
        postgres: { host: LOOPBACK, port: ports.postgres, user: POSTGRES_USER, password },
        numHistoryShards,
        logLevel: options.logLevel ?? 'warn',
        dynamicConfigFile: layout.dynamicConfig,
      }),
      { mode: 0o600 },
    );
    fs.chmodSync(layout.serverConfig, 0o600);

    const serverEnv: NodeJS.ProcessEnv = { ...env };
    for (const name of SERVER_FLAG_VARIABLES) delete serverEnv[name];
    const started = await ManagedChild.start({
      command: binaries.server.path,
      args: ['--config-file', layout.serverConfig, '--allow-no-auth', 'start'],
      env: serverEnv,
      cwd: home,
      logFile: layout.serverLog,
      stopTimeoutMs: 20_000,
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`could not run ${binaries.server.path} (${error.code ?? error.message})`);
    });
    server = started;

    const address = `${LOOPBACK}:${ports.temporal.frontendGrpc}`;
    const db = postgres;
    const giveUpReason = () => {
      if (started.hasExited) return `temporal-server exited before it was ready (log: ${layout.serverLog}). Its last output:\n${started.recentOutput()}`;
      if (db.hasExited()) return `PostgreSQL exited while Temporal was starting. Its last output:\n${db.recentOutput()}`;
      return undefined;
    };
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const frontend = await connectWhenTemporalReady({ address, namespace, timeoutMs, giveUpReason, probe: 'frontend' });
    await frontend.close();
    await ensureNamespace(cliPath, address, namespace, options.retention ?? '24h');
    const connection = await connectWhenTemporalReady({ address, namespace, timeoutMs, giveUpReason });
    try {
      await registerSearchAttributes(connection, cliPath, address, namespace, searchAttributes, home);
    } finally {
      await connection.close();
    }

    const serverExit = started.exited.then((exit) => ({ ...exit, which: 'temporal-server' as const }));
    const postgresExit = db.exited.then((exit) => ({ ...exit, which: 'postgres' as const }));
    return {
      address,
      namespace,
      home,
      postgresPort: ports.postgres,
      numHistoryShards,
      binaries,
      serverLog: layout.serverLog,
      postgresLog: layout.postgresLog,
      pid: started.pid,
      exited: Promise.race([serverExit, postgresExit]),
      async stop(stopOptions = {}) {
        // The server first: it flushes to the database on the way out.
        await started.stop();
        await db.stop();
        if (stopOptions.keepLogsIn) {
          fs.mkdirSync(stopOptions.keepLogsIn, { recursive: true });
          for (const file of [layout.serverLog, layout.postgresLog]) {
            if (fs.existsSync(file)) fs.copyFileSync(file, path.join(stopOptions.keepLogsIn, path.basename(file)));
          }
        }
        removeThrowaway();
      },
    };
  } catch (error) {
    await server?.stop();
    await postgres?.stop();
    removeThrowaway();
    throw error;
  }
}

function historyShardsFor(layout: HomeLayout, requested: number | undefined): number {
  const recorded = readJson<{ numHistoryShards?: number }>(layout.clusterFile)?.numHistoryShards;
  const clusterExists = fs.existsSync(path.join(layout.pgdata, 'PG_VERSION'));
  if (clusterExists && recorded !== undefined) {
    if (requested !== undefined && requested !== recorded) {
      throw new Error(
        `this Temporal cluster (${layout.pgdata}) was created with ${recorded} history shards; the count is fixed when a cluster is created, ` +
          `so it cannot become ${requested}. Keep ${recorded}, or start from an empty cluster (\`npm start -- --fresh\` removes it with its workflows).`,
      );
    }
    return recorded;
  }
  const count = requested ?? DEFAULT_HISTORY_SHARDS;
  validateHistoryShards(count);
  return count;
}

function passwordFor(layout: HomeLayout): string {
  if (fs.existsSync(layout.passwordFile)) return fs.readFileSync(layout.passwordFile, 'utf8').trim();
  if (fs.existsSync(path.join(layout.pgdata, 'PG_VERSION'))) {
    throw new Error(`${layout.passwordFile} is missing, so the PostgreSQL cluster in ${layout.pgdata} cannot be logged into. Restore the file, or remove ${path.dirname(layout.pgdata)} to start over.`);
  }
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(layout.passwordFile, `${password}\n`, { mode: 0o600 });
  return password;
}

interface ChosenPorts {
  postgres: number;
  temporal: ServerPorts;
}

/**
 * A free loopback port for PostgreSQL and each service. A persistent home
 * reuses the last start's ports where they are free: the server records its
 * members' addresses in the database and looks for them again at start.
 */
async function choosePorts(layout: HomeLayout, frontendPort: number | undefined, reuse: boolean): Promise<ChosenPorts> {
  const previous = reuse ? readJson<Partial<ChosenPorts>>(layout.portsFile) : undefined;
  const taken = new Set<number>();
  const pick = async (wanted: number | undefined, below?: number): Promise<number> => {
    if (wanted !== undefined && (below === undefined || wanted < below) && !taken.has(wanted) && (await isPortFree(wanted))) {
      taken.add(wanted);
      return wanted;
    }
    for (let attempt = 0; ; attempt++) {
      const port = below === undefined ? await findFreePort() : MEMBERSHIP_PORT_FLOOR + Math.floor(Math.random() * (below - MEMBERSHIP_PORT_FLOOR));
      if (!taken.has(port) && (below === undefined || (await isPortFree(port)))) {
        taken.add(port);
        return port;
      }
      if (attempt > 500) throw new Error(`no free loopback port below ${below} for Temporal's membership`);
    }
  };
  if (frontendPort !== undefined) {
    if (!(await isPortFree(frontendPort))) {
      throw new Error(`Temporal gRPC port ${frontendPort} on ${LOOPBACK} is already in use (another Temporal server, or \`npm start\` already running?). Stop it or choose another port.`);
    }
    taken.add(frontendPort);
  }
  const postgres = await pick(previous?.postgres);
  const temporalPorts = {} as ServerPorts;
  for (const name of SERVER_PORT_NAMES) {
    if (name === 'frontendGrpc' && frontendPort !== undefined) temporalPorts[name] = frontendPort;
    // The SQL stores keep each member's membership port in a SMALLINT column (cluster_membership.rpc_port):
    // a port above 32767 fails the server's start. The kernel hands out free ports above that, so these are chosen here.
    else temporalPorts[name] = await pick(previous?.temporal?.[name], name.endsWith('Membership') ? MEMBERSHIP_PORT_LIMIT : undefined);
  }
  const chosen = { postgres, temporal: temporalPorts };
  fs.writeFileSync(layout.portsFile, JSON.stringify(chosen, null, 2) + '\n');
  return chosen;
}

/**
 * A new cluster gets both databases and their base schema; every start then
 * runs update-schema, which applies only versions not yet applied — how a
 * persistent cluster follows a server upgrade.
 */
async function setUpSchemas(binaries: ServerBinaries, port: number, password: string, createdNow: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  const toolEnv: NodeJS.ProcessEnv = { PATH: env.PATH, HOME: env.HOME, SQL_PASSWORD: password };
  const connection = ['--plugin', POSTGRES_PLUGIN, '--endpoint', LOOPBACK, '--port', String(port), '--user', POSTGRES_USER];
  const run = async (database: string, args: string[]) => {
    const outcome = await runCommand(binaries.sqlTool.path, [...connection, '--database', database, ...args], { timeoutMs: 5 * 60_000, env: toolEnv });
    if (outcome.exitCode !== 0) {
      throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed (${outcome.spawnErrorCode ?? `exit code ${outcome.exitCode}`}): ${lastLines(outcome.stdout + outcome.stderr, 6)}`);
    }
  };
  for (const [database, schema] of [
    [DEFAULT_DATABASE, 'temporal'],
    [VISIBILITY_DATABASE, 'visibility'],
  ] as const) {
    if (createdNow) {
      await run(database, ['create-database']);
      await run(database, ['setup-schema', '--version', '0.0']);
    }
    const source = binaries.schemaDir
      ? ['--schema-dir', path.join(binaries.schemaDir, schema, 'versioned')]
      : ['--schema-name', `postgresql/v12/${schema}`];
    await run(database, ['update-schema', ...source]);
  }
}

/** The CLI with only our flags: a profile or TEMPORAL_* variables of the user (TLS, an API key) must not apply. */
function cliArgs(address: string, namespace: string, args: string[]): string[] {
  return [...args, '--address', address, '--namespace', namespace, '--disable-config-file', '--disable-config-env'];
}

async function runCli(cliPath: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const outcome = await runCommand(cliPath, args, { timeoutMs: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { ok: outcome.exitCode === 0, output: `${outcome.stdout}${outcome.stderr}`.trim() };
}

/** Unlike the dev server, the server binary creates no namespace: `temporal operator namespace create`, once. */
async function ensureNamespace(cliPath: string, address: string, namespace: string, retention: string): Promise<void> {
  const described = await runCli(cliPath, cliArgs(address, namespace, ['operator', 'namespace', 'describe']));
  if (described.ok) return;
  const created = await runCli(cliPath, cliArgs(address, namespace, ['operator', 'namespace', 'create', '--retention', retention]));
  if (!created.ok && !/already exists|AlreadyExists/i.test(created.output)) {
    throw new Error(`\`temporal operator namespace create --namespace ${namespace}\` failed: ${lastLines(created.output, 4)}`);
  }
}

/**
 * `temporal operator search-attribute create` for the ones the namespace
 * lacks (one call per type, the CLI takes one --type), then the same check
 * as on the dev server: a name registered with another type is an error.
 */
async function registerSearchAttributes(
  connection: Connection,
  cliPath: string,
  address: string,
  namespace: string,
  attributes: readonly SearchAttributeDefinition[],
  home: string,
): Promise<void> {
  const { customAttributes } = await untilNamespaceKnown(() => connection.operatorService.listSearchAttributes({ namespace }), namespace);
  const missing = attributes.filter(({ name }) => customAttributes?.[name] === undefined);
  const byType = new Map<string, string[]>();
  for (const { name, type } of missing) byType.set(type, [...(byType.get(type) ?? []), name]);
  for (const [type, names] of byType) {
    const created = await runCli(cliPath, cliArgs(address, namespace, ['operator', 'search-attribute', 'create', ...names.flatMap((name) => ['--name', name]), '--type', type]));
    if (!created.ok) {
      throw new Error(`\`temporal operator search-attribute create\` of ${names.join(', ')} (${type}) failed: ${lastLines(created.output, 4)}`);
    }
  }
  await ensureSearchAttributesRegistered(connection, namespace, attributes, home);
}

/**
 * A namespace just created is in the database (DescribeNamespace finds it)
 * before each service's namespace cache has loaded it (every 2 s by
 * default): until then other calls answer NOT_FOUND.
 */
async function untilNamespaceKnown<T>(call: () => Promise<T>, namespace: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const notFound = (error as { code?: number }).code === 5 /* gRPC NOT_FOUND */;
      if (!notFound || Date.now() > deadline) throw new Error(`namespace "${namespace}" is not usable: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Throwaway homes of test runs that were killed outright (no stop()): their
 * PostgreSQL died with them (the parent-death guard), their files stay.
 */
function removeAbandonedThrowaways(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = new RegExp(`^${THROWAWAY_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
