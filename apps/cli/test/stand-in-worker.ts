import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalSettingsFromEnv } from '@synapse/contracts';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

export interface StandInWorker {
  taskQueue: string;
  namespace: string;
  client: Client;
  stop(): Promise<void>;
}

/**
 * A real Worker on the suite's Temporal server polling `taskQueue` with one of
 * the stand-in workflows in test/workflows, plus a client to inspect runs.
 */
export async function startStandInWorker(workflowFile: string, taskQueue: string): Promise<StandInWorker> {
  const temporal = temporalSettingsFromEnv();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows', workflowFile), logger: quiet });
  const workerConnection = await NativeConnection.connect({ address: temporal.address });
  const worker = await Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue, workflowBundle });
  const running = worker.run();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  return {
    taskQueue,
    namespace: temporal.namespace,
    client,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await workerConnection.close();
    },
  };
}
