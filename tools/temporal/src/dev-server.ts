import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findFreePort, isPortFree, LOOPBACK } from './free-port';
import { ManagedChild, type ChildExit } from './managed-child';
import { ensureSearchAttributesRegistered, PROJECT_SEARCH_ATTRIBUTES, searchAttributeFlags, type SearchAttributeDefinition } from './search-attributes';
import { resolveTemporalCli } from './temporal-cli';
import { connectWhenTemporalReady } from './temporal-readiness';
import { TEMPORAL_DATA_DIR } from './workspace-paths';

export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface DevServerOptions {
  /** The temporal binary; by default resolved without downloading (see resolveTemporalCli). */
  cliPath?: string;
  /** Frontend gRPC port; a free loopback port when omitted. */
  port?: number;
  /** Web UI port; a free loopback port when omitted and the UI is on. */
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /**
   * Persistent SQLite file. Omitted: a fresh file under .data/temporal/ that
   * stop() deletes, so no test run sees another's workflows.
   */
  dbFile?: string;
  namespace?: string;
  logLevel?: DevServerLogLevel;
  /** Server output is appended here as well (it is always kept for error messages). */
  logFile?: string;
  /** The server's environment (default: ours). */
  env?: NodeJS.ProcessEnv;
  searchAttributes?: readonly SearchAttributeDefinition[];
  /** How long to wait for the server to answer; default 60 s. */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL; default 10 s. */
  stopTimeoutMs?: number;
}

export interface DevServer {
  /** host:port for Connection/NativeConnection and TEMPORAL_ADDRESS. */
  address: string;
  /** http://localhost:PORT, unless headless. */
  uiAddress?: string;
  namespace: string;
  dbFile: string;
  pid: number;
  /** Resolves when the server process ends — on stop(), or on its own if it crashes. */
  exited: Promise<ChildExit>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes a throwaway database. */
  stop(): Promise<void>;
}

const DEFAULT_NAMESPACE = 'default';

/** Starts `temporal server start-dev` on loopback and resolves once it serves the namespace. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const headless = options.headless ?? false;
  const searchAttributes = options.searchAttributes ?? PROJECT_SEARCH_ATTRIBUTES;
  const cliPath = options.cliPath ?? (await resolveTemporalCli({ obtainIfMissing: false })).path;

  const port = await choosePort(options.port, 'Temporal gRPC');
  const uiPort = headless ? undefined : await choosePort(options.uiPort, 'Temporal Web UI');

  const isThrowaway = options.dbFile === undefined;
  const dbFile = options.dbFile ?? throwawayDatabasePath();
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });

  const args = [
    'server', 'start-dev',
    '--ip', LOOPBACK,
    '--port', String(port),
    '--db-filename', dbFile,
    '--log-level', options.logLevel ?? 'warn',
    ...(namespace === DEFAULT_NAMESPACE ? [] : ['--namespace', namespace]),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...searchAttributeFlags(searchAttributes),
  ];
  const server = await ManagedChild.start({
    command: cliPath,
    args,
    env: options.env,
    logFile: options.logFile,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`could not run the Temporal CLI at ${cliPath} (${error.code ?? error.message})`);
  });

  const address = `${LOOPBACK}:${port}`;
  const removeThrowawayDatabase = () => {
    if (isThrowaway) for (const file of sqliteFiles(dbFile)) fs.rmSync(file, { force: true });
  };
  try {
    const connection = await connectWhenTemporalReady({
      address,
      namespace,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      giveUpReason: () =>
        server.hasExited ? `temporal server start-dev exited before it was ready. Its last output:\n${server.recentOutput()}` : undefined,
    });
    try {
      await ensureSearchAttributesRegistered(connection, namespace, searchAttributes, dbFile);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await server.stop();
    removeThrowawayDatabase();
    throw error;
  }

  return {
    address,
    uiAddress: uiPort === undefined ? undefined : `http://localhost:${uiPort}`,
    namespace,
    dbFile,
    pid: server.pid,
    exited: server.exited,
    async stop() {
      await server.stop();
      removeThrowawayDatabase();
    },
  };
}

async function choosePort(requested: number | undefined, purpose: string): Promise<number> {
  if (requested === undefined) return findFreePort();
  if (!(await isPortFree(requested))) {
    throw new Error(`${purpose} port ${requested} on ${LOOPBACK} is already in use (another Temporal dev server, or \`npm start\` already running?). Stop it or choose another port.`);
  }
  return requested;
}

/**
 * Unique per server, not just per process: Jest loads this module afresh in
 * each test file of the same process, so a counter alone would hand a second
 * server (and its stop(), which deletes the file) the shared server's database.
 */
function throwawayDatabasePath(): string {
  return path.join(TEMPORAL_DATA_DIR, `test-${process.pid}-${randomBytes(4).toString('hex')}.sqlite`);
}

/** SQLite keeps its journal beside the database. */
function sqliteFiles(dbFile: string): string[] {
  return [dbFile, `${dbFile}-journal`, `${dbFile}-wal`, `${dbFile}-shm`];
}
