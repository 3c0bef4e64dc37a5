import { Option, type Command } from 'commander';
import { EMERGENCY_UPDATES, RevertNowAnswer, RevertNowRequest, WORKFLOW_TYPES, workflowIds, type EmergencyChangeRequest } from '@synapse/contracts';
import { awaitOutcome, describeChange, executeUpdate, outcomeJson, outcomeSucceeded } from '../change-state';
import { badInput, EXIT } from '../cli-error';
import { outcomeLines } from '../format';
import { currentOperator } from '../operator';
import { emergencyRequestFromFlags, type EmergencyFlags } from '../emergency-request';
import { addInventoryCheckOption, checkInventory } from '../inventory';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
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
  addInventoryCheckOption(command);
  addJsonOption(command, 'the started emergency (and with --wait its result)');
  addTemporalOptions(command).action(async (options: EmergencyFlags & { device?: string[]; devices?: string[] } & Record<string, unknown>) => {
    // Parsed before connecting: an emergency without a reason or a ticket never starts.
    const request = emergencyRequestFromFlags({ ...options, devices: [...(options.device ?? []), ...(options.devices ?? [])] });
    const branch = request.source.kind === 'intent' ? request.source.branch : undefined;
    await checkInventory(options, { devices: request.devices, flag: '--device', ...(branch ? { branch } : {}) });
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
          listed: request,
          startedLines: (runId) => startedLines(session, request, runId),
          startedJson: (runId) => startedJson(session, request, runId),
          takenHint: 'pick another --change-id',
        },
        options,
      ),
    );
  });
  registerRevert(command);
}

/**
 * `synapse emergency revert <id>`: the time to live ends now. Each device
 * still in its emergency puts its backup back (verified identical on what
 * the emergency touched), exactly as when the time runs out; then the
 * emergency's result is printed.
 */
function registerRevert(emergency: Command): void {
  const command = emergency
    .command('revert')
    .argument('<change-id>', 'the emergency (em-… or emergency/em-…)')
    .description('revert an emergency with a time to live now: its devices get their backups back, then its result is printed')
    .addOption(new Option('--by <name>', 'who reverts (default: $USER)'))
    .addOption(new Option('--reason <text>', 'why now'))
    .addHelpText(
      'after',
      `
Only an emergency started with --revert-after can be reverted (one without
is meant to stay: cancel it while it runs to roll it back). Exit code: 0 when
every device was reverted, 1 otherwise, 2 when the emergency is unknown, has
ended or has no time to live (nothing done).`,
    );
  addJsonOption(command, 'the devices told to revert and the result');
  addTemporalOptions(command).action(async (ref: string, _own: Record<string, unknown>, self: Command) => {
    // `emergency` has its own --reason, which commander gives the parent wherever it is written: read both.
    const options = self.optsWithGlobals<Record<string, unknown>>();
    const parsed = RevertNowRequest.safeParse({ by: typeof options.by === 'string' ? options.by : currentOperator(), ...(typeof options.reason === 'string' ? { reason: options.reason } : {}) });
    if (!parsed.success) throw badInput(`${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}; nothing was done`);
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, ref.includes('/') ? ref : `emergency/${ref}`);
      if (summary.status !== 'running') throw badInput(`emergency ${summary.changeId} has already ended (${summary.status}${summary.outcome ? `, ${summary.outcome}` : ''}): nothing to revert`);
      const answer = RevertNowAnswer.parse(await executeUpdate(session, handle, EMERGENCY_UPDATES.revertNow, parsed.data));
      if (options.json !== true) writeLines([`revert requested for emergency ${answer.changeId} (by ${parsed.data.by}): ${answer.devices.join(', ')} put their backups back now`]);
      const outcome = await awaitOutcome(handle);
      if (options.json === true) writeJson({ changeId: answer.changeId, workflowId: summary.workflowId, action: 'revert', by: parsed.data.by, devices: answer.devices, ...outcomeJson(outcome) });
      else writeLines(outcomeLines(answer.changeId, outcome));
      process.exitCode = outcomeSucceeded(outcome) ? EXIT.ok : EXIT.changeFailed;
    });
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
