import { Option, type Command } from 'commander';
import { WORKFLOW_TYPES, workflowIds, type EmergencyChangeRequest } from '@synapse/contracts';
import { emergencyRequestFromFlags, type EmergencyFlags } from '../emergency-request';
import { addJsonOption, addTemporalOptions, temporalFlags } from '../options';
import { startAndFollow } from '../start-change';
import { temporalUiLink, withTemporal, type TemporalSession } from '../temporal';

export function registerEmergency(program: Command): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const command = program
    .command('emergency')
    .description('apply an emergency change now: pre-empts a standard change on the device, still backs up, validates and rolls back')
    .addOption(new Option('--device <name>', 'a device to change (repeatable)').argParser(collect))
    .addOption(new Option('--devices <a,b,…>', 'devices to change, comma separated (repeatable)').argParser(collect))
    .addOption(new Option('--reason <text>', 'why the normal process is bypassed (required)'))
    .addOption(new Option('--ticket <id>', 'the incident or change ticket (required)'))
    .addOption(new Option('--requester <name>', 'the operator (default: $USER)'))
    .addOption(new Option('--update <path=value>', 'a gNMI update of the patch, value as JSON or text (repeatable)').argParser(collect))
    .addOption(new Option('--delete <path>', 'a gNMI delete of the patch (repeatable)').argParser(collect))
    .addOption(new Option('--patch-file <file>', 'the patch as JSON: {"update": [{"path", "value"}], "delete": [paths]}'))
    .addOption(new Option('--intent', "apply each device's intent from Infrahub instead of a patch"))
    .addOption(new Option('--branch <name>', 'with --intent: the Infrahub branch holding it'))
    .addOption(new Option('--revert-after <duration>', 'put the backup back after this long (e.g. 30m, 2h); default: the change stays'))
    .addOption(new Option('--settle-seconds <n>', 'how long interfaces and BGP get to come up (default: 15, the reduced emergency validation)'))
    .addOption(new Option('--no-commit-confirmed', 'plain Set, without commit-confirmed (devices without the extension)'))
    .addOption(new Option('--preempt-timeout <duration>', 'how long to wait for a pre-empted standard change to roll back (default: 5m)'))
    .addOption(new Option('--concurrency <n>', 'devices changed at once (default: 10)'))
    .addOption(new Option('--change-id <id>', 'id of the emergency (default: em-<utc date>-<time>-<random>)'))
    .addOption(new Option('--wait', 'wait for the emergency to finish (including its time to live) and print its result').conflicts('watch'))
    .addOption(new Option('--watch', 'show live per-device progress until it finishes, then its result').conflicts(['wait', 'json']))
    .addHelpText(
      'after',
      `
A standard or drift-remediation change running on a device is pre-empted:
it stops, rolls back what it deployed and records that it was pre-empted,
then the emergency takes the device. The device is backed up first, the
change is validated (interfaces and BGP, short settle time) and rolled back
if that fails; Infrahub records the device as needs-reconciliation with a
change record of kind emergency. A --revert-after puts the backup back.

Examples:
  synapse emergency --device leaf01 --reason "peer 10.0.0.0 flapping" --ticket INC-4711 \\
    --update '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]/admin-state=disable' --revert-after 2h --watch
  synapse emergency --devices leaf01,leaf02 --reason "restore intent after incident" --ticket INC-4712 --intent --wait

Exit code: 2 without --reason or --ticket, or with a bad patch (nothing is
started); without --wait/--watch 0 once started; with them 0 when every
device succeeded, 1 otherwise.`,
    );
  addJsonOption(command, 'the started emergency (and with --wait its result)');
  addTemporalOptions(command).action(async (options: EmergencyFlags & { device?: string[]; devices?: string[] } & Record<string, unknown>) => {
    // Parsed before connecting: an emergency without a reason or a ticket never starts.
    const request = emergencyRequestFromFlags({ ...options, devices: [...(options.device ?? []), ...(options.devices ?? [])] });
    await withTemporal(temporalFlags(options), (session) =>
      startAndFollow(
        session,
        {
          workflowType: WORKFLOW_TYPES.emergencyChange,
          workflowId: workflowIds.emergency(request.changeId),
          changeId: request.changeId,
          kind: 'emergency',
          requester: request.requester,
          request,
          startedLines: (runId) => startedLines(session, request, runId),
          startedJson: (runId) => startedJson(session, request, runId),
          takenHint: 'pick another --change-id',
        },
        options,
      ),
    );
  });
}

function startedLines(session: TemporalSession, request: EmergencyChangeRequest, runId: string): string[] {
  const workflowId = workflowIds.emergency(request.changeId);
  const what = request.source.kind === 'intent' ? 'the intent from Infrahub' : `a patch of ${request.source.patch.update.length} update(s), ${request.source.patch.delete.length} delete(s)`;
  const ttl = request.revertAfterSeconds !== undefined ? `, reverting after ${request.revertAfterSeconds} s` : '';
  return [
    `started EMERGENCY change ${request.changeId} (ticket ${request.ticket}) on ${request.devices.join(', ')}: ${what}${ttl}`,
    `  workflow  ${workflowId} (run ${runId}, task queue ${session.taskQueue})`,
    `  Temporal  ${temporalUiLink(session, workflowId) ?? 'set TEMPORAL_UI_ADDRESS to get a link to the Temporal Web UI'}`,
  ];
}

function startedJson(session: TemporalSession, request: EmergencyChangeRequest, runId: string) {
  const workflowId = workflowIds.emergency(request.changeId);
  return { changeId: request.changeId, workflowId, runId, taskQueue: session.taskQueue, temporalUi: temporalUiLink(session, workflowId) ?? null, request };
}
