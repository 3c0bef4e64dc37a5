import { Option, type Command } from 'commander';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { WORKFLOW_TYPES, workflowIds, type ChangeRequest } from '@synapse/contracts';
import { changeRequestFromFlags, type ChangeStartFlags } from '../change-request';
import { awaitOutcome, outcomeJson, outcomeSucceeded, SEARCH_KEYS } from '../change-state';
import { badInput, EXIT, errorMessage, unavailable } from '../cli-error';
import { outcomeLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { temporalUiLink, withTemporal, type TemporalSession } from '../temporal';
import { watchChange } from './change-watch';

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
    await withTemporal(temporalFlags(options), async (session) => {
      const started = await startChange(session, request);
      const json = options.json === true;
      if (!json) writeLines(startedLines(session, request, started.runId));
      if (!options.wait && !options.watch) {
        if (json) writeJson({ ...startedJson(session, request, started.runId) });
        return;
      }
      const handle = session.client.workflow.getHandle(started.workflowId, started.runId);
      const outcome = options.watch ? await watchChange(session, handle, request.changeId) : await awaitOutcome(handle);
      if (json) writeJson({ ...startedJson(session, request, started.runId), ...outcomeJson(outcome) });
      else writeLines(outcomeLines(request.changeId, outcome));
      process.exitCode = outcomeSucceeded(outcome) ? EXIT.ok : EXIT.changeFailed;
    });
  });
}

async function startChange(session: TemporalSession, request: ChangeRequest): Promise<{ workflowId: string; runId: string }> {
  const workflowId = workflowIds.change(request.changeId);
  try {
    const handle = await session.client.workflow.start(WORKFLOW_TYPES.networkChange, {
      workflowId,
      taskQueue: session.taskQueue,
      // The routing argument only when asked for: without it the workflow uses contracts' queues.
      args: session.routing ? [request, session.routing] : [request],
      // A change id names one change for ever: a finished change is not started again under its id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Set at start, not only by the workflow, so the change is found by device from its first second.
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SEARCH_KEYS.devices, value: request.devices },
        { key: SEARCH_KEYS.changeId, value: request.changeId },
        { key: SEARCH_KEYS.changeKind, value: 'standard' },
        { key: SEARCH_KEYS.requester, value: request.requester },
      ]),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw badInput(`change id "${request.changeId}" is already taken (workflow ${workflowId}); see \`synapse change show ${request.changeId}\`, or pick another --change-id`);
    }
    const message = errorMessage(err);
    // A production namespace needs the custom search attributes created once; the dev server registers them itself.
    const hint = /search attribute/i.test(message) ? ' (create the Synapse search attributes in this namespace: `temporal operator search-attribute create`, see libs/contracts search-attributes.ts)' : '';
    throw unavailable(`could not start change ${request.changeId}: ${message}${hint}`, err);
  }
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
