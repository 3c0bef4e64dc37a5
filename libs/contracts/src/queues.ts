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
