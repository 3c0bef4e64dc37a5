import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { TASK_QUEUES } from '@synapse/contracts';

export interface WorkflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Defaults to contracts' workflow queue, `network-changes`; tests pass their own to share one server. */
  taskQueue?: string;
  /** A prebuilt bundle (tests build one per file); without it the worker bundles src/workflows at start. */
  workflowBundle?: WorkflowBundle;
}

/** Where the workflow code is: `src/workflows` under ts-jest, `dist/workflows` when built. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

/**
 * A worker that runs only the change workflows. It registers no activities:
 * those run on the device and infrahub queues, each in its own worker.
 */
export function createWorkflowWorker(options: WorkflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUES.workflows,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

/** The workflow code bundled once, for tests and replays that start several workers. */
export function bundleWorkflows(options: { quiet?: boolean } = {}): Promise<WorkflowBundle> {
  const silent = () => undefined;
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...(options.quiet ? { logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent } } : {}),
  });
}
