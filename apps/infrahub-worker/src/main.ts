#!/usr/bin/env node
/**
 * infrahub-worker: `nx serve infrahub-worker` or `node apps/infrahub-worker/dist/main.js`.
 * Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE; Infrahub from
 * INFRAHUB_ADDRESS and INFRAHUB_API_TOKEN (or INFRAHUB_USERNAME /
 * INFRAHUB_PASSWORD); SYNAPSE_INFRAHUB_TASK_QUEUE replaces
 * `infrahub-operations` for a test or a separate tenant;
 * SYNAPSE_HEARTBEAT_INTERVAL_MS sets how often activities heartbeat (2000);
 * SYNAPSE_DOCUMENT_DIR is where rendered configs are stored (.data/documents),
 * encrypted at rest with the payload keys when SYNAPSE_ENCRYPTION_* are set.
 * Credentials stay in this process: activities read them here, workflows
 * never see them.
 * Metrics, health, logs and the shutdown grace: SYNAPSE_METRICS_ADDRESS,
 * SYNAPSE_HEALTH_ADDRESS, SYNAPSE_LOG_LEVEL/FORMAT,
 * SYNAPSE_SHUTDOWN_GRACE_SECONDS (libs/observability).
 */
import { InfrahubClient } from '@synapse/infrahub-client';
import { installRuntime, runUntilSignal, startHealthServer } from '@synapse/observability';
import { connectWorker, encryptionKeyringFromEnv } from '@synapse/temporal-connection';
import { loadWorkerConfig } from './config';
import { createDocumentStore } from './documents';
import { createInfrahubWorker } from './worker';

async function main(): Promise<void> {
  const { settings } = installRuntime({ service: 'infrahub-worker' });
  const { taskQueue, settings: activitySettings, documentDir } = loadWorkerConfig();
  // The payload keys also encrypt stored configs at rest; without them documents are plain (still owner-only).
  const keyring = encryptionKeyringFromEnv();
  const documents = createDocumentStore(documentDir, keyring);
  const infrahub = new InfrahubClient();
  // TEMPORAL_* (address, namespace, TLS, API key) and SYNAPSE_ENCRYPTION_* (payload codec), checked before connecting.
  const temporal = await connectWorker();
  try {
    const worker = await createInfrahubWorker({ ...temporal.workerOptions, taskQueue, infrahub, settings: activitySettings, documents });
    const health = settings.healthAddress ? await startHealthServer({ address: settings.healthAddress, service: 'infrahub-worker', worker }) : undefined;
    // One JSON line when polling starts, for supervisors (the stack) and people alike.
    process.stdout.write(
      `${JSON.stringify({ service: 'infrahub-worker', taskQueue, temporal: temporal.settings.address, namespace: temporal.namespace, connection: temporal.describe(), infrahub: infrahub.address, documents: documents.dir, documentsEncrypted: keyring !== undefined, metrics: settings.metricsAddress ?? null, health: health?.address ?? null })}\n`,
    );
    // SIGTERM/SIGINT: polling stops, in-flight activities get the grace time, then exit 0.
    await runUntilSignal(worker, { service: 'infrahub-worker', onStop: () => health?.close() });
  } finally {
    infrahub.close();
    await temporal.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`infrahub-worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
