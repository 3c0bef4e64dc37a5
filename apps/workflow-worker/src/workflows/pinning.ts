import { workflowInfo } from '@temporalio/workflow';
import type { WorkflowDefinitionOptions } from '@temporalio/common';

/**
 * For workflows whose waits (approval, soaks, a time to live of up to 7 days)
 * can outlast a deploy: on a versioned worker (versioning.ts) they are pinned
 * to the build that began them. An unversioned worker must not declare a
 * behavior at all (the server refuses the workflow task), so the option is
 * asked for only when the task runs on a deployment version.
 */
export function pinnedWhenVersioned(): WorkflowDefinitionOptions {
  // An unversioned worker has a build id too (the SDK's default), but belongs to no deployment.
  return workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {};
}
