#!/usr/bin/env node
/**
 * workflow-worker: `nx serve workflow-worker` or `node apps/workflow-worker/dist/main.js`.
 * Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE; SYNAPSE_WORKFLOW_TASK_QUEUE
 * replaces `network-changes` only for tests or a separate tenant (the CLI
 * reads the same variable). It holds no device or Infrahub credentials:
 * workflows only orchestrate, activities run elsewhere.
 */
import { NativeConnection } from '@temporalio/worker';
import { TASK_QUEUES, temporalSettingsFromEnv } from '@synapse/contracts';
import { createWorkflowWorker } from './worker';

async function main(): Promise<void> {
  const temporal = temporalSettingsFromEnv();
  const taskQueue = process.env.SYNAPSE_WORKFLOW_TASK_QUEUE?.trim() || TASK_QUEUES.workflows;
  const connection = await NativeConnection.connect({ address: temporal.address });
  try {
    const worker = await createWorkflowWorker({ connection, namespace: temporal.namespace, taskQueue });
    console.log(JSON.stringify({ service: 'workflow-worker', taskQueue, temporal: temporal.address, namespace: temporal.namespace }));
    // Worker.run resolves after SIGINT/SIGTERM (the SDK's default shutdown
    // signals): it stops polling and lets in-flight workflow tasks finish.
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`workflow-worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
