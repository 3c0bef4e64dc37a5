import type { Command } from 'commander';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { changeListMemo, WORKFLOW_TYPES, workflowIds } from '@synapse/contracts';
import { changeRequestFromFlags, generateChangeId, type ChangeStartFlags } from '../change-request';
import { awaitOutcome, outcomeJson, SEARCH_KEYS } from '../change-state';
import { badInput, EXIT, errorMessage, unavailable } from '../cli-error';
import { outcomeLines, planDetailLines, planSummaryLines, planTotals } from '../format';
import { addJsonOption, addTemporalOptions, temporalFlags, writeJson, writeLines } from '../options';
import { checkInventory } from '../inventory';
import { withTemporal } from '../temporal';
import { addChangeRequestOptions } from './change-start';

export function registerChangePlan(change: Command): void {
  const command = change.command('plan').description('plan a change without touching anything: per device its diff, wave, sessions and interfaces affected, what is down already');
  const devicesInOrder = addChangeRequestOptions(command, { reasonRequired: false });
  command.addHelpText(
    'after',
    `
Runs the change as a dry run (change/<plan id>, dryRun: nothing is touched and
no approval is needed) and prints the plan: first a table (per device its
status, wave, paths +added ~changed -removed, sessions and interfaces
affected, deletions, problems found down before the change, warnings about
far ends outside the change), with totals; then the details per device. The
same flags as \`change start\`, so the waves are the ones that change gets.

Example:
  synapse change plan --devices leaf01,leaf02,spine01 --canary leaf01 --wave-size 10

Exit code: 0 once planned (whatever the plan says), 1 when the change would
be refused (a deletion budget, a policy the device lacks, an intent that does
not render: the reason is printed), 2 for bad flags.`,
  );
  addJsonOption(command, 'the plan');
  addTemporalOptions(command).action(async (options: ChangeStartFlags & Record<string, unknown>) => {
    const request = changeRequestFromFlags({
      ...options,
      devices: devicesInOrder,
      reason: options.reason ?? 'plan',
      changeId: options.changeId ?? generateChangeId(new Date(), 'plan'),
      dryRun: true,
    });
    await checkInventory(options, { devices: request.devices, flag: '--device', ...(request.branch ? { branch: request.branch } : {}) });
    const workflowId = workflowIds.change(request.changeId);
    await withTemporal(temporalFlags(options), async (session) => {
      let runId: string;
      try {
        const handle = await session.client.workflow.start(WORKFLOW_TYPES.networkChange, {
          workflowId,
          taskQueue: session.taskQueue,
          args: session.routing ? [request, session.routing] : [request],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: changeListMemo(request),
          typedSearchAttributes: new TypedSearchAttributes([
            { key: SEARCH_KEYS.changeId, value: request.changeId },
            { key: SEARCH_KEYS.changeKind, value: request.kind },
            { key: SEARCH_KEYS.requester, value: request.requester },
          ]),
        });
        runId = handle.firstExecutionRunId;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw badInput(`change id "${request.changeId}" is already taken (workflow ${workflowId}); pick another --change-id`);
        throw unavailable(`could not start the plan ${request.changeId}: ${errorMessage(err)}`, err);
      }
      if (process.stderr.isTTY) process.stderr.write(`planning ${request.devices.length} devices (${workflowId}, dry run)…\n`);
      const outcome = await awaitOutcome(session.client.workflow.getHandle(workflowId, runId));
      const plan = outcome.kind === 'completed' ? outcome.result.plan : undefined;
      if (options.json === true) {
        writeJson({ changeId: request.changeId, workflowId, runId, request, ...(plan ? { plan, totals: planTotals(plan) } : outcomeJson(outcome)) });
      } else if (plan) {
        writeLines([...planSummaryLines(plan), '', ...planDetailLines(plan), '', `plan ${request.changeId} (${workflowId}); nothing was touched. To run it: synapse change start with the same flags and a --reason.`]);
      } else {
        writeLines(outcomeLines(request.changeId, outcome));
      }
      process.exitCode = plan ? EXIT.ok : EXIT.changeFailed;
    });
  });
}
