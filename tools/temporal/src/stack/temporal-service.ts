import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDevServer } from '../dev-server';
import { startPostgresTemporalServer } from '../postgres/postgres-server';
import { HISTORY_SHARDS_VARIABLE, historyShardsFromEnv } from '../postgres/server-config';
import { TEMPORAL_SERVER_VERSION } from '../postgres/server-binaries';
import { resolveTemporalCli } from '../temporal-cli';
import { shownPath, stackData } from './stack-data';
import type { RunningService, StackContext, StackService } from './stack-service';

const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;

/** What TEMPORAL_STACK chooses; the first is the default. */
export const TEMPORAL_STACKS = {
  dev: "the Temporal CLI's dev server on SQLite, with its Web UI",
  postgres: `Temporal Server ${TEMPORAL_SERVER_VERSION} on a PostgreSQL cluster of its own`,
} as const;

export type TemporalStack = keyof typeof TEMPORAL_STACKS;

/** TEMPORAL_STACK, unset or empty meaning `dev`; anything else it does not know is an error that lists the choices. */
export function temporalStackFromEnv(env: NodeJS.ProcessEnv): TemporalStack {
  const raw = env.TEMPORAL_STACK;
  if (raw === undefined || raw.trim() === '') return 'dev';
  const value = raw.trim();
  if (Object.hasOwn(TEMPORAL_STACKS, value)) return value as TemporalStack;
  const choices = Object.entries(TEMPORAL_STACKS).map(([name, what]) => `${name} (${what})`).join(', ');
  throw new Error(`TEMPORAL_STACK="${raw}" is not a Temporal stack this project runs; choose one of: ${choices}. Unset, it is dev.`);
}

/**
 * Temporal on the well-known port (TEMPORAL_PORT overrides it): the dev
 * server with its Web UI (TEMPORAL_UI_PORT), or with TEMPORAL_STACK=postgres
 * the real server on PostgreSQL. Either keeps its data under the stack's
 * data directory from one start to the next (`--fresh` removes it).
 */
export function temporalService(): StackService {
  return {
    get name() {
      return safeStackFromEnv(process.env) === 'postgres' ? 'Temporal Server on PostgreSQL' : 'Temporal dev server';
    },
    async start(context) {
      const stack = temporalStackFromEnv(context.env);
      const port = portFromEnv(context.env, 'TEMPORAL_PORT', DEFAULT_PORT);
      return (stack === 'postgres' ? startOnPostgres(context, port) : startDev(context, port)).catch((error: unknown) => {
        if (error instanceof Error && /already in use/.test(error.message)) {
          error.message += ` For \`npm start\`, TEMPORAL_PORT${stack === 'dev' ? ' and TEMPORAL_UI_PORT choose other ports' : ' chooses another port'}.`;
        }
        throw error;
      });
    },
  };
}

async function startDev(context: StackContext, port: number): Promise<RunningService> {
  const uiPort = portFromEnv(context.env, 'TEMPORAL_UI_PORT', DEFAULT_UI_PORT);
  const cli = await resolveTemporalCli({ env: context.env, obtainIfMissing: true });
  // A persistent database: workflows survive a restart of the stack (`--fresh` removes it).
  const data = stackData(context.env);
  fs.mkdirSync(path.dirname(data.temporalLog), { recursive: true });
  const server = await startDevServer({
    cliPath: cli.path,
    port,
    uiPort,
    dbFile: data.temporalDb,
    namespace: context.env.TEMPORAL_NAMESPACE || undefined,
    logFile: data.temporalLog,
    // Without the scoped variables: the server needs no device or Infrahub secret.
    env: context.env,
  });
  return {
    name: 'Temporal dev server',
    banner: [
      `Temporal        ${server.address}   (namespace "${server.namespace}"; workers and clients use TEMPORAL_ADDRESS=${server.address})`,
      `Temporal UI     ${server.uiAddress}`,
      `                CLI ${cli.version} (${cli.source}: ${cli.path})`,
      `                database ${shownPath(server.dbFile)}, log ${shownPath(data.temporalLog)}`,
    ],
    exports: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
    exited: server.exited,
    stop: () => server.stop(),
  };
}

async function startOnPostgres(context: StackContext, port: number): Promise<RunningService> {
  const cli = await resolveTemporalCli({ env: context.env, obtainIfMissing: true });
  const data = stackData(context.env);
  const server = await startPostgresTemporalServer({
    home: data.temporalPostgresHome,
    port,
    namespace: context.env.TEMPORAL_NAMESPACE || undefined,
    // Unset: a new cluster gets the default, an existing one keeps what it was created with.
    numHistoryShards: context.env[HISTORY_SHARDS_VARIABLE] ? historyShardsFromEnv(context.env) : undefined,
    cliPath: cli.path,
    // Without the scoped variables: the server needs no device or Infrahub secret.
    env: context.env,
    log: (line) => console.log(line),
  });
  return {
    name: 'Temporal Server on PostgreSQL',
    banner: [
      `Temporal        ${server.address}   (namespace "${server.namespace}"; workers and clients use TEMPORAL_ADDRESS=${server.address})`,
      `                Temporal Server ${server.binaries.server.version} (${server.binaries.server.source}: ${shownPath(server.binaries.server.path)}), ${server.numHistoryShards} history shards`,
      `                PostgreSQL on 127.0.0.1:${server.postgresPort}, data ${shownPath(server.home)}`,
      `                logs ${shownPath(server.serverLog)}, ${shownPath(server.postgresLog)}`,
      'Temporal UI     none with TEMPORAL_STACK=postgres: use `temporal workflow list`, `npx synapse change list`, or the temporalio/ui image',
    ],
    exports: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
    exited: server.exited,
    stop: () => server.stop(),
  };
}

function safeStackFromEnv(env: NodeJS.ProcessEnv): TemporalStack | undefined {
  try {
    return temporalStackFromEnv(env);
  } catch {
    return undefined;
  }
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}="${raw}" is not a TCP port (1-65535)`);
  return port;
}
