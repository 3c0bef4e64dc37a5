import type { ApprovalPolicy } from '@synapse/contracts';

/**
 * The server's approval policy, from the workflow worker's environment:
 *
 *   SYNAPSE_REQUIRE_APPROVAL     true (default): every change waits for an
 *                                approver; false: a request may waive it
 *                                (labs, low-risk drift remediation)
 *   SYNAPSE_ALLOW_SELF_APPROVAL  false (default): the requester cannot
 *                                approve their own change
 *
 * Read by the worker, never taken from a request: whoever can start a change
 * must not be able to waive its approval.
 */
export function approvalPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ApprovalPolicy {
  return {
    approvalRequired: flag(env, 'SYNAPSE_REQUIRE_APPROVAL', true),
    allowSelfApproval: flag(env, 'SYNAPSE_ALLOW_SELF_APPROVAL', false),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name}=${env[name]} is not a boolean: use true or false`);
}

/**
 * The workflow worker's local activities: its own configuration, which
 * workflows cannot read from the environment. Each answer is recorded in the
 * workflow's history, so a replay sees what the run saw.
 */
export function workflowWorkerActivities(policy: ApprovalPolicy, allowedActivityQueues: readonly string[] = []) {
  return {
    approvalPolicy: async (): Promise<ApprovalPolicy> => policy,
    allowedActivityQueues: async (): Promise<string[]> => [...allowedActivityQueues],
  };
}
