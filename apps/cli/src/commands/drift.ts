import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError, type ScheduleDescription } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import { DriftReport, mapWithConcurrency, QUERIES, WORKFLOW_TYPES, workflowIds, type DriftRequest } from '@synapse/contracts';
import { firstLine, summarizeExecution, type ChangeSummary } from '../change-state';
import { countsText, formatTime, table } from '../format';
import { badInput, CliError, EXIT, errorMessage, unavailable } from '../cli-error';
import { checkId, driftRequestFromFlags, formatEvery, parseEvery, reportClean, reportLines, scopeText, type DriftFlags } from '../drift-request';
import { checkInventory } from '../inventory';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { temporalUiLink, withTemporal, type TemporalSession } from '../temporal';

const SCOPE_HELP = 'devices to check: all, role:<role> or devices:<a,b,…> (required)';
const MODE_HELP = 'report (record drift only) or remediate (put the intent back) (default: report)';

function addRequestOptions(command: Command): Command {
  return command
    .addOption(new Option('--scope <scope>', SCOPE_HELP))
    .addOption(new Option('--mode <mode>', MODE_HELP))
    .addOption(new Option('--batch-size <n>', 'devices per batch: one batch workflow, one render and one check (default: 25)'))
    .addOption(new Option('--parallel-batches <n>', 'batches checked at once (default: 2)'))
    .addOption(new Option('--concurrency <n>', 'devices read or remediated at once (default: 5)'))
    .addOption(new Option('--reason <text>', 'why the run is made (default: "drift check")'))
    .addOption(new Option('--requester <name>', 'who asks for it (default: $USER)'))
    .addOption(new Option('--branch <name>', 'Infrahub branch holding the intent (default: its default branch)'))
    .addOption(new Option('--deletion-budget <n>', 'entries and leaves Synapse owned that one remediation may delete (default: 10)'))
    .addOption(new Option('--list-unmanaged', 'name the config on each device Synapse does not own (it is always counted, never remediated)'))
    .addOption(new Option('--max-remediations <n>', 'remediate at most this many drifted devices per run; the rest wait for the next (default: 50)'))
    .addOption(new Option('--no-approval', 'remediate without waiting for an approver (honoured only where the server allows it: SYNAPSE_REQUIRE_APPROVAL=false)'))
    .addOption(new Option('--skip-inventory-check', 'do not check devices:<…> against Infrahub before starting'));
}

/** A scope that names devices names ones Infrahub knows; a role is checked against the schema when parsed. */
async function checkScope(options: Record<string, unknown>, request: DriftRequest): Promise<void> {
  if (request.scope.kind !== 'devices') return;
  await checkInventory(options, { devices: request.scope.devices, flag: '--scope', ...(request.branch ? { branch: request.branch } : {}) });
}

function workflowArgs(session: TemporalSession, request: DriftRequest): unknown[] {
  return session.routing ? [request, session.routing] : [request];
}

export function registerDrift(program: Command): void {
  const drift = program.command('drift').description('find (and optionally remediate) devices whose running config differs from the intent');
  registerRun(drift);
  registerList(drift);
  registerReport(drift);
  registerSchedule(drift);
}

