import { Option, type Command } from 'commander';
import { AbortRequest, ApprovalDecision, OperatorAction, UPDATES, type DevicePlan, type RolloutProgress } from '@synapse/contracts';
import type { WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { describeChange, firstLine, isRollout, queryPlan, queryRolloutProgress, runUpdate, type ChangeSummary, type OperatorUpdate } from '../change-state';
import { badInput, errorMessage, unavailable } from '../cli-error';
import { countsText, planSummaryLines } from '../format';
import { currentOperator } from '../operator';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { withTemporal, type TemporalSession } from '../temporal';

/**
 * The operator's controls on a running rollout, each a Workflow Update the
 * change validates (approve, reject, pause, resume, abort), and cancel. The
 * workflow decides; a refusal comes back in its words, exit 2, nothing done.
 */
export function registerChangeControls(change: Command): void {
  registerDecision(change, 'approve', 'approve a change waiting for approval (after showing its plan); it then takes its locks and rolls out');
  registerDecision(change, 'reject', 'reject a change waiting for approval (after showing its plan); it ends rejected, nothing touched');
  registerAction(change, 'pause', 'pause a rollout: the running wave finishes, no new wave starts until resume', (action) => action);
  registerAction(change, 'resume', 'resume a paused rollout', (action) => action);
  registerAction(change, 'abort', 'abort a rollout: no more devices start; with --rollback every deployed device is rolled back', (action, options) => ({
    ...action,
    rollback: options.rollback === true,
  }));
  registerCancel(change);
}

const ID_HELP = 'the change (chg-… or change/chg-…)';
const BY_HELP = 'who decides (default: $USER, the identity the CLI gives requesters)';

function registerDecision(change: Command, name: 'approve' | 'reject', description: string): void {
  const command = change
    .command(name)
    .argument('<change-id>', ID_HELP)
    .description(description)
    .addOption(new Option('--by <name>', BY_HELP))
    .addOption(new Option('--comment <text>', name === 'approve' ? 'why it may go ahead' : 'why not'))
    .addHelpText(
      'after',
      `
The plan the change computed (its \`plan\` query) is printed first: what you
${name}. The change refuses a decision by its own requester (unless the server
allows self-approval, SYNAPSE_ALLOW_SELF_APPROVAL) and a decision when it is
not waiting for one; the refusal is printed, exit 2, nothing done.`,
    );
  addJsonOption(command, 'the plan and the change after the decision');
  addTemporalOptions(command).action(async (ref: string, options: Record<string, unknown>) => {
    const decision = parseAction(ApprovalDecision, { approver: by(options), ...(typeof options.comment === 'string' ? { comment: options.comment } : {}) }, { approver: '--by', comment: '--comment' });
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await runningRollout(session, ref, name);
      let plan: DevicePlan[] | undefined;
      let planProblem: string | undefined;
      try {
        plan = await queryPlan(session, handle);
      } catch (err) {
        planProblem = firstLine(errorMessage(err));
      }
      const json = options.json === true;
      if (!json) writeLines([`plan of change ${summary.changeId}:`, ...(plan ? planSummaryLines(plan) : [`  not available: ${planProblem}`]), '']);
      const progress = await afterUpdate(session, handle, await runUpdate(session, handle, UPDATES[name], decision));
      if (json) {
        writeJson({ changeId: summary.changeId, workflowId: summary.workflowId, action: name, by: decision.approver, plan: plan ?? null, progress });
        return;
      }
      const verdict =
        name === 'approve'
          ? `approved change ${summary.changeId} (by ${decision.approver}): now ${phaseText(progress)}`
          : `rejected change ${summary.changeId} (by ${decision.approver}): it ends rejected; nothing was touched`;
      writeLines([verdict, `  follow  synapse change watch ${summary.changeId}`]);
    });
  });
}

