import type { Command } from 'commander';
import type { ChangeProgress } from '@synapse/contracts';
import { awaitOutcome, describeChange, outcomeJson, queryProgress, readChangeRequest, type ChangeOutcome, type ChangeSummary } from '../change-state';
import { errorMessage } from '../cli-error';
import { outcomeLines, progressLines, summaryLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { temporalUiLink, withTemporal } from '../temporal';

export function registerChangeShow(change: Command): void {
  const command = change
    .command('show')
    .argument('<change-id>', 'the change to show')
    .description('where a change is: its progress while it runs, its result when finished, the failure if it failed')
    .addHelpText(
      'after',
      `
Exit code: 0 when the change was found (whatever its outcome; see
\`synapse change watch\` to wait for it), 2 for an unknown change id.`,
    );
  addJsonOption(command, 'the change');
  addTemporalOptions(command).action(async (changeId: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, changeId);
      const request = await readChangeRequest(session, summary);
      let progress: ChangeProgress | undefined;
      let progressProblem: string | undefined;
      let outcome: ChangeOutcome | undefined;
      if (summary.status === 'running') {
        try {
          progress = await queryProgress(session, handle);
        } catch (err) {
          progressProblem = errorMessage(err).split('\n')[0];
        }
      } else {
        // Closed: result() returns at once (or throws the failure) without waiting.
        outcome = await awaitOutcome(handle);
      }
      const link = temporalUiLink(session, summary.workflowId);
      if (options.json === true) {
        writeJson({
          ...summary,
          temporalUi: link ?? null,
          request: request ?? null,
          ...(progress ? { progress } : {}),
          ...(progressProblem ? { progressProblem } : {}),
          ...(outcome ? outcomeJson(outcome) : {}),
          // outcomeJson's status says how the workflow ended; keep Temporal's own word for it.
          status: summary.status,
        });
        return;
      }
      writeLines([...summaryLines(summary, request), ...(link ? [`Temporal   ${link}`] : []), '', ...detailLines(summary, progress, progressProblem, outcome)]);
    });
  });
}

function detailLines(summary: ChangeSummary, progress: ChangeProgress | undefined, problem: string | undefined, outcome: ChangeOutcome | undefined): string[] {
  if (outcome) return outcomeLines(summary.changeId, outcome);
  if (progress) return progressLines(progress);
  return [`progress not available: ${problem ?? 'unknown'} (is a workflow worker polling task queue ${summary.taskQueue}?)`];
}
