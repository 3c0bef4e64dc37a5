import { createHash } from 'node:crypto';
import type { NativeConnection, WorkerDeploymentOptions } from '@temporalio/worker';

/**
 * Worker Versioning (Temporal's Worker Deployments), from the workflow
 * worker's environment:
 *
 *   SYNAPSE_WORKER_DEPLOYMENT  the deployment this worker belongs to (e.g.
 *                              `synapse-workflows`); unset: an unversioned
 *                              worker, as before (every workflow moves to
 *                              whatever code polls, patched() keeps it safe)
 *   SYNAPSE_BUILD_ID           this build; default: a checksum of the
 *                              workflow code it runs, so the same code is
 *                              always the same build and any change is a new one
 *   SYNAPSE_PROMOTE_BUILD      if-none (default): become the deployment's
 *                              current version only when it has none (the
 *                              first deploy); always: become current at start
 *                              (a single-machine stack); never: wait for
 *                              `temporal worker deployment set-current-version`
 *
 * Long-running workflows (a change that waits for approval or soaks between
 * waves, an emergency waiting out a time to live of up to 7 days, a drift run
 * waiting for an approver) are pinned to the build that started them, with
 * the device workflows they start: a redeploy never hands them code they did
 * not begin with. Short workflows (plans, batches, config views, records)
 * move to the current build.
 */
export const DEPLOYMENT_VARIABLE = 'SYNAPSE_WORKER_DEPLOYMENT';
export const BUILD_ID_VARIABLE = 'SYNAPSE_BUILD_ID';
export const PROMOTE_VARIABLE = 'SYNAPSE_PROMOTE_BUILD';

export type PromoteBuild = 'if-none' | 'always' | 'never';

export interface WorkerVersioning {
  deploymentName: string;
  buildId: string;
  promote: PromoteBuild;
}

/** The build id of a workflow bundle: the same code, the same build. */
export function buildIdOf(workflowCode: string): string {
  return `wf-${createHash('sha256').update(workflowCode).digest('hex').slice(0, 16)}`;
}

/** Undefined when the worker runs unversioned. `workflowCode` is only read when no build id is configured. */
export function workerVersioningFromEnv(env: NodeJS.ProcessEnv, workflowCode: () => string): WorkerVersioning | undefined {
  const deploymentName = env[DEPLOYMENT_VARIABLE]?.trim();
  const buildId = env[BUILD_ID_VARIABLE]?.trim();
  const promote = (env[PROMOTE_VARIABLE]?.trim() || 'if-none') as PromoteBuild;
  if (!['if-none', 'always', 'never'].includes(promote)) throw new Error(`${PROMOTE_VARIABLE}=${env[PROMOTE_VARIABLE]} must be if-none, always or never`);
  if (!deploymentName) {
    if (buildId) throw new Error(`${BUILD_ID_VARIABLE} is set but ${DEPLOYMENT_VARIABLE} is not: name the deployment the build belongs to, or unset both for an unversioned worker`);
    return undefined;
  }
  for (const [name, value] of [[DEPLOYMENT_VARIABLE, deploymentName], [BUILD_ID_VARIABLE, buildId]] as const) {
    // Temporal joins the two with a dot into the version's name.
    if (value !== undefined && value !== '' && (/[\s.]/.test(value) || value.length > 255)) throw new Error(`${name}=${value} must be at most 255 characters, without spaces or dots`);
  }
  return { deploymentName, buildId: buildId || buildIdOf(workflowCode()), promote };
}

export function deploymentOptions(versioning: WorkerVersioning): WorkerDeploymentOptions {
  return {
    version: { deploymentName: versioning.deploymentName, buildId: versioning.buildId },
    useWorkerVersioning: true,
    // Workflow types that must not move declare PINNED themselves (setWorkflowOptions beside each).
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

/**
 * Makes this build the deployment's current version when `promote` says so.
 * The server knows a version only once its worker has polled: retried for a
 * while after the worker starts.
 */
export async function promoteBuild(connection: NativeConnection, namespace: string, versioning: WorkerVersioning, identity: string, deadlineMs = 30_000): Promise<'promoted' | 'already-current' | 'left-as-is'> {
  if (versioning.promote === 'never') return 'left-as-is';
  const service = connection.workflowService;
  const started = Date.now();
  for (;;) {
    try {
      if (versioning.promote === 'if-none') {
        const described = await service.describeWorkerDeployment({ namespace, deploymentName: versioning.deploymentName }).catch((err: unknown) => {
          if ((err as { code?: number }).code === 5) return undefined; // NOT_FOUND: nothing polled it yet
          throw err;
        });
        const current = described?.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId;
        if (current === versioning.buildId) return 'already-current';
        if (current) return 'left-as-is';
      }
      await service.setWorkerDeploymentCurrentVersion({ namespace, deploymentName: versioning.deploymentName, buildId: versioning.buildId, identity });
      return 'promoted';
    } catch (err) {
      // Until the worker's first poll reaches the server, the version does not exist yet.
      if (Date.now() - started > deadlineMs) throw new Error(`could not make ${versioning.deploymentName}/${versioning.buildId} current: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
