#!/usr/bin/env node
/**
 * workflow-worker: `nx serve workflow-worker` or `node apps/workflow-worker/dist/main.js`.
 * Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (TLS, API key and
 * payload encryption: libs/temporal-connection); SYNAPSE_WORKFLOW_TASK_QUEUE
 * replaces `network-changes` only for tests or a separate tenant (the CLI
 * reads the same variable). SYNAPSE_WORKFLOW_BUNDLE names a prebuilt
 * workflow bundle (bundle-workflows.ts; container images set it); without
 * it a current dist/workflow-bundle.js is used, else the code is bundled at
 * start. Metrics, health, logs and the shutdown grace: libs/observability.
 * SYNAPSE_WORKER_DEPLOYMENT, SYNAPSE_BUILD_ID and SYNAPSE_PROMOTE_BUILD
 * turn on Worker Versioning (versioning.ts); SYNAPSE_ACTIVITY_TASK_QUEUES lists
 * the activity queues a workflow may be routed to (activity-queues.ts).
 * It holds no device or Infrahub credentials: workflows only orchestrate,
 * activities run elsewhere.
 */
import { TASK_QUEUES } from '@synapse/contracts';
import { readFileSync } from 'node:fs';
import { installRuntime, runUntilSignal, startHealthServer } from '@synapse/observability';
import { connectWorker } from '@synapse/temporal-connection';
import { promoteBuild, workerVersioningFromEnv } from './versioning';
import { bundleWorkflows, chooseWorkflowCode, createWorkflowWorker, WORKFLOW_BUNDLE_VARIABLE } from './worker';

async function main(): Promise<void> {
  const { settings } = installRuntime({ service: 'workflow-worker' });
  const taskQueue = process.env.SYNAPSE_WORKFLOW_TASK_QUEUE?.trim() || TASK_QUEUES.workflows;
  // Before connecting: a wrong bundle path is a configuration error, reported as one.
  const code = chooseWorkflowCode();
  process.stderr.write(
    code.kind === 'prebuilt'
      ? `workflow-worker: workflow code from the prebuilt bundle ${code.codePath} (${code.why})\n`
      : `workflow-worker: bundling the workflow code at start (${code.why})\n`,
  );
  // A versioned build without a configured id is named after its code: bundled here when there is no prebuilt bundle, then run as that bundle.
  const buildIdFromCode = Boolean(process.env.SYNAPSE_WORKER_DEPLOYMENT?.trim()) && !process.env.SYNAPSE_BUILD_ID?.trim();
  const bundledHere = buildIdFromCode && code.kind !== 'prebuilt' ? (await bundleWorkflows({ quiet: true })).code : undefined;
  const build = workerVersioningFromEnv(process.env, () => bundledHere ?? readFileSync(code.kind === 'prebuilt' ? code.codePath : '', 'utf8'));
  const temporal = await connectWorker();
  try {
    const worker = await createWorkflowWorker({
      connection: temporal.connection,
      namespace: temporal.namespace,
      taskQueue,
      ...(temporal.dataConverter ? { dataConverter: temporal.dataConverter } : {}),
      ...(code.kind === 'prebuilt' ? { workflowBundle: { codePath: code.codePath } } : bundledHere !== undefined ? { workflowBundle: { code: bundledHere } } : {}),
      ...(build ? { versioning: build } : {}),
    }).catch((err: unknown) => {
      if (code.kind !== 'prebuilt') throw err;
      throw new Error(`the workflow bundle ${code.codePath} (${code.why === WORKFLOW_BUNDLE_VARIABLE ? WORKFLOW_BUNDLE_VARIABLE : 'default'}) could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
    });
    const health = settings.healthAddress ? await startHealthServer({ address: settings.healthAddress, service: 'workflow-worker', worker }) : undefined;
    const ready = () =>
      process.stdout.write(
        `${JSON.stringify({ service: 'workflow-worker', taskQueue, deployment: build ? `${build.deploymentName}/${build.buildId}` : null, temporal: temporal.settings.address, namespace: temporal.namespace, connection: temporal.describe(), metrics: settings.metricsAddress ?? null, health: health?.address ?? null })}\n`,
      );
    if (!build) ready();
    else {
      // The server knows a version once it has polled; the ready line waits for the promotion, so a
      // launcher that starts changes on "ready" never starts one before its build can be routed to.
      void promoteBuild(temporal.connection, temporal.namespace, build, worker.options.identity).then(
        (outcome) => {
          process.stderr.write(`workflow-worker: build ${build.deploymentName}/${build.buildId}: ${outcome === 'left-as-is' ? `not made current (SYNAPSE_PROMOTE_BUILD=${build.promote}; another version is current: temporal worker deployment set-current-version)` : outcome}\n`);
          ready();
        },
        (err: unknown) => {
          process.stderr.write(`workflow-worker: ${err instanceof Error ? err.message : String(err)}\n`);
          ready();
        },
      );
    }
    // SIGTERM/SIGINT: polling stops, in-flight workflow tasks finish, exit 0.
    await runUntilSignal(worker, { service: 'workflow-worker', onStop: () => health?.close() });
  } finally {
    await temporal.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`workflow-worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
