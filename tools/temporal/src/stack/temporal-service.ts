import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDevServer } from '../dev-server';
import { resolveTemporalCli } from '../temporal-cli';
import { shownPath, stackData } from './stack-data';
import type { StackService } from './stack-service';

const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;

/** Temporal with its Web UI on the well-known ports (TEMPORAL_PORT / TEMPORAL_UI_PORT override them). */
export function temporalService(): StackService {
  return {
    name: 'Temporal dev server',
    async start(context) {
      const port = portFromEnv(context.env, 'TEMPORAL_PORT', DEFAULT_PORT);
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
      }).catch((error: unknown) => {
        if (error instanceof Error && /already in use/.test(error.message)) {
          error.message += ' For `npm start`, TEMPORAL_PORT and TEMPORAL_UI_PORT choose other ports.';
        }
        throw error;
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
    },
  };
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}="${raw}" is not a TCP port (1-65535)`);
  return port;
}
