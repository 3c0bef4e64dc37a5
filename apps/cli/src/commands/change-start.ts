import { Option, type Command } from 'commander';
import { WORKFLOW_TYPES, workflowIds, type ChangeRequest } from '@synapse/contracts';
import { changeRequestFromFlags, type ChangeStartFlags } from '../change-request';
import { addInventoryCheckOption, checkInventory } from '../inventory';
import { addJsonOption, addTemporalOptions, temporalFlags } from '../options';
import { startAndFollow } from '../start-change';
import { temporalUiLink, withTemporal, type TemporalSession } from '../temporal';

/**
 * The flags that make a ChangeRequest, shared by `change start` and `change
 * plan` (a plan is the same request, run dry). Returns the devices in the
 * order typed: both device flags feed one list, and waves follow that order.
 */
export function addChangeRequestOptions(command: Command, { reasonRequired }: { reasonRequired: boolean }): string[] {
  const devicesInOrder: string[] = [];
  const addDevices = (value: string) => {
    devicesInOrder.push(value);
    return devicesInOrder;
  };
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  command
    .addOption(new Option('--device <name>', 'a device to change (repeatable)').argParser(addDevices))
    .addOption(new Option('--devices <a,b,…>', 'devices to change, comma separated (repeatable)').argParser(addDevices))
    .addOption(new Option('--reason <text>', reasonRequired ? 'why the change is made (required; kept with the change and its backups)' : 'why (default: "plan")'))
    .addOption(new Option('--requester <name>', 'who asks for it (default: $USER)'))
    .addOption(new Option('--ticket <id>', 'ticket the change belongs to, e.g. NET-1'))
    .addOption(new Option('--branch <name>', 'Infrahub branch holding the intent (default: its default branch)'))
    .addOption(new Option('--concurrency <n>', 'devices changed at once within a wave (default: 5)'))
    .addOption(new Option('--settle-seconds <n>', 'how long BGP sessions and interfaces get to come up after the deploy (default: 60)'))
    .addOption(new Option('--deletion-budget <n>', 'entries and leaves Synapse owned that the change may delete, over all its devices; more refuses the change (default: 10)'))
    .addOption(new Option('--no-commit-confirmed', 'plain Set, without commit-confirmed (devices without the extension)'))
    .addOption(new Option('--no-approval', 'do not wait for an approver (honoured only where the server allows it: SYNAPSE_REQUIRE_APPROVAL=false)'))
    .addOption(new Option('--approval-timeout <s>', 'not approved within this, the change ends expired, nothing touched (seconds or 30m, 8h, 2d; default: 1d)'))
    .addOption(new Option('--canary <device>', 'deploy this device first, alone; its failure stops the rollout (repeatable)').argParser(collect))
    .addOption(new Option('--canary-count <n>', 'the first n devices (of --canary-role, if given) are the canary'))
    .addOption(new Option('--canary-role <role>', 'take the canary from this role (alone: one device)'))
    .addOption(new Option('--wave-size <n>', 'devices per wave after the canary (default: 25)').conflicts('wavePercent'))
    .addOption(new Option('--wave-percent <p>', "a share of the change's devices per wave (1-100)"))
    .addOption(new Option('--soak <s>', 'wait after each wave before the next (seconds or 5m; default: 0)'))
    .addOption(new Option('--failure-budget <n>', 'devices that may fail or roll back before the rollout stops (default: 0, the first failure stops it)'))
    .addOption(new Option('--failure-budget-percent <p>', 'the same as a share of the devices (with --failure-budget, the larger applies)'))
    .addOption(new Option('--on-budget-exceeded <action>', 'when the budget is spent: stop (leave what is deployed) or rollback (every deployed device) (default: stop)'))
    .addOption(new Option('--lock-timeout <s>', 'how long to wait for devices another change holds before giving up whole, nothing touched (default: 60)'))
    .addOption(new Option('--change-id <id>', `id of the change (default: ${reasonRequired ? 'chg' : 'plan'}-<utc date>-<time>-<random>)`));
  addInventoryCheckOption(command);
  return devicesInOrder;
}

