import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { changeListMemo, type ChangeKind } from '@synapse/contracts';
import { watchChange } from './commands/change-watch';
import { awaitOutcome, outcomeJson, outcomeSucceeded, SEARCH_KEYS } from './change-state';
import { badInput, EXIT, errorMessage, unavailable } from './cli-error';
import { outcomeLines } from './format';
import { writeJson, writeLines } from './options';
import type { TemporalSession } from './temporal';

/** One change workflow to start (a standard change, an emergency), with what the operator is shown. */
export interface ChangeStart {
  workflowType: string;
  workflowId: string;
  changeId: string;
  kind: ChangeKind;
  requester: string;
  /** The request: the workflow's first argument. */
  request: unknown;
  /** What the list views show of it from its first second (the workflow sets the same). */
  listed: { devices: readonly string[]; ticket?: string; reason?: string };
  /** The human lines once it has started. */
  startedLines(runId: string): string[];
  /** The JSON once it has started (with --json). */
  startedJson(runId: string): Record<string, unknown>;
  /** What to do with the id when it is taken, e.g. "pick another --change-id". */
  takenHint: string;
}

/**
 * Starts the change and, with --wait or --watch, follows it to its end:
 * the same for every kind of change, so they read and exit the same way.
 */
export async function startAndFollow(session: TemporalSession, start: ChangeStart, options: Record<string, unknown>): Promise<void> {
  const runId = await startWorkflow(session, start);
  const json = options.json === true;
  if (!json) writeLines(start.startedLines(runId));
  if (!options.wait && !options.watch) {
    if (json) writeJson(start.startedJson(runId));
    return;
  }
  const handle = session.client.workflow.getHandle(start.workflowId, runId);
  const outcome = options.watch ? await watchChange(session, handle, { changeId: start.changeId, workflowType: start.workflowType }) : await awaitOutcome(handle);
  if (json) writeJson({ ...start.startedJson(runId), ...outcomeJson(outcome) });
  else writeLines(outcomeLines(start.changeId, outcome));
  process.exitCode = outcomeSucceeded(outcome) ? EXIT.ok : EXIT.changeFailed;
}

async function startWorkflow(session: TemporalSession, start: ChangeStart): Promise<string> {
  try {
    const handle = await session.client.workflow.start(start.workflowType, {
      workflowId: start.workflowId,
      taskQueue: session.taskQueue,
      // The routing argument only when asked for: without it the workflow uses contracts' queues.
      args: session.routing ? [start.request, session.routing] : [start.request],
      // A change id names one change for ever: a finished change is not started again under its id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Set at start, not only by the workflow, so the change is listed from its first second. Never
      // its devices: a fleet's names outgrow a search attribute (2 KB); each device workflow carries its own.
      memo: changeListMemo(start.listed),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SEARCH_KEYS.changeId, value: start.changeId },
        { key: SEARCH_KEYS.changeKind, value: start.kind },
        { key: SEARCH_KEYS.requester, value: start.requester },
      ]),
    });
    return handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw badInput(`change id "${start.changeId}" is already taken (workflow ${start.workflowId}); ${start.takenHint}`);
    }
    const message = errorMessage(err);
    // A production namespace needs the custom search attributes created once; the dev server registers them itself.
    const hint = /search attribute/i.test(message) ? ' (create the Synapse search attributes in this namespace: `temporal operator search-attribute create`, see libs/contracts search-attributes.ts)' : '';
    throw unavailable(`could not start ${start.kind === 'emergency' ? 'emergency ' : ''}change ${start.changeId}: ${message}${hint}`, err);
  }
}
