import { Option, type Command } from 'commander';
import { ChangeId, ChangeKind, DeviceName, ListedOutcome, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '@synapse/contracts';
import { SEARCH_KEYS, summarizeExecution, type ChangeSummary } from '../change-state';
import { badInput, errorMessage, unavailable } from '../cli-error';
import { changeListLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { listExecutions } from '../executions';
import { withTemporal, type TemporalSession } from '../temporal';

/** Temporal's names for execution states in visibility queries. */
const STATUS_FILTER: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  // What show and list print (Temporal's status name), and the UI's spelling.
  cancelled: 'Canceled',
  canceled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
};

/** Device workflows read to find a device's changes: its most recent ones, enough for any --limit. */
const MAX_DEVICE_RUNS = 2_000;
/** Change ids per visibility query (`SynapseChangeId IN (…)`): keeps the query text short. */
const IDS_PER_QUERY = 100;

const CHANGE_TYPES = `WorkflowType IN ('${WORKFLOW_TYPES.networkChange}', '${WORKFLOW_TYPES.emergencyChange}')`;

export function registerChangeList(change: Command): void {
  const command = change
    .command('list')
    .description('recent changes (standard, drift remediations, emergencies): kind, status and outcome (Temporal visibility)')
    .addOption(new Option('--device <name>', 'only changes that touched this device (found through its device workflows)'))
    .addOption(new Option('--kind <kind>', 'only changes of this kind').choices(ChangeKind.options))
    .addOption(new Option('--status <status>', 'only changes in this state').choices(Object.keys(STATUS_FILTER)))
    .addOption(new Option('--outcome <outcome>', `only changes that ended so (${SEARCH_ATTRIBUTES.outcome.name})`).choices(ListedOutcome.options))
    .addOption(new Option('--limit <n>', 'at most this many changes').default('20'))
    .addHelpText(
      'after',
      `
The same search works in the Temporal Web UI:
  ${CHANGE_TYPES}
A change does not list its devices; each device workflow (device/<name>) does:
  WorkflowType = '${WORKFLOW_TYPES.deviceChange}' AND ${SEARCH_ATTRIBUTES.devices.name} = 'leaf01'
and its ${SEARCH_ATTRIBUTES.changeId.name} names the change. So --device finds a change once
it has taken its locks (a change still planning or awaiting approval has no
device workflow yet: \`change list --status running\` shows it).

STATUS is Temporal's; OUTCOME (${SEARCH_ATTRIBUTES.outcome.name}) is how the change ended:
${ListedOutcome.options.join(', ')}.
rolled-back: it failed and every device it had deployed was put back to its
backup. The UI finds them with ${SEARCH_ATTRIBUTES.outcome.name} = 'rolled-back'.
\`synapse change show <id>\` has the per-device result.`,
    );
  addJsonOption(command, 'the changes');
  addTemporalOptions(command).action(async (options: Record<string, unknown>) => {
    const limit = parseLimit(String(options.limit));
    const device = options.device === undefined ? undefined : deviceName(options.device);
    await withTemporal(temporalFlags(options), async (session) => {
      const filters = [CHANGE_TYPES, ...filterClauses(options)];
      let changes: ChangeSummary[];
      if (device === undefined) {
        changes = await listChanges(session, filters.join(' AND '), limit);
      } else {
        // With a filter, more of the device's changes are looked at: the filter is applied to the changes, not the device workflows.
        const ids = await changeIdsOnDevice(session, device, filters.length > 1 ? 1000 : limit);
        changes = [];
        for (let start = 0; start < ids.length && changes.length < limit; start += IDS_PER_QUERY) {
          const some = ids.slice(start, start + IDS_PER_QUERY);
          changes.push(...(await listChanges(session, [...filters, `${SEARCH_ATTRIBUTES.changeId.name} IN (${some.map((id) => `'${id}'`).join(', ')})`].join(' AND '), limit)));
        }
        // Most recent first, as without --device.
        changes = changes.sort((a, b) => b.startTime.localeCompare(a.startTime)).slice(0, limit);
      }
      if (options.json === true) writeJson(changes);
      else if (changes.length === 0) writeLines([`no changes${device ? ` on ${device}` : ''}${options.kind ? ` of kind ${String(options.kind)}` : ''}${options.status ? ` ${String(options.status)}` : ''}${options.outcome ? ` ${String(options.outcome)}` : ''}`]);
      else writeLines(changeListLines(changes));
    });
  });
}

function filterClauses(options: Record<string, unknown>): string[] {
  return [
    // Each comes from commander's choices: no quote can reach the query.
    ...(typeof options.kind === 'string' ? [`${SEARCH_ATTRIBUTES.changeKind.name} = '${options.kind}'`] : []),
    ...(typeof options.status === 'string' ? [`ExecutionStatus = '${STATUS_FILTER[options.status]}'`] : []),
    ...(typeof options.outcome === 'string' ? [`${SEARCH_ATTRIBUTES.outcome.name} = '${options.outcome}'`] : []),
  ];
}

async function listChanges(session: TemporalSession, query: string, limit: number): Promise<ChangeSummary[]> {
  const changes: ChangeSummary[] = [];
  try {
    for await (const info of listExecutions(session, query, Math.min(limit, 100))) {
      changes.push(summarizeExecution(info));
      if (changes.length >= limit) break;
    }
  } catch (err) {
    throw unavailable(`could not list changes (${query}): ${errorMessage(err)}`, err);
  }
  return changes;
}

/** The changes that ran device workflows on the device, most recent first, at most `limit` of them. */
async function changeIdsOnDevice(session: TemporalSession, device: string, limit: number): Promise<string[]> {
  const query = `WorkflowType = '${WORKFLOW_TYPES.deviceChange}' AND ${SEARCH_ATTRIBUTES.devices.name} = '${device}'`;
  const ids: string[] = [];
  let read = 0;
  try {
    for await (const info of listExecutions(session, query, 100)) {
      const id = info.typedSearchAttributes.get(SEARCH_KEYS.changeId);
      // Only ids the schema allows go into the next query: they cannot carry a quote.
      if (id && ChangeId.safeParse(id).success && !ids.includes(id)) ids.push(id);
      if (ids.length >= limit || ++read >= MAX_DEVICE_RUNS) break;
    }
  } catch (err) {
    throw unavailable(`could not list the device workflows of ${device} (${query}): ${errorMessage(err)}`, err);
  }
  return ids;
}

function deviceName(value: unknown): string {
  // The device-name schema allows no quote, so the value cannot break out of the query string.
  const device = DeviceName.safeParse(value);
  if (!device.success) throw badInput(`--device: ${device.error.issues[0]?.message ?? 'not a device name'}`);
  return device.data;
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput(`--limit: a whole number from 1 to 1000, got "${text}"`);
  return limit;
}
