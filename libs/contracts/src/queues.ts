/**
 * Task queues: one per kind of side effect, so each worker scales on its own.
 * Workflows never run activities on the workflow queue.
 */
export const TASK_QUEUES = {
  workflows: 'network-changes',
  device: 'device-operations',
  /**
   * Confirms and rollbacks, served by the same device worker on a queue of
   * their own: a commit-confirmed window must never run out while a confirm
   * waits behind validations or drift scans.
   */
  deviceUrgent: 'device-operations-urgent',
  infrahub: 'infrahub-operations',
} as const;

export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

/**
 * The activity queues a workflow may be routed to: contracts' own, always,
 * and those the workflow worker's configuration adds (SYNAPSE_ACTIVITY_TASK_QUEUES,
 * read in the worker, never from a request). Whoever can start a workflow can
 * choose among these, never beyond them: a device write must not reach a
 * queue an attacker polls.
 */
export function unlistedActivityQueues(requested: readonly (string | undefined)[], allowed: readonly string[]): string[] {
  const listed = new Set<string>([TASK_QUEUES.device, TASK_QUEUES.deviceUrgent, TASK_QUEUES.infrahub, ...allowed]);
  return [...new Set(requested.filter((queue): queue is string => queue !== undefined && !listed.has(queue)))];
}