function registerRun(drift: Command): void {
  const command = addRequestOptions(
    drift
      .command('run')
      .description('start a drift run over a scope')
      .addOption(new Option('--drift-id <id>', 'id of the run (default: drift-<utc date>-<time>-<random>)'))
      .addOption(new Option('--wait', 'wait for the run to finish and print its report')),
  ).addHelpText(
    'after',
    `
Examples:
  synapse drift run --scope all --mode report --wait
  synapse drift run --scope role:leaf --mode remediate --concurrency 2
  synapse drift run --scope devices:leaf01,leaf02 --wait

Exit code: without --wait, 0 once the run is started. With --wait, 0 when no
device is left drifted, unreachable or failed to remediate, 1 otherwise.
Bad input: 2, naming the flag, nothing started.`,
  );
  addJsonOption(command, 'the started run (and with --wait its report)');
  addTemporalOptions(command).action(async (options: DriftFlags & Record<string, unknown>) => {
    const driftId = checkId('--drift-id', typeof options.driftId === 'string' ? options.driftId : generateDriftId(new Date()));
    const request = driftRequestFromFlags(options, { driftId });
    await checkScope(options, request);
    await withTemporal(temporalFlags(options), async (session) => {
      const workflowId = workflowIds.drift(driftId);
      let runId: string;
      try {
        const handle = await session.client.workflow.start(WORKFLOW_TYPES.driftRemediation, {
          workflowId,
          taskQueue: session.taskQueue,
          args: workflowArgs(session, request),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        runId = handle.firstExecutionRunId;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw badInput(`drift id "${driftId}" is already taken (workflow ${workflowId}); pick another --drift-id`);
        throw unavailable(`could not start drift run ${driftId}: ${errorMessage(err)}`, err);
      }
      const json = options.json === true;
      const started = { driftId, workflowId, runId, taskQueue: session.taskQueue, temporalUi: temporalUiLink(session, workflowId) ?? null, request };
      if (!json) {
        writeLines([
          `started drift run ${driftId} (${request.mode}, scope ${scopeText(request.scope)})`,
          `  workflow  ${workflowId} (run ${runId}, task queue ${session.taskQueue})`,
          `  report    synapse drift report ${driftId}`,
          ...remediationLines(request, driftId),
          ...(started.temporalUi ? [`  Temporal  ${started.temporalUi}`] : []),
        ]);
      }
      if (!options.wait) {
        if (json) writeJson(started);
        return;
      }
      const report = await driftResult(session, workflowId);
      if (json) writeJson({ ...started, report });
      else writeLines(reportLines(report));
      process.exitCode = reportClean(report) ? EXIT.ok : EXIT.changeFailed;
    });
  });
}

/** In remediate mode, the drifted devices go through a rollout, change/<drift id>: how to follow and approve it. */
function remediationLines(request: DriftRequest, driftId: string): string[] {
  if (request.mode !== 'remediate') return [];
  const id = request.driftId ?? driftId;
  return [
    `  remedy    what drifted (at most ${request.maxRemediations} devices) is rolled out as change ${id} (kind drift-remediation): synapse change watch ${id}`,
    ...(request.approval.required ? [`  approval  that change waits for an approver other than ${request.requester}: synapse change approve ${id} --by <name>`] : []),
  ];
}

/** The finished run's report; a failed run is exit 1 with the failure's message. */
async function driftResult(session: TemporalSession, workflowId: string): Promise<DriftReport> {
  let value: unknown;
  try {
    value = await session.client.workflow.getHandle(workflowId).result();
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause ? `: ${errorMessage(err.cause)}` : '';
      throw driftFailed(`drift run ${workflowId} failed${cause}`);
    }
    throw unavailable(`could not read drift run ${workflowId}: ${errorMessage(err)}`, err);
  }
  const parsed = DriftReport.safeParse(value);
  if (!parsed.success) throw driftFailed(`drift run ${workflowId} returned something that is not a drift report`);
  return parsed.data;
}

function driftFailed(message: string): CliError {
  return new CliError(EXIT.changeFailed, message);
}

/** A drift id, or the workflow id of a run (a scheduled run's is `drift/<schedule>-<time>`). */
function driftWorkflowId(id: string): string {
  return id.startsWith('drift/') ? id : workflowIds.drift(id);
}

function registerReport(drift: Command): void {
  const command = drift
    .command('report')
    .argument('<drift-id>', 'the run: its drift id, or its workflow id (drift/…, as `drift schedule list` shows for scheduled runs)')
    .description('the report of a finished drift run, or the progress of a running one')
    .addHelpText('after', '\nExit code: 0 when the run was found (whatever it found), 1 when it failed, 2 for an unknown id.');
  addJsonOption(command, 'the report');
  addTemporalOptions(command).action(async (id: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const workflowId = driftWorkflowId(id);
      const handle = session.client.workflow.getHandle(workflowId);
      let status: string;
      try {
        status = (await handle.describe()).status.name.toLowerCase();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw badInput(`no drift run "${id}" (workflow ${workflowId})`);
        throw unavailable(`could not read drift run ${id}: ${errorMessage(err)}`, err);
      }
      let report: DriftReport;
      if (status === 'running') {
        try {
          report = DriftReport.parse(await handle.query(QUERIES.progress));
        } catch (err) {
          throw unavailable(`drift run ${id} is running but its progress is not available: ${errorMessage(err).split('\n')[0]}`, err);
        }
      } else {
        report = await driftResult(session, workflowId);
      }
      if (options.json === true) writeJson({ workflowId, status, report });
      else writeLines([`status  ${status}`, ...reportLines(report)]);
    });
  });
}

