import type { Command } from 'commander';
import { awaitOutcome, describeChange, DeviceStepReader, firstLine, outcomeJson, readChangeRequest, readDeviceDetails, readLiveState, type ChangeOutcome, type ChangeSummary, type DeviceDetails, type LiveState } from '../change-state';
import { errorMessage } from '../cli-error';
import { deviceDetailLines, liveLines, outcomeLines, summaryLines } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { temporalUiLink, withTemporal } from '../temporal';

export function registerChangeShow(change: Command): void {
  const command = change
    .command('show')
    .argument('<change-id>', 'the change to show (chg-… or change/chg-…)')
    .description('where a change is: its phase, approval, waves and running devices while it runs; its result when finished; the failure if it failed')
    .addHelpText(
      'after',
      `
A running rollout shows its phase, approval, waves with their state, devices
per outcome, devices waiting for another change's lock (and who holds them),
notes, and the step of each device of the running wave (from device/<name>,
at most 50). A finished one shows its result: counts, waves, per device its
outcome, wave, backup and why, then each device's validations (every BGP
session and interface with its state) and step timings, read from its own
device workflow (at most 50 devices).

Exit code: 0 when the change was found (whatever its outcome; see
\`synapse change watch\` to wait for it), 2 for an unknown change id.`,
    );
  addJsonOption(command, 'the change');
  addTemporalOptions(command).action(async (ref: string, options: Record<string, unknown>) => {
    await withTemporal(temporalFlags(options), async (session) => {
      const { handle, summary } = await describeChange(session, ref);
      const started = await readChangeRequest(session, summary);
      let live: LiveState | undefined;
      let progressProblem: string | undefined;
      let outcome: ChangeOutcome | undefined;
      let details: DeviceDetails[] = [];
      if (summary.status === 'running') {
        try {
          live = await readLiveState(session, handle, summary, new DeviceStepReader(session, summary.changeId));
        } catch (err) {
          progressProblem = firstLine(errorMessage(err));
        }
      } else {
        // Closed: result() returns at once (or throws the failure) without waiting.
        outcome = await awaitOutcome(handle);
        details = await readDeviceDetails(session, summary.changeId);
      }
      const link = temporalUiLink(session, summary.workflowId);
      if (options.json === true) {
        writeJson({
          ...summary,
          temporalUi: link ?? null,
          request: started?.request ?? null,
          ...(live ? { progress: live.progress, ...(live.kind === 'rollout' ? { deviceSteps: live.steps } : {}) } : {}),
          ...(progressProblem ? { progressProblem } : {}),
          ...(outcome ? outcomeJson(outcome) : {}),
          ...(outcome ? { deviceDetails: details } : {}),
          // outcomeJson's status says how the workflow ended; keep Temporal's own word for it.
          status: summary.status,
        });
        return;
      }
      writeLines([...summaryLines(summary, started), ...(link ? [`Temporal   ${link}`] : []), '', ...detailLines(summary, live, progressProblem, outcome), ...deviceDetailLines(details)]);
    });
  });
}

function detailLines(summary: ChangeSummary, live: LiveState | undefined, problem: string | undefined, outcome: ChangeOutcome | undefined): string[] {
  if (outcome) return outcomeLines(summary.changeId, outcome);
  if (live) return liveLines(live).map((line) => line.text);
  return [`progress not available: ${problem ?? 'unknown'} (is a workflow worker polling task queue ${summary.taskQueue}?)`];
}
