import { Option, type Command } from 'commander';
import { WORKFLOW_TYPES, workflowIds, type ChangeRequest } from '@synapse/contracts';
import { changeRequestFromFlags, type ChangeStartFlags } from '../change-request';
import { addJsonOption, addTemporalOptions, temporalFlags } from '../options';
import { startAndFollow } from '../start-change';
import { temporalUiLink, withTemporal, type TemporalSession } from '../temporal';

export function registerChangeStart(change: Command): void {
  // Both device flags feed one list so the request keeps the order they were typed in.
  const devicesInOrder: string[] = [];
  const addDevices = (value: string) => {
    devicesInOrder.push(value);
    return devicesInOrder;
  };
  const command = change
    .command('start')
    .description('start a network change on one or more devices')
    .addOption(new Option('--device <name>', 'a device to change (repeatable)').argParser(addDevices))
    .addOption(new Option('--devices <a,b,…>', 'devices to change, comma separated (repeatable)').argParser(addDevices))
    .addOption(new Option('--reason <text>', 'why the change is made (required; kept with the change and its backups)'))
    .addOption(new Option('--requester <name>', 'who asks for it (default: $USER)'))
    .addOption(new Option('--ticket <id>', 'ticket the change belongs to, e.g. NET-1'))
    .addOption(new Option('--branch <name>', 'Infrahub branch holding the intent (default: its default branch)'))
    .addOption(new Option('--dry-run', 'compute and report the per-device diff; touch nothing'))
    .addOption(new Option('--concurrency <n>', 'devices changed at once (default: 5)'))
    .addOption(new Option('--settle-seconds <n>', 'how long BGP sessions and interfaces get to come up after the deploy (default: 60)'))
    .addOption(new Option('--deletion-budget <n>', 'entries and leaves Synapse owned that the change may delete, over all its devices; more refuses the change (default: 10)'))
    .addOption(new Option('--no-commit-confirmed', 'plain Set, without commit-confirmed (devices without the extension)'))
    .addOption(new Option('--change-id <id>', 'id of the change (default: chg-<utc date>-<time>-<random>)'))
    .addOption(new Option('--wait', 'wait for the change to finish and print its result').conflicts('watch'))
    .addOption(new Option('--watch', 'show live per-device progress until the change finishes, then its result').conflicts(['wait', 'json']))
    .addHelpText(
      'after',
      `
The request is checked with the same schema the workflow uses: a bad flag is
reported with the field it sets, exit code 2, and nothing is started.

Examples:
  synapse change start --device leaf01 --device leaf02 --reason "MTU 9214 on fabric links" --ticket NET-1
  synapse change start --devices leaf01,leaf02 --reason "preview" --dry-run --wait
  synapse change start --device spine01 --reason "new peer" --watch

Exit code: without --wait/--watch, 0 once the change is started. With them,
0 when the change succeeded (or was a dry run), 1 when a device failed or was
rolled back or the change failed.`,
    );
  addJsonOption(command, 'the started change (and with --wait its result)');
  addTemporalOptions(command).action(async (options: ChangeStartFlags & Record<string, unknown>) => {
    // Parsed before connecting: bad input never needs a server and never starts anything.
    const request = changeRequestFromFlags({ ...options, devices: devicesInOrder });
    await withTemporal(temporalFlags(options), (session) =>
      startAndFollow(
        session,
        {
          workflowType: WORKFLOW_TYPES.networkChange,
          workflowId: workflowIds.change(request.changeId),
          changeId: request.changeId,
          kind: 'standard',
          devices: request.devices,
          requester: request.requester,
          request,
          startedLines: (runId) => startedLines(session, request, runId),
          startedJson: (runId) => startedJson(session, request, runId),
          takenHint: `see \`synapse change show ${request.changeId}\`, or pick another --change-id`,
        },
        options,
      ),
    );
  });
}

function startedLines(session: TemporalSession, request: ChangeRequest, runId: string): string[] {
  const link = temporalUiLink(session, workflowIds.change(request.changeId));
  return [
    `started change ${request.changeId} on ${request.devices.join(', ')}${request.dryRun ? ' (dry run)' : ''}`,
    `  workflow  ${workflowIds.change(request.changeId)} (run ${runId}, task queue ${session.taskQueue})`,
    `  follow    synapse change watch ${request.changeId}`,
    `  Temporal  ${link ?? 'set TEMPORAL_UI_ADDRESS to get a link to the Temporal Web UI'}`,
  ];
}

function startedJson(session: TemporalSession, request: ChangeRequest, runId: string) {
  const workflowId = workflowIds.change(request.changeId);
  return {
    changeId: request.changeId,
    workflowId,
    runId,
    taskQueue: session.taskQueue,
    ...(session.routing ? { routing: session.routing } : {}),
    temporalUi: temporalUiLink(session, workflowId) ?? null,
    request,
  };
}