interface ScheduleView {
  scheduleId: string;
  every: string[];
  overlap: string;
  paused: boolean;
  note?: string;
  scope?: string;
  mode?: string;
  taskQueue?: string;
  actionsTaken: number;
  skippedOverlap: number;
  running: string[];
  recent: { workflowId: string; scheduledAt: string }[];
  nextRuns: string[];
}

function scheduleView(d: ScheduleDescription): ScheduleView {
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  const request = action?.args?.[0] as DriftRequest | undefined;
  return {
    scheduleId: d.scheduleId,
    every: (d.spec.intervals ?? []).map((i) => formatEvery(Number(i.every))),
    overlap: String(d.policies.overlap),
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    ...(request?.scope ? { scope: scopeText(request.scope) } : {}),
    ...(request?.mode ? { mode: request.mode } : {}),
    ...(action ? { taskQueue: action.taskQueue } : {}),
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    running: d.info.runningActions.map((r) => r.workflow.workflowId),
    recent: d.info.recentActions.map((a) => ({ workflowId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt.toISOString() })),
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
  };
}

function scheduleLines(v: ScheduleView): string[] {
  return [
    `${v.scheduleId}  every ${v.every.join(', ') || '?'}  ${v.mode ?? '?'}  scope ${v.scope ?? '?'}  overlap ${v.overlap}  ${v.paused ? 'paused' : 'active'}`,
    `  runs ${v.actionsTaken} taken, ${v.skippedOverlap} skipped (overlap), ${v.running.length} running${v.running.length ? `: ${v.running.join(', ')}` : ''}`,
    ...(v.recent.length ? [`  last run  ${v.recent[v.recent.length - 1].workflowId}`] : []),
    ...(v.note ? [`  note ${v.note}`] : []),
  ];
}

async function describeSchedule(session: TemporalSession, id: string): Promise<ScheduleDescription> {
  try {
    return await session.client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw badInput(`no drift schedule "${id}"`);
    throw unavailable(`could not read schedule ${id}: ${errorMessage(err)}`, err);
  }
}