export function registerChangeStart(change: Command): void {
  const command = change.command('start').description('start a network change (a rollout) on one or more devices');
  const devicesInOrder = addChangeRequestOptions(command, { reasonRequired: true });
  command
    .addOption(new Option('--dry-run', 'plan only and return the plan; touch nothing (see also synapse change plan)'))
    .addOption(new Option('--wait', 'wait for the change to finish and print its result').conflicts('watch'))
    .addOption(new Option('--watch', 'show live progress until the change finishes, then its result').conflicts(['wait', 'json']))
    .addHelpText(
      'after',
      `
A change is a rollout: plan (every device's diff, read once), approval (by
someone other than the requester), every device's lock, then the canary and
the waves, each followed by a fabric check and the soak; the failure budget
stops it. Nothing is touched before the approval.

The request is checked with the same schema the workflow uses: a bad flag is
reported with the field it sets, exit code 2, and nothing is started.

Examples:
  synapse change start --device leaf01 --device leaf02 --reason "MTU 9214 on fabric links" --ticket NET-1
  synapse change start --devices leaf01,leaf02,leaf03,leaf04 --reason "new peers" --canary leaf01 --wave-size 2 --soak 5m --watch
  synapse change start --device spine01 --reason "lab" --no-approval --wait

Exit code: without --wait/--watch, 0 once the change is started. With them,
0 when the change succeeded (or was a dry run), 1 when it ended any other
way (a device failed or was rolled back; stopped, aborted, rejected, expired).`,
    );
  addJsonOption(command, 'the started change (and with --wait its result)');
  addTemporalOptions(command).action(async (options: ChangeStartFlags & Record<string, unknown>) => {
    // Parsed before connecting: bad input never needs a server and never starts anything.
    const request = changeRequestFromFlags({ ...options, devices: devicesInOrder });
    await checkInventory(options, { devices: request.devices, flag: '--device', ...(request.branch ? { branch: request.branch } : {}) });
    await withTemporal(temporalFlags(options), (session) =>
      startAndFollow(
        session,
        {
          workflowType: WORKFLOW_TYPES.networkChange,
          workflowId: workflowIds.change(request.changeId),
          changeId: request.changeId,
          kind: request.kind,
          requester: request.requester,
          request,
          listed: request,
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
  const id = request.changeId;
  return [
    `started change ${id} on ${request.devices.length} device${request.devices.length === 1 ? '' : 's'}: ${request.devices.slice(0, 10).join(', ')}${request.devices.length > 10 ? ', …' : ''}${request.dryRun ? ' (dry run)' : ''}`,
    `  workflow  ${workflowIds.change(id)} (run ${runId}, task queue ${session.taskQueue})`,
    ...approvalLines(request),
    `  follow    synapse change watch ${id}`,
    `  Temporal  ${link ?? 'set TEMPORAL_UI_ADDRESS to get a link to the Temporal Web UI'}`,
  ];
}

/** What the operator does next about the approval: nothing for a dry run, who may approve and how otherwise. */
export function approvalLines(request: ChangeRequest): string[] {
  if (request.dryRun) return [];
  const id = request.changeId;
  if (!request.approval.required) return ['  approval  waived by the request: the server decides (SYNAPSE_REQUIRE_APPROVAL=false lets it start at once)'];
  return [
    `  approval  waits for an approver other than ${request.requester} (up to ${request.approval.timeoutSeconds} s); nothing is touched before:`,
    `              synapse change approve ${id} --by <name> [--comment "…"]   (shows the plan, then approves)`,
    `              synapse change reject ${id} --by <name> --comment "why"`,
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
    awaitingApproval: !request.dryRun && request.approval.required,
    request,
  };
}
