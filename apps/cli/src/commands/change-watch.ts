import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { awaitOutcome, describeChange, DeviceStepReader, firstLine, outcomeSucceeded, readLiveState, type ChangeOutcome, type ChangeSummary } from '../change-state';
import { EXIT, errorMessage } from '../cli-error';
import { liveLines, outcomeLines } from '../format';
import { addTemporalOptions, temporalFlags, writeLines } from '../options';
import { createProgressView, type ProgressOutput } from '../progress-view';
import { withTemporal, type TemporalSession } from '../temporal';

/** How often progress is asked for: often enough to feel live, rare enough to cost the workflow worker nothing. */
const POLL_INTERVAL_MS = 1_000;
const FINAL_QUERY_TIMEOUT_MS = 2_000;

export function registerChangeWatch(change: Command): void {
  addTemporalOptions(
    change
      .command('watch')
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

Exit code: 0 when the change succeeded (or was a dry run), 1 when it ended
any other way (a device failed or was rolled back; stopped, aborted,
rejected, expired; the change failed), 2 for an unknown change id.`,
      ),
  ).action(async (ref: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, ref);
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
): Promise<ChangeOutcome> {
  const { changeId } = summary;
  let closed: ChangeOutcome | undefined;
  const outcome = awaitOutcome(handle).then((o) => (closed = o));
  const view = createProgressView(out);
  const steps = new DeviceStepReader(session, changeId);
  stopWatchingOnInterrupt(changeId);
  out.write(`watching change ${changeId} (Ctrl-C stops watching; the change goes on)\n`);
  while (!closed) {
    try {
      view.update(liveLines(await readLiveState(session, handle, summary, steps)));
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
    (state) => view.update(liveLines(state)),
    () => undefined,
  );
  view.finish();
  return outcome;
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
