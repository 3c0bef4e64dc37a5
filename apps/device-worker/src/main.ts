#!/usr/bin/env node
import { installRuntime, runUntilSignal, startHealthServer, workerGroup } from '@synapse/observability';
import { connectWorker, encryptionKeyringFromEnv } from '@synapse/temporal-connection';
import { loadWorkerConfig } from './config';
import { loadDeviceCredentials } from './credentials';
import { createDeviceWorkerResources, createDeviceWorkers } from './worker';

/**
 * `node dist/main.js` (`nx serve device-worker`): the device-operations
 * worker. Stops gracefully on SIGINT/SIGTERM: polling stops, in-flight
 * activities get the shutdown grace time (SYNAPSE_SHUTDOWN_GRACE_SECONDS),
 * device channels and the Temporal connection are closed, exit 0. Metrics,
 * health and logs: SYNAPSE_METRICS_ADDRESS, SYNAPSE_HEALTH_ADDRESS,
 * SYNAPSE_LOG_LEVEL/FORMAT (libs/observability).
 */
async function main(): Promise<void> {
  // JSON logs and Prometheus metrics; the signals are ours to handle, so shutdown happens in the order below.
  const { settings } = installRuntime({ service: 'device-worker' });
  const config = loadWorkerConfig();
  const credentials = loadDeviceCredentials();
  // The payload keys also encrypt backups at rest; without them backups are plain (still owner-only).
  const keyring = encryptionKeyringFromEnv();
  const resources = await createDeviceWorkerResources(config, credentials, keyring);
  // TEMPORAL_* (address, namespace, TLS, API key) and SYNAPSE_ENCRYPTION_* (payload codec), checked before connecting.
  const temporal = await connectWorker().catch((err: unknown) => {
    resources.close();
    throw err;
  });
  try {
    const worker = workerGroup(await createDeviceWorkers(temporal.connection, config, resources.activities, temporal.dataConverter));
    const health = settings.healthAddress ? await startHealthServer({ address: settings.healthAddress, service: 'device-worker', worker }) : undefined;

    const devices = resources.directory.devices();
    if (devices.length === 0) process.stderr.write('device-worker: no devices known: set SYNAPSE_DEVICE_INVENTORY\n');
    // One JSON line when polling starts, for supervisors (the stack) and people alike.
    process.stdout.write(
      `${JSON.stringify({
        service: 'device-worker',
        taskQueue: config.temporal.taskQueue,
        urgentTaskQueue: config.temporal.urgentTaskQueue,
        temporal: config.temporal.address,
        namespace: config.temporal.namespace,
        devices,
        backups: config.backupDir,
        backupsEncrypted: keyring !== undefined,
        documents: config.documentDir,
        gnmi: config.directoryDefaults,
        credentials: credentials.describe(),
        connection: temporal.describe(),
        metrics: settings.metricsAddress ?? null,
        health: health?.address ?? null,
      })}\n`,
    );
    await runUntilSignal(worker, { service: 'device-worker', onStop: () => health?.close() });
  } finally {
    resources.close();
    await temporal.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`device-worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