function registerAction(change: Command, name: 'pause' | 'resume' | 'abort', description: string, body: (action: z.input<typeof OperatorAction>, options: Record<string, unknown>) => unknown): void {
  const command = change
    .command(name)
    .argument('<change-id>', ID_HELP)
    .description(description)
    .addOption(new Option('--by <name>', BY_HELP))
    .addOption(new Option('--reason <text>', `why ${name}`));
  if (name === 'abort') command.addOption(new Option('--rollback', 'also roll back every device the change deployed (default: leave them)'));
  command.addHelpText(
    'after',
    `
The change refuses what does not apply now (pause while it is not rolling
out, resume when it is not paused, abort once it is done): the refusal is
printed, exit 2, nothing done.`,
  );
  addJsonOption(command, 'the change after the action');
  addTemporalOptions(command).action(async (ref: string, options: Record<string, unknown>) => {
    const action = body({ by: by(options), ...(typeof options.reason === 'string' ? { reason: options.reason } : {}) }, options);
    const parsed = parseAction(name === 'abort' ? AbortRequest : OperatorAction, action, { by: '--by', reason: '--reason' });
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await runningRollout(session, ref, name);
      const progress = await afterUpdate(session, handle, await runUpdate(session, handle, UPDATES[name], parsed));
      if (options.json === true) {
        writeJson({ changeId: summary.changeId, workflowId: summary.workflowId, action: name, by: parsed.by, progress });
        return;
      }
      const id = summary.changeId;
      const said = {
        pause: `paused change ${id} (by ${parsed.by}): the running wave finishes, then no wave starts until \`synapse change resume ${id}\`; now ${phaseText(progress)}`,
        resume: `resumed change ${id} (by ${parsed.by}): now ${phaseText(progress)}`,
        abort: `aborted change ${id} (by ${parsed.by}): no more devices start${options.rollback === true ? '; every deployed device is rolled back' : '; what is deployed stays'}; it ends aborted (now ${phaseText(progress)})`,
      }[name];
      writeLines([said, `  follow  synapse change watch ${id}`]);
    });
  });
}

function registerCancel(change: Command): void {
  const command = change
    .command('cancel')
    .argument('<change-id>', 'the change (chg-…, change/chg-… or emergency/em-…)')
    .description('cancel a change: it rolls back every device it deployed, then ends cancelled')
    .addHelpText('after', '\nA Temporal cancel: unlike abort, it always rolls back. Exit 2 when the change has already ended.');
  addJsonOption(command, 'what was asked');
  addTemporalOptions(command).action(async (ref: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, ref);
      if (summary.status !== 'running') throw badInput(`change ${summary.changeId} has already ended (${summary.status}${endedText(summary)}): nothing to cancel`);
      try {
        await handle.cancel();
      } catch (err) {
        throw unavailable(`could not cancel ${summary.workflowId}: ${errorMessage(err)}`, err);
      }
      if (options.json === true) writeJson({ changeId: summary.changeId, workflowId: summary.workflowId, action: 'cancel', requested: true });
      else writeLines([`cancel requested for change ${summary.changeId}: it rolls back every device it deployed, then ends cancelled`, `  follow  synapse change watch ${summary.changeId}`]);
    });
  });
}

function endedText(summary: ChangeSummary): string {
  return summary.outcome && summary.outcome !== summary.status ? `, ${summary.outcome}` : '';
}

function by(options: Record<string, unknown>): string {
  return typeof options.by === 'string' ? options.by : currentOperator();
}

/** The Update's argument checked with its schema before connecting; a bad one names the flag. */
function parseAction<S extends z.ZodType>(schema: S, input: unknown, flags: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `  ${flags[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`);
  throw badInput(`invalid input; nothing was done:\n${issues.join('\n')}`);
}

/** Approve and the rest apply to a running rollout: an emergency or a finished change is said so, exit 2. */
async function runningRollout(session: TemporalSession, ref: string, what: OperatorUpdate): Promise<{ handle: WorkflowHandle; summary: ChangeSummary }> {
  const found = await describeChange(session, ref);
  const { summary } = found;
  if (!isRollout(summary)) throw badInput(`${summary.workflowId} is an emergency change: it has no approval, waves or pause; to stop it: synapse change cancel ${summary.workflowId}`);
  if (summary.status !== 'running') throw badInput(`${what} refused: change ${summary.changeId} has already ended (${summary.status}${endedText(summary)})`);
  return found;
}

/**
 * The change as it is once the Update has been applied. The Update answers
 * from inside its handler, before the workflow moved on (an approval still
 * reads "awaiting-approval"); a query just after shows where it went.
 */
async function afterUpdate(session: TemporalSession, handle: WorkflowHandle, answered: RolloutProgress): Promise<RolloutProgress> {
  return queryRolloutProgress(session, handle, 3_000).catch(() => answered);
}

function phaseText(progress: RolloutProgress): string {
  const wave = progress.currentWave !== undefined ? `, wave ${progress.currentWave} of ${progress.waves.length}` : '';
  return `${progress.phase}${wave}${progress.paused ? ` (paused by ${progress.paused.by})` : ''}; devices ${countsText(progress.counts)}`;
}
