import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { awaitOutcome, describeChange, DeviceStepReader, firstLine, outcomeJson, outcomeSucceeded, readLiveState, type ChangeOutcome, type ChangeSummary, type LiveState } from '../change-state';
import { EXIT, errorMessage } from '../cli-error';
import { liveLines, outcomeLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeLines } from '../options';
import { createProgressView, type ProgressOutput } from '../progress-view';
import { withTemporal, type TemporalSession } from '../temporal';

/** How often progress is asked for: often enough to feel live, rare enough to cost the workflow worker nothing. */
const POLL_INTERVAL_MS = 1_000;
const FINAL_QUERY_TIMEOUT_MS = 2_000;

export function registerChangeWatch(change: Command): void {
  const command = change.command('watch');
  addJsonOption(command, 'one JSON object per line: {"event":"progress",…} each time the progress changes, then {"event":"outcome",…}');
  addTemporalOptions(
    command
      .argument('<change-id>', 'the change to follow (chg-… or change/chg-…)')
      .description('follow a change until it finishes, then print its result')
      .addHelpText(
        'after',
        `
About once a second: the change's \`progress\` query (phase, approval, waves,
devices waiting for another change's lock, notes) and, for the devices of the
running wave (at most 50), their step from their own workflow (device/<name>).
On a terminal the view is redrawn in place; in a pipe or a log only changes
are printed. Ctrl-C stops watching; the change itself goes on.

With --json, one JSON object per line (JSON Lines): "progress" events carry
the \`progress\` query's answer (and the running devices' steps), the last
line is the "outcome" event, the same fields as \`change show --json\`.

Exit code: 0 when the change succeeded (or was a dry run), 1 when it ended
any other way (a device failed or was rolled back; stopped, aborted,
rejected, expired; the change failed), 2 for an unknown change id.`,
      ),
  ).action(async (ref: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, ref);
      if (options.json === true) {
        const outcome = await watchChange(session, handle, summary, process.stdout, { json: true });
        process.stdout.write(`${JSON.stringify({ event: 'outcome', changeId: summary.changeId, workflowId: summary.workflowId, ...outcomeJson(outcome) })}\n`);
        process.exitCode = outcomeSucceeded(outcome) ? EXIT.ok : EXIT.changeFailed;
        return;
      }
      const outcome = await watchChange(session, handle, summary);
      writeLines(outcomeLines(summary.changeId, outcome));
      process.exitCode = outcomeSucceeded(outcome) ? EXIT.ok : EXIT.changeFailed;
    });
  });
}

/**
 * Shows live progress until the change closes and returns how it ended.
 * Progress that cannot be had (no workflow worker yet, a workflow that has
 * not run its first task) is said once and retried; it never ends the
 * watch, only the change's end does.
 */
export async function watchChange(
  session: TemporalSession,
  handle: WorkflowHandle,
  summary: Pick<ChangeSummary, 'changeId' | 'workflowType'>,
  out: ProgressOutput & NodeJS.WritableStream = process.stdout,
  { json = false }: { json?: boolean } = {},
): Promise<ChangeOutcome> {
  const { changeId } = summary;
  let closed: ChangeOutcome | undefined;
  const outcome = awaitOutcome(handle).then((o) => (closed = o));
  const view = json ? jsonLinesView(out, changeId) : createStateView(out);
  const steps = new DeviceStepReader(session, changeId);
  stopWatchingOnInterrupt(changeId);
  if (!json) out.write(`watching change ${changeId} (Ctrl-C stops watching; the change goes on)\n`);
  while (!closed) {
    try {
      view.show(await readLiveState(session, handle, summary, steps));
    } catch (err) {
      if (closed) break;
      view.note(`progress not available yet: ${firstLine(errorMessage(err))} (workflow task queue ${session.taskQueue})`);
    }
    // Unref: after the change closes, a pending tick must not hold the process for another second.
    await Promise.race([sleep(POLL_INTERVAL_MS, undefined, { ref: false }), outcome]);
  }
  // The last poll may predate the end: show where the change ended. A
  // closed workflow answers queries by replay on a worker; without one, the
  // result printed next says it all the same.
  await readLiveState(session, handle, summary, steps, FINAL_QUERY_TIMEOUT_MS).then(
    (state) => view.show(state),
    () => undefined,
  );
  view.finish();
  return outcome;
}

interface StateView {
  show(state: LiveState): void;
  note(text: string): void;
  finish(): void;
}

/** The human view (a redraw on a terminal, changes only in a pipe), fed the live state as lines. */
function createStateView(out: ProgressOutput): StateView {
  const view = createProgressView(out);
  return { show: (state) => view.update(liveLines(state)), note: (text) => view.note(text), finish: () => view.finish() };
}

/** For scripts: a JSON line each time the state differs from the last one written. */
function jsonLinesView(out: NodeJS.WritableStream, changeId: string): StateView {
  let last = '';
  return {
    show(state) {
      const body = JSON.stringify(state.kind === 'rollout' ? { progress: state.progress, deviceSteps: state.steps } : { progress: state.progress });
      if (body === last) return;
      last = body;
      out.write(`${JSON.stringify({ event: 'progress', changeId, at: new Date().toISOString(), ...JSON.parse(body) })}\n`);
    },
    note(text) {
      out.write(`${JSON.stringify({ event: 'note', changeId, at: new Date().toISOString(), note: text })}\n`);
    },
    finish() {},
  };
}

let interruptHandlerInstalled = false;

function stopWatchingOnInterrupt(changeId: string): void {
  if (interruptHandlerInstalled) return;
  interruptHandlerInstalled = true;
  process.once('SIGINT', () => {
    process.stderr.write(`\nstopped watching; change ${changeId} goes on. Follow it again with: synapse change watch ${changeId}\n`);
    process.exit(130);
  });
}
