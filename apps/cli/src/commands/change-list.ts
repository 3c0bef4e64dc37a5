import { Option, type Command } from 'commander';
import { DeviceName, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '@synapse/contracts';
import { summarizeExecution, type ChangeSummary } from '../change-state';
import { badInput, errorMessage, unavailable } from '../cli-error';
import { changeListLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { withTemporal } from '../temporal';

/** Temporal's names for execution states in visibility queries. */
const STATUS_FILTER: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
};

export function registerChangeList(change: Command): void {
  const command = change
    .command('list')
    .description('recent changes: running ones first, then the most recently finished (Temporal visibility)')
    .addOption(new Option('--device <name>', 'only changes that touched this device'))
    .addOption(new Option('--status <status>', 'only changes in this state').choices(Object.keys(STATUS_FILTER)))
    .addOption(new Option('--limit <n>', 'at most this many changes').default('20'))
    .addHelpText(
      'after',
      `
The same search works in the Temporal Web UI:
  WorkflowType IN ('${WORKFLOW_TYPES.networkChange}', '${WORKFLOW_TYPES.emergencyChange}') AND ${SEARCH_ATTRIBUTES.devices.name} = 'leaf01'

STATUS is Temporal's: a completed change may still have devices that were
rolled back; \`synapse change show <id>\` has the per-device outcome.`,
    );
  addJsonOption(command, 'the changes');
  addTemporalOptions(command).action(async (options: Record<string, unknown>) => {
    const query = visibilityQuery(options);
    const limit = parseLimit(String(options.limit));
    await withTemporal(temporalFlags(options), async (session) => {
      const changes: ChangeSummary[] = [];
      try {
        for await (const info of session.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          changes.push(summarizeExecution(info));
          if (changes.length >= limit) break;
        }
      } catch (err) {
        throw unavailable(`could not list changes (${query}): ${errorMessage(err)}`, err);
      }
      if (options.json === true) writeJson(changes);
      else if (changes.length === 0) writeLines([`no changes${options.device ? ` on ${String(options.device)}` : ''}${options.status ? ` ${String(options.status)}` : ''}`]);
      else writeLines(changeListLines(changes));
    });
  });
}

function visibilityQuery(options: Record<string, unknown>): string {
  // Standard and emergency changes: an operator looking at a device wants both.
  const clauses = [`WorkflowType IN ('${WORKFLOW_TYPES.networkChange}', '${WORKFLOW_TYPES.emergencyChange}')`];
  if (options.device !== undefined) {
    // The device-name schema allows no quote, so the value cannot break out of the query string.
    const device = DeviceName.safeParse(options.device);
    if (!device.success) throw badInput(`--device: ${device.error.issues[0]?.message ?? 'not a device name'}`);
    clauses.push(`${SEARCH_ATTRIBUTES.devices.name} = '${device.data}'`);
  }
  if (typeof options.status === 'string') clauses.push(`ExecutionStatus = '${STATUS_FILTER[options.status]}'`);
  return clauses.join(' AND ');
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput(`--limit: a whole number from 1 to 1000, got "${text}"`);
  return limit;
}