function registerSchedule(drift: Command): void {
  const schedule = drift.command('schedule').description('recurring drift runs (Temporal Schedules; an overlapping run is skipped)');

  const create = addRequestOptions(
    schedule
      .command('create')
      .description('run drift checks every interval')
      .addOption(new Option('--every <interval>', 'how often: 30s, 15m, 1h, 1h30m, 1d (required)'))
      .addOption(new Option('--id <name>', 'the schedule id (default: drift-<mode>-<random>)')),
  ).addHelpText(
    'after',
    `
A run still going when the next is due makes that one skipped (overlap SKIP).
Example:
  synapse drift schedule create --every 1h --scope all --mode report --id hourly-drift`,
  );
  addJsonOption(create, 'the created schedule');
  addTemporalOptions(create).action(async (options: DriftFlags & Record<string, unknown>) => {
    const every = parseEvery(typeof options.every === 'string' ? options.every : undefined);
    const request = driftRequestFromFlags(options);
    await checkScope(options, request);
    const scheduleId = checkId('--id', typeof options.id === 'string' ? options.id : `drift-${request.mode}-${randomBytes(3).toString('hex')}`);
    await withTemporal(temporalFlags(options), async (session) => {
      try {
        await session.client.schedule.create({
          scheduleId,
          spec: { intervals: [{ every }] },
          action: {
            type: 'startWorkflow',
            workflowType: WORKFLOW_TYPES.driftRemediation,
            // Temporal appends the scheduled time: drift/<schedule>-<time>, whose drift id the workflow derives.
            workflowId: workflowIds.drift(scheduleId),
            taskQueue: session.taskQueue,
            args: workflowArgs(session, request),
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
          state: { note: `created by ${request.requester}: ${request.reason}` },
        });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning) throw badInput(`schedule id "${scheduleId}" is already taken; pick another --id`);
        throw unavailable(`could not create schedule ${scheduleId}: ${errorMessage(err)}`, err);
      }
      const view = scheduleView(await describeSchedule(session, scheduleId));
      if (options.json === true) writeJson(view);
      else writeLines([`created drift schedule ${scheduleId}`, ...scheduleLines(view)]);
    });
  });

  const list = schedule.command('list').description('the drift schedules, with their interval, overlap policy, state and runs');
  addJsonOption(list, 'the schedules');
  addTemporalOptions(list).action(async (options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const views: ScheduleView[] = [];
      try {
        for await (const summary of session.client.schedule.list()) {
          if (summary.action?.type !== 'startWorkflow' || summary.action.workflowType !== WORKFLOW_TYPES.driftRemediation) continue;
          try {
            views.push(scheduleView(await session.client.schedule.getHandle(summary.scheduleId).describe()));
          } catch (err) {
            // Deleted between the list and the describe: the list is eventually consistent.
            if (!(err instanceof ScheduleNotFoundError)) throw err;
          }
        }
      } catch (err) {
        throw unavailable(`could not list schedules: ${errorMessage(err)}`, err);
      }
      views.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
      if (options.json === true) writeJson(views);
      else writeLines(views.length ? views.flatMap(scheduleLines) : ['no drift schedules']);
    });
  });

  for (const [name, description] of [
    ['pause', 'stop a schedule starting runs (a running one goes on)'],
    ['unpause', 'let a paused schedule start runs again'],
    ['delete', 'remove a schedule (runs it started go on)'],
  ] as const) {
    const command = schedule.command(name).argument('<id>', 'the schedule id').description(description);
    addJsonOption(command, 'the schedule after the change');
    addTemporalOptions(command).action(async (id: string, options: Record<string, unknown>) => {
      await withTemporal(temporalFlags(options), async (session) => {
        await describeSchedule(session, id);
        const handle = session.client.schedule.getHandle(id);
        try {
          if (name === 'pause') await handle.pause('paused with synapse drift schedule pause');
          else if (name === 'unpause') await handle.unpause('unpaused with synapse drift schedule unpause');
          else await handle.delete();
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) throw badInput(`no drift schedule "${id}"`);
          throw unavailable(`could not ${name} schedule ${id}: ${errorMessage(err)}`, err);
        }
        if (name === 'delete') {
          if (options.json === true) writeJson({ scheduleId: id, deleted: true });
          else writeLines([`deleted drift schedule ${id}`]);
          return;
        }
        const view = scheduleView(await describeSchedule(session, id));
        if (options.json === true) writeJson(view);
        else writeLines([`${name === 'pause' ? 'paused' : 'unpaused'} drift schedule ${id}`, ...scheduleLines(view)]);
      });
    });
  }
}

/** One past or running drift run, as `drift list` shows it. */
interface DriftRunView {
  driftId: string;
  workflowId: string;
  runId: string;
  status: string;
  startTime: string;
  closeTime?: string;
  requester?: string;
  mode?: string;
  scope?: string;
  /** Devices per drift state: from the report when the run is closed, from its `progress` query while it runs. */
  counts?: Record<string, number>;
  /** Why there are no counts (a failed run, progress not available). */
  problem?: string;
}

