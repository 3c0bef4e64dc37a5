#!/usr/bin/env node
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import type { DevServer } from './dev-server';
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
    });
  } finally {
    await server?.stop();
  }
}

function runToCompletion(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    // Same process group: a terminal Ctrl-C reaches the command directly. We
    // only keep ourselves alive long enough to stop the server afterwards.
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== 'SIGINT') child.kill(signal);
    };
    const onSigint = forward('SIGINT');
    const onSigterm = forward('SIGTERM');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    child.once('error', (error) => {
      console.error(`[with-dev-server] could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
}

main(process.argv.slice(2)).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`[with-dev-server] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
