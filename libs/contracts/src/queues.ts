/**
 * Task queues: one per kind of side effect, so each worker scales on its own.
 * Workflows never run activities on the workflow queue.
 */
export const TASK_QUEUES = {
  workflows: 'network-changes',
  device: 'device-operations',
  infrahub: 'infrahub-operations',
} as const;

export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
