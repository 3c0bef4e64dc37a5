#!/usr/bin/env node
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadWorkerConfig } from './config';
import { loadDeviceCredentials } from './credentials';
import { createDeviceWorker, createDeviceWorkerResources } from './worker';

/**
 * `node dist/main.js` (`nx serve device-worker`): the device-operations
 * worker. Stops gracefully on SIGINT/SIGTERM: polling stops, in-flight
 * activities get the shutdown grace time, device channels and the Temporal
 * connection are closed, exit 0.
 */
async function main(): Promise<void> {
  // The signals are ours to handle, so shutdown happens in the order below.
  Runtime.install({ shutdownSignals: [] });
  const config = loadWorkerConfig();
  const credentials = loadDeviceCredentials();
  const resources = await createDeviceWorkerResources(config, credentials);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createDeviceWorker(connection, config, resources.activities);
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`device-worker: ${signal}, shutting down\n`);
      worker.shutdown();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);

    const devices = resources.directory.devices();
    if (devices.length === 0) process.stderr.write('device-worker: no devices known: set SYNAPSE_DEVICE_INVENTORY\n');
    // One JSON line when polling starts, for supervisors (the stack) and people alike.
    process.stdout.write(
      `${JSON.stringify({
        service: 'device-worker',
        taskQueue: config.temporal.taskQueue,
        temporal: config.temporal.address,
        namespace: config.temporal.namespace,
        devices,
        backups: config.backupDir,
        credentials: credentials.describe(),
      })}\n`,
    );
    await worker.run();
  } finally {
    resources.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`device-worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
