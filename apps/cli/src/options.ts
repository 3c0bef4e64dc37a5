import { Option, type Command } from 'commander';
import type { TemporalFlags } from './temporal';

/** The connection flags of every command that talks to Temporal; the environment fills in what is not given. */
export function addTemporalOptions(command: Command): Command {
  return command
    .addOption(new Option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS or localhost:7233)'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or default)'))
    .addOption(
      // Hidden: the workers poll contracts' TASK_QUEUES. Only tests (workers on
      // their own queues on a shared server) and multi-tenant or per-site
      // setups need others; see the README. The activity queues only matter
      // to `change start`, which passes them to the workflow.
      new Option('--task-queue <name>', 'workflow task queue (default: $SYNAPSE_WORKFLOW_TASK_QUEUE or network-changes)').hideHelp(),
    )
    .addOption(new Option('--device-task-queue <name>', "the change's device activities queue (default: $SYNAPSE_DEVICE_TASK_QUEUE or device-operations)").hideHelp())
    .addOption(
      new Option('--device-urgent-task-queue <name>', "the change's confirm and rollback queue (default: $SYNAPSE_DEVICE_URGENT_TASK_QUEUE or device-operations-urgent)").hideHelp(),
    )
    .addOption(new Option('--infrahub-task-queue <name>', "the change's Infrahub activities queue (default: $SYNAPSE_INFRAHUB_TASK_QUEUE or infrahub-operations)").hideHelp());
}

export function addJsonOption(command: Command, what: string): Command {
  return command.addOption(new Option('--json', `print ${what} as JSON for scripts`));
}

export function temporalFlags(options: Record<string, unknown>): TemporalFlags {
  return {
    ...(typeof options.address === 'string' ? { address: options.address } : {}),
    ...(typeof options.namespace === 'string' ? { namespace: options.namespace } : {}),
    ...(typeof options.taskQueue === 'string' ? { taskQueue: options.taskQueue } : {}),
    ...(typeof options.deviceTaskQueue === 'string' ? { deviceTaskQueue: options.deviceTaskQueue } : {}),
    ...(typeof options.deviceUrgentTaskQueue === 'string' ? { deviceUrgentTaskQueue: options.deviceUrgentTaskQueue } : {}),
    ...(typeof options.infrahubTaskQueue === 'string' ? { infrahubTaskQueue: options.infrahubTaskQueue } : {}),
  };
}

export function writeLines(lines: string[], out: NodeJS.WritableStream = process.stdout): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}

export function writeJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
