/**
 * The activity task queues this workflow worker lets a workflow route to,
 * beyond contracts' own (device-operations, device-operations-urgent,
 * infrahub-operations):
 *
 *   SYNAPSE_ACTIVITY_TASK_QUEUES   comma-separated queue names, e.g. the
 *                                  device queues of each site's device worker
 *
 * A request (the CLI's --device-task-queue, a workflow's routing argument)
 * may only pick among these: the list is the worker's configuration because
 * whoever can start a workflow must not be able to send device writes, and the
 * configs they carry, to a queue of their choosing.
 */
export const ACTIVITY_QUEUES_VARIABLE = 'SYNAPSE_ACTIVITY_TASK_QUEUES';

export function allowedActivityQueuesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[ACTIVITY_QUEUES_VARIABLE];
  if (raw === undefined || raw.trim() === '') return [];
  const names = raw.split(',').map((name) => name.trim());
  const bad = names.find((name) => name === '' || /\s/.test(name));
  if (bad !== undefined) {
    throw new Error(`${ACTIVITY_QUEUES_VARIABLE}=${JSON.stringify(raw)}: ${bad === '' ? 'an empty name (a stray comma)' : `"${bad}" contains whitespace`}; give queue names separated by commas`);
  }
  return [...new Set(names)];
}
