// Public API of @synapse/workflow-worker: the worker, and what clients need to
// talk to its workflows (progress query, routing option). Workflow code itself
// is loaded by the worker from ./workflows, never imported by clients.
export { createWorkflowWorker, bundleWorkflows, WORKFLOWS_PATH, type WorkflowWorkerOptions } from './worker';
export { ActivityRouting, type ActivityRoutingInput } from './workflows/activities';
export { changeProgressQuery, deviceProgressQuery } from './workflows/progress';
export {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  planQuery,
  rejectUpdate,
  resumeUpdate,
  rolloutProgressQuery,
} from './workflows/rollout-signals';
export { approvalPolicyFromEnv } from './approval-policy';
// How a plan becomes waves: pure, so a plain script (the rollout benchmark's baseline) plans the very same waves.
export { planWaves, type Wave } from './workflows/rollout-plan';
