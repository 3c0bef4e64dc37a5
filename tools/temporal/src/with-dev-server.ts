#!/usr/bin/env node
import type { DevServer } from './dev-server';
import { runToCompletion } from './run-to-completion';
import { startServerForTests } from './test-server';

/**
 * `with-dev-server -- <command…>`: runs the command with TEMPORAL_ADDRESS and
 * TEMPORAL_NAMESPACE pointing at one Temporal dev server shared by the whole
 * run (started here unless TEMPORAL_ADDRESS is already set), then stops the
 * server and exits with the command's exit code.
 */
async function main(argv: string[]): Promise<number> {
  const separator = argv.indexOf('--');
  const [command, ...args] = separator >= 0 ? argv.slice(separator + 1) : argv;
  if (!command) {
    console.error('usage: with-dev-server -- <command> [args…]');
    return 2;
  }

  let server: DevServer | undefined;
  if (process.env.TEMPORAL_ADDRESS) {
    console.log(`[with-dev-server] using the Temporal server at TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}`);
  } else {
    const startedAt = Date.now();
    server = await startServerForTests();
    console.log(`[with-dev-server] Temporal dev server ready at ${server.address} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }

  try {
    return await runToCompletion(command, args, {
      ...process.env,
      ...(server ? { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace } : {}),
    }, 'with-dev-server');
  } finally {
    await server?.stop();
  }
}

main(process.argv.slice(2)).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`[with-dev-server] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
