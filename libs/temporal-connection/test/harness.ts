import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { ENCODED_FAILURE_CONVERTER_PATH, type WorkerTemporal } from '../src';
import { createConfigActivities } from './activities';
import type { ConfigChange, ConfigChangeResult, configChangeWorkflow } from './workflows';

export const MARKER = 'uplink-to-spine-secret-marker';

export function configChange(device = 'leaf01'): ConfigChange {
  return { device, config: { interface: [{ name: 'ethernet-1/49', mtu: 9214, description: MARKER }] } };
}

/** The suite's dev server, as the jest global setup (or `npm test`) exported it. */
export function suiteEnv(extra: Record<string, string> = {}): Record<string, string> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the Jest global setup should have started a server');
  return { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default', ...extra };
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already by another file in this Jest worker.
  }
}

/** With `encodedFailures`, the bundle carries the failure converter an encrypting worker's data converter names. */
export function bundleConfigWorkflow(options: { encodedFailures: boolean }): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    logger: quiet,
    ...(options.encodedFailures ? { failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH } : {}),
  });
}

/** Runs one config change on a worker of its own (own task queue) and returns the result with the workflow id. */
export async function runConfigChange(
  worker: WorkerTemporal,
  client: Client,
  workflowBundle: WorkflowBundle,
  change: ConfigChange = configChange(),
): Promise<{ workflowId: string; result: ConfigChangeResult }> {
  const taskQueue = `temporal-connection-${randomUUID()}`;
  const workflowId = `config-change-${randomUUID()}`;
  const running = await Worker.create({ ...worker.workerOptions, taskQueue, workflowBundle, activities: createConfigActivities() });
  const result = await running.runUntil(client.workflow.execute<typeof configChangeWorkflow>('configChangeWorkflow', { taskQueue, workflowId, args: [change] }));
  return { workflowId, result };
}

/** The history exactly as the server returns it: protobuf bytes, payloads as stored. */
export async function rawHistory(client: Client, workflowId: string): Promise<Buffer> {
  const response = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId } });
  return Buffer.from(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(response).finish());
}