const DRIFT_STATUS: Record<string, string> = { running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled', canceled: 'Canceled', terminated: 'Terminated', 'timed-out': 'TimedOut' };
/** Runs whose report or progress is read at once. */
const DRIFT_READS_AT_ONCE = 8;

function registerList(drift: Command): void {
  const command = drift
    .command('list')
    .description('past and running drift runs (scheduled ones too): mode, status and devices per drift state')
    .addOption(new Option('--status <status>', 'only runs in this state').choices(Object.keys(DRIFT_STATUS)))
    .addOption(new Option('--limit <n>', 'at most this many runs').default('20'))
    .addHelpText(
      'after',
      `
Counts come from the report of a finished run and from the \`progress\` query of
a running one. A remediating run's rollout is the change with its drift id:
synapse change show <drift-id> (or change list --kind drift-remediation).`,
    );
  addJsonOption(command, 'the runs');
  addTemporalOptions(command).action(async (options: Record<string, unknown>) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput(`--limit: a whole number from 1 to 1000, got "${String(options.limit)}"`);
    const query = [`WorkflowType = '${WORKFLOW_TYPES.driftRemediation}'`, ...(typeof options.status === 'string' ? [`ExecutionStatus = '${DRIFT_STATUS[options.status]}'`] : [])].join(' AND ');
    await withTemporal(temporalFlags(options), async (session) => {
      const runs: ChangeSummary[] = [];
      try {
        for await (const info of session.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          runs.push(summarizeExecution(info));
          if (runs.length >= limit) break;
        }
      } catch (err) {
        throw unavailable(`could not list drift runs (${query}): ${errorMessage(err)}`, err);
      }
      const views = await mapWithConcurrency(runs, DRIFT_READS_AT_ONCE, (run) => driftRunView(session, run));
      if (options.json === true) writeJson(views);
      else if (views.length === 0) writeLines([`no drift runs${options.status ? ` ${String(options.status)}` : ''}`]);
      else
        writeLines(
          table(
            ['DRIFT', 'MODE', 'STATUS', 'STARTED', 'SCOPE', 'DEVICES'],
            views.map((v) => [v.driftId, v.mode ?? '-', v.status, formatTime(v.startTime), v.scope ?? '-', v.counts ? countsText(v.counts) : `(${v.problem ?? 'unknown'})`]),
          ),
        );
    });
  });
}

async function driftRunView(session: TemporalSession, run: ChangeSummary): Promise<DriftRunView> {
  const base: DriftRunView = {
    driftId: run.changeId,
    workflowId: run.workflowId,
    runId: run.runId,
    status: run.status,
    startTime: run.startTime,
    ...(run.closeTime ? { closeTime: run.closeTime } : {}),
    ...(run.requester ? { requester: run.requester } : {}),
  };
  const handle = session.client.workflow.getHandle(run.workflowId, run.runId);
  let report: DriftReport;
  try {
    const value = run.status === 'running' ? await session.connection.withDeadline(Date.now() + 5_000, () => handle.query<unknown>(QUERIES.progress)) : await handle.result();
    report = DriftReport.parse(value);
  } catch (err) {
    const problem = err instanceof WorkflowFailedError ? `failed: ${firstLine(errorMessage(err.cause ?? err))}` : `${run.status === 'running' ? 'progress' : 'report'} not available: ${firstLine(errorMessage(err))}`;
    return { ...base, problem };
  }
  const counts = Object.fromEntries(Object.entries(report.counts).filter(([, n]) => n > 0));
  return { ...base, driftId: report.driftId, mode: report.mode, scope: scopeText(report.scope), counts };
}

/** e.g. drift-20261128-140512-3f9a1c. */
function generateDriftId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `drift-${stamp}-${randomBytes(3).toString('hex')}`;
}
