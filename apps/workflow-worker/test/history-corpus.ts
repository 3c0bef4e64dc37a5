/**
 * The replay corpus: one recorded history for every path a workflow type
 * takes in the end-to-end tests. A "path" is what the workflow asked Temporal
 * for, each kind once, in the order first asked (activities by type, timers,
 * children by type, markers (a patch by its id), signals and updates in and out,
 * and how it ended): a loop over ten devices and over three is the same path;
 * a change that rolls back, is pre-empted, reverts after a time to live or
 * waits for an approver is another.
 *
 * Recording (`npm run record:histories`) runs the workflow-worker suite with
 * RECORD_HISTORIES=1 on a fresh dev server: each test file's ChangeHarness,
 * at shutdown, adds every closed workflow of its queue whose path the
 * corpus does not hold yet. Nothing is removed: the histories of earlier
 * code are what prove that changes begun on it still replay (drop one by
 * hand only with the patch that guarded it). Recorded on purpose, and
 * committed; replay.spec.ts replays all of it against the current code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

export const CORPUS_DIR = path.join(__dirname, 'histories');
const SUFFIX = '.json.gz';

type History = temporal.api.history.v1.IHistory;
const EventType = temporal.api.enums.v1.EventType;

export interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  /** The test file it was recorded from. */
  recordedFrom: string;
  path: string[];
  history: History;
}

/** What a workflow asked Temporal for, each kind once, in the order first asked. */
export function pathOf(history: History): string[] {
  const steps: string[] = [];
  for (const event of history.events ?? []) {
    const step = stepOf(event);
    if (step !== undefined && !steps.includes(step)) steps.push(step);
  }
  return steps;
}

function stepOf(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      return `activity:${event.activityTaskScheduledEventAttributes?.activityType?.name}`;
    case EventType.EVENT_TYPE_TIMER_STARTED:
      return 'timer';
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      return `child:${event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name}`;
    case EventType.EVENT_TYPE_MARKER_RECORDED:
      return markerStep(event.markerRecordedEventAttributes);
    case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      return `signal-out:${event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName}`;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      return `signal:${event.workflowExecutionSignaledEventAttributes?.signalName}`;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      return `update:${event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name}`;
    case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      return 'cancel-out';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      return 'cancel-requested';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return 'end:completed';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return 'end:failed';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return 'end:cancelled';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return 'end:terminated';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return 'end:timed-out';
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return 'end:continued-as-new';
    default:
      return undefined;
  }
}

/**
 * A patch marker names its patch: a workflow that asks patched('x') takes
 * another path than one that asked only patched('y') (the same activity
 * types can carry configs or only their digests).
 */
function markerStep(attributes: temporal.api.history.v1.IMarkerRecordedEventAttributes | null | undefined): string {
  const name = attributes?.markerName;
  if (name !== 'core_patch') return `marker:${name}`;
  const data = attributes?.details?.['patch-data']?.payloads?.[0]?.data;
  try {
    const id = (JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? `marker:${name}:${id}` : `marker:${name}`;
  } catch {
    return `marker:${name}`;
  }
}

function fileNameOf(workflowType: string, steps: readonly string[]): string {
  return `${workflowType}--${createHash('sha256').update(steps.join('\n')).digest('hex').slice(0, 12)}${SUFFIX}`;
}

/** The committed corpus. */
export function loadCorpus(dir: string = CORPUS_DIR): Array<RecordedHistory & { file: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(SUFFIX))
    .sort()
    .map((file) => {
      const stored = JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8')) as Omit<RecordedHistory, 'history'> & { history: unknown };
      return { ...stored, file, history: historyFromJSON(stored.history) };
    });
}

/**
 * With RECORD_HISTORIES=1: every closed workflow on `taskQueue` of one of
 * `workflowTypes` whose path the corpus lacks is added to it. Records
 * nothing otherwise, so a normal run never changes the committed files.
 */
export async function recordCorpusIfAsked(client: Client, taskQueue: string, workflowTypes: readonly string[], recordedFrom: string): Promise<number> {
  if (process.env.RECORD_HISTORIES !== '1') return 0;
  mkdirSync(CORPUS_DIR, { recursive: true });
  // Paths as this code computes them, also for files recorded before (their names hash the path as it was computed then).
  const known = new Set(loadCorpus().map((h) => `${h.workflowType}\n${pathOf(h.history).join('\n')}`));
  let added = 0;
  for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus != "Running"` })) {
    if (!workflowTypes.includes(run.type)) continue;
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const steps = pathOf(history);
    const key = `${run.type}\n${steps.join('\n')}`;
    const file = path.join(CORPUS_DIR, fileNameOf(run.type, steps));
    if (known.has(key) || existsSync(file)) continue;
    known.add(key);
    const stored = { workflowId: run.workflowId, workflowType: run.type, recordedFrom, path: steps, history: JSON.parse(historyToJSON(history)) as unknown };
    writeFileSync(file, gzipSync(JSON.stringify(stored), { level: 9 }));
    added++;
  }
  return added;
}
