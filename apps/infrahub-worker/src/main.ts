#!/usr/bin/env node
/**
 * infrahub-worker: `nx serve infrahub-worker` or `node apps/infrahub-worker/dist/main.js`.
 * Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE; Infrahub from
 * INFRAHUB_ADDRESS and INFRAHUB_API_TOKEN (or INFRAHUB_USERNAME /
 * INFRAHUB_PASSWORD). Credentials stay in this process: activities read them
 * here, workflows never see them.
 */
import { NativeConnection } from '@temporalio/worker';
import { temporalSettingsFromEnv, TASK_QUEUES } from '@synapse/contracts';
import { InfrahubClient } from '@synapse/infrahub-client';
import { createInfrahubWorker } from './worker';

async function main(): Promise<void> {
  const temporal = temporalSettingsFromEnv();
  const infrahub = new InfrahubClient();
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createInfrahubWorker({ connection, namespace: temporal.namespace, infrahub });
  console.log(
    JSON.stringify({ service: 'infrahub-worker', taskQueue: TASK_QUEUES.infrahub, temporal: temporal.address, namespace: temporal.namespace, infrahub: infrahub.address }),
  );
  // Worker.run resolves after SIGINT/SIGTERM: the SDK drains in-flight activities first.
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`infrahub-worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
