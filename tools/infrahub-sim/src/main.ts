#!/usr/bin/env node
import { loadLabFile } from '@synapse/lab';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli-args';
import { DEFAULT_LAB_API_TOKEN, DEFAULT_LAB_USER, startInfrahubSim, type InfrahubSim } from './simulator';

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`infrahub-sim: ${error.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }
  // Signals are handled from the start, so one arriving mid-startup still stops cleanly.
  let sim: InfrahubSim | undefined;
  let stopRequested: string | undefined;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
    if (sim) stopAndExit(sim, signal);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  sim = await startInfrahubSim({
    lab: options.labFile ? loadLabFile(options.labFile) : undefined,
    host: options.host,
    port: options.port,
    allowAnonymousRead: options.allowAnonymousRead,
    tokens: [process.env.INFRAHUB_SIM_TOKEN || DEFAULT_LAB_API_TOKEN],
    users: [{ username: process.env.INFRAHUB_SIM_USERNAME || DEFAULT_LAB_USER.username, password: process.env.INFRAHUB_SIM_PASSWORD || DEFAULT_LAB_USER.password }],
  });
  if (stopRequested) return stopAndExit(sim, stopRequested);
  process.stdout.write(`${JSON.stringify({ service: 'infrahub-sim', address: sim.address })}\n`);
}

function stopAndExit(sim: InfrahubSim, signal: string): void {
  process.stderr.write(`infrahub-sim: ${signal}, stopping\n`);
  sim.stop().then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`infrahub-sim: stop failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}

main().catch((error: Error) => {
  process.stderr.write(`infrahub-sim: ${error.message}\n`);
  process.exit(1);
});
