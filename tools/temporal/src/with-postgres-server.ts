#!/usr/bin/env node
import * as path from 'node:path';
import { startPostgresTemporalServer, type PostgresTemporalServer } from './postgres/postgres-server';
import { historyShardsFromEnv } from './postgres/server-config';
import { runToCompletion } from './run-to-completion';
import { resolveTemporalCli } from './temporal-cli';
import { DATA_DIR } from './workspace-paths';

const LABEL = 'with-postgres-server';

/**
 * `with-postgres-server -- <command…>`: runs the command with
 * TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE pointing at a real Temporal Server
 * on a throwaway PostgreSQL cluster, then stops both and exits with the
 * command's exit code. Unlike with-dev-server it never reuses a
 * TEMPORAL_ADDRESS from the environment: running on PostgreSQL is the point.
 */
async function main(argv: string[]): Promise<number> {
  const separator = argv.indexOf('--');
  const [command, ...args] = separator >= 0 ? argv.slice(separator + 1) : argv;
  if (!command) {
    console.error(`usage: ${LABEL} -- <command> [args…]`);
    return 2;
  }
  if (process.env.TEMPORAL_ADDRESS) console.log(`[${LABEL}] ignoring TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}: the command gets the PostgreSQL-backed server`);

  const startedAt = Date.now();
  // Obtained before the server starts, so no test waits on a download.
  const cli = await resolveTemporalCli({ obtainIfMissing: true });
  const server: PostgresTemporalServer = await startPostgresTemporalServer({
    cliPath: cli.path,
    numHistoryShards: historyShardsFromEnv(process.env),
    logLevel: 'error',
    log: (line) => console.log(line),
  });
  console.log(
    `[${LABEL}] Temporal Server ${server.binaries.server.version} on PostgreSQL (port ${server.postgresPort}, ${server.numHistoryShards} history shards) ` +
      `ready at ${server.address} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  );

  let stopping = false;
  void server.exited.then((exit) => {
    if (!stopping) console.error(`[${LABEL}] ${exit.which} exited while the command ran (code ${exit.code}, signal ${exit.signal}); see ${exit.which === 'postgres' ? server.postgresLog : server.serverLog}`);
  });
  let exitCode = 1;
  try {
    exitCode = await runToCompletion(command, args, { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace }, LABEL);
    return exitCode;
  } finally {
    stopping = true;
    // The cluster is throwaway; after a failure its logs are what explains it.
    const keepLogsIn = exitCode === 0 ? undefined : path.join(DATA_DIR, 'test-results', `temporal-postgres-${process.pid}`);
    await server.stop({ keepLogsIn });
    if (keepLogsIn) console.log(`[${LABEL}] the server's and PostgreSQL's logs are in ${keepLogsIn}`);
  }
}

main(process.argv.slice(2)).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`[${LABEL}] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
