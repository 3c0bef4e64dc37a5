import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { ConfigViewResult, DeviceName, WORKFLOW_TYPES, workflowIds, type ConfigView, type ConfigViewRequest } from '@synapse/contracts';
import { summarizeFailure } from '../change-state';
import { badInput, CliError, EXIT, errorMessage, unavailable } from '../cli-error';
import { deviceDriftLines } from '../drift-request';
import { addInventoryCheckOption, checkInventory } from '../inventory';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { withTemporal, type TemporalSession } from '../temporal';

/**
 * How long the CLI waits for a look at one device. Long enough for a Get
 * retried through a short outage; a missing worker is said, not waited for.
 */
const VIEW_TIMEOUT = '2 minutes';

/**
 * `synapse config intended|running|diff <device>`: what Infrahub intends,
 * what the device runs, and the difference on what Synapse owns. Each asks
 * the workers through a short read-only workflow (ConfigViewWorkflow): the
 * device credentials stay with the device worker, the Infrahub token with
 * the infrahub worker.
 */
export function registerConfig(program: Command): void {
  const config = program.command('config').description("look at one device's config: intended (Infrahub), running (the device), diff (intended -> running)");
  registerView(config, 'intended', "the config Synapse would deploy, rendered from the device's intent in Infrahub", true);
  registerView(config, 'running', "the device's running config now (gNMI Get through the device worker; the CLI holds no device credentials)", false);
  registerView(config, 'diff', 'intended -> running on the paths Synapse owns: what a drift run would report for this device', true);
}

function registerView(config: Command, view: ConfigView, description: string, readsIntent: boolean): void {
  const command = config.command(view).argument('<device>', 'the device, as Infrahub names it').description(description);
  if (readsIntent) command.addOption(new Option('--branch <name>', 'Infrahub branch holding the intent (default: its default branch)'));
  addInventoryCheckOption(command);
  command.addHelpText(
    'after',
    view === 'diff'
      ? '\nExit code (like diff): 0 in sync, 1 when the device differs from its intent, 2 unknown device or bad flags, 3 device, Infrahub or workers unavailable.'
      : '\nExit code: 0 shown, 2 unknown device or bad flags, 3 device, Infrahub or workers unavailable.',
  );
  addJsonOption(command, view === 'diff' ? 'the drift check of the device' : 'the config with what it was read from');
  addTemporalOptions(command).action(async (device: string, options: Record<string, unknown>) => {
    const name = DeviceName.safeParse(device);
    if (!name.success) throw badInput(`<device> "${device}" is not a device name: ${name.error.issues[0]?.message ?? 'invalid'}`);
    const branch = typeof options.branch === 'string' ? options.branch : undefined;
    if (branch !== undefined && branch.trim() === '') throw badInput('--branch is empty');
    await checkInventory(options, { devices: [name.data], flag: '<device>', ...(branch ? { branch } : {}) });
    const request: ConfigViewRequest = { device: name.data, view, ...(branch ? { branch } : {}) };
    await withTemporal(temporalFlags(options), async (session) => {
      const result = await runView(session, request);
      if (options.json === true) writeJson(result);
      else writeLines(viewLines(result));
      if (result.view === 'diff' && result.status.status !== 'in-sync') process.exitCode = EXIT.changeFailed;
    });
  });
}

async function runView(session: TemporalSession, request: ConfigViewRequest): Promise<ConfigViewResult> {
  const workflowId = workflowIds.configView(request.device, randomBytes(4).toString('hex'));
  let raw: unknown;
  try {
    raw = await session.client.workflow.execute(WORKFLOW_TYPES.configView, {
      workflowId,
      taskQueue: session.taskQueue,
      args: session.routing ? [request, session.routing] : [request],
      workflowExecutionTimeout: VIEW_TIMEOUT,
    });
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw unavailable(`could not read the ${request.view} config of ${request.device}: ${errorMessage(err)}`, err);
    const failure = summarizeFailure(err);
    if (failure.type === 'IntentNotFound' || failure.type === 'BranchNotFound') throw badInput(failure.message);
    const hint = failure.type === 'TimeoutFailure' || /timed out/i.test(failure.message) ? ` (no answer within ${VIEW_TIMEOUT}: are the workers running on task queue ${session.taskQueue}?)` : '';
    throw new CliError(EXIT.unavailable, `could not read the ${request.view} config of ${request.device}: ${failure.message} [${failure.type}]${hint}`);
  }
  return ConfigViewResult.parse(raw);
}

function viewLines(result: ConfigViewResult): string[] {
  const branch = 'branch' in result && result.branch ? ` (Infrahub branch ${result.branch})` : '';
  switch (result.view) {
    case 'intended':
      return [
        `# intended config of ${result.device}${branch}: ${Object.keys(result.config).length} paths Synapse owns`,
        ...Object.entries(result.config).flatMap(([path, value]) => [path, indent(JSON.stringify(value, null, 2))]),
      ];
    case 'running':
      return [`# running config of ${result.device}, read ${result.readAt}`, JSON.stringify(result.config, null, 2)];
    case 'diff':
      return [
        `# ${result.device}${branch}: intended -> running on the paths Synapse owns ((absent): not there)`,
        ...deviceDriftLines(result.status),
      ];
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
