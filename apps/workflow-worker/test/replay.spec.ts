/**
 * Determinism guard: the committed corpus (history-corpus.ts: one recorded
 * history for every path each workflow type takes in the end-to-end tests)
 * is replayed against the current workflow code. A change that would break
 * running workflows on deploy (a step added, removed or reordered without
 * patched()) fails here, before it reaches a worker that holds a change.
 *
 * After an intended, patched change (or to cover a new path), add the paths
 * the corpus lacks, then commit it (nothing recorded earlier is removed):
 *   npm run record:histories
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOW_TYPES } from '@synapse/contracts';
import { ENCODED_FAILURE_CONVERTER_PATH } from '@synapse/temporal-connection';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker';
import { sharedBundle } from './change-harness';
import { loadCorpus, type RecordedHistory } from './history-corpus';
import { quietTemporalRuntime } from './quiet-runtime';

const corpus = loadCorpus();
const has = (h: RecordedHistory, ...steps: string[]) => steps.every((step) => h.path.includes(step));
const lacks = (h: RecordedHistory, ...steps: string[]) => steps.every((step) => !h.path.includes(step));

/** The paths an upgrade must never strand, each as the workflow type and what its history shows. */
const REQUIRED_PATHS: Array<[string, string, (h: RecordedHistory) => boolean]> = [
  ['standard change, a device deployed and confirmed', WORKFLOW_TYPES.deviceChange, (h) => has(h, 'activity:deployConfig', 'activity:confirmCommit', 'end:completed') && lacks(h, 'activity:rollbackConfig')],
  ['standard change, a device rolled back', WORKFLOW_TYPES.deviceChange, (h) => has(h, 'activity:deployConfig', 'activity:rollbackConfig')],
  ['standard change, refused before the deploy (lock or pending commit)', WORKFLOW_TYPES.deviceChange, (h) => has(h, 'activity:updateDeviceStatus') && lacks(h, 'activity:deployConfig')],
  ['standard change, pre-empted by an emergency', WORKFLOW_TYPES.deviceChange, (h) => h.path.some((step) => /^signal:.*preempt/i.test(step))],
  ['emergency, pre-empting a standard change', WORKFLOW_TYPES.emergencyChange, (h) => h.path.some((step) => step.startsWith('signal-out:') || step === 'cancel-out')],
  ['emergency, with a time to live that ran out', WORKFLOW_TYPES.deviceChange, (h) => has(h, 'timer', 'activity:rollbackConfig') && h.path.some((step) => step.startsWith('marker:'))],
  ['emergency, reverted now by an operator', WORKFLOW_TYPES.emergencyChange, (h) => has(h, 'update:revertNow')],
  ['emergency, without a time to live', WORKFLOW_TYPES.emergencyChange, (h) => has(h, 'end:completed')],
  ['drift report', WORKFLOW_TYPES.driftRemediation, (h) => has(h, 'child:DriftBatchWorkflow') && lacks(h, 'child:NetworkChangeWorkflow')],
  ['drift remediate (through a rollout of the drifted devices)', WORKFLOW_TYPES.driftRemediation, (h) => has(h, 'child:DriftBatchWorkflow', 'child:NetworkChangeWorkflow')],
  ['drift batch', WORKFLOW_TYPES.driftBatch, (h) => has(h, 'end:completed')],
  ['rollout approved by an approver', WORKFLOW_TYPES.networkChange, (h) => has(h, 'update:approve')],
  ['rollout rejected', WORKFLOW_TYPES.networkChange, (h) => has(h, 'update:reject')],
  ['rollout paused and resumed', WORKFLOW_TYPES.networkChange, (h) => has(h, 'update:pause', 'update:resume')],
  ['rollout aborted', WORKFLOW_TYPES.networkChange, (h) => has(h, 'update:abort')],
  ['rollout in waves', WORKFLOW_TYPES.networkChange, (h) => has(h, 'child:WaveWorkflow', 'child:DeviceGroupWorkflow', 'child:PlanBatchWorkflow')],
  ['rollout cancelled', WORKFLOW_TYPES.networkChange, (h) => has(h, 'cancel-requested')],
];

/** Each history's replay error, by file (histories of one device share a workflow id; results come back in order). */
async function replay(bundle: WorkflowBundle, histories: ReadonlyArray<RecordedHistory & { file: string }>): Promise<Map<string, unknown>> {
  const errors = new Map<string, unknown>();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories.map((h) => ({ workflowId: h.workflowId, history: h.history })))) {
    const recorded = histories[replayed++]!;
    expect(result.workflowId).toBe(recorded.workflowId);
    if (result.error) errors.set(`${recorded.file} (${recorded.workflowId}, from ${recorded.recordedFrom})`, result.error);
  }
  expect(replayed).toBe(histories.length);
  return errors;
}

describe('the replay corpus', () => {
  it('holds every workflow type, and every path an upgrade must not strand', () => {
    const types = new Set(corpus.map((h) => h.workflowType));
    expect([...types].sort()).toEqual(Object.values(WORKFLOW_TYPES).sort());
    const missing = REQUIRED_PATHS.filter(([, type, matches]) => !corpus.some((h) => h.workflowType === type && matches(h))).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('replays against the current workflow code without a determinism error', async () => {
    quietTemporalRuntime();
    const errors = await replay(await sharedBundle(), corpus);
    expect([...errors].map(([id, err]) => `${id}: ${err instanceof Error ? err.message : String(err)}`)).toEqual([]);
  });

  it('fails when DeviceChangeWorkflow reads its backup before its intent (a reordered command): the guard can fail', async () => {
    quietTemporalRuntime();
    const affected = corpus.filter((h) => h.workflowType === WORKFLOW_TYPES.deviceChange && has(h, 'activity:fetchDeviceConfig', 'activity:backupRunningConfig'));
    expect(affected.length).toBeGreaterThan(3);

    const errors = await replay(await reorderedBundle(), affected);

    // Every one of them: the first command no longer matches what history says was scheduled.
    expect(errors.size).toBe(affected.length);
    for (const error of errors.values()) expect(String((error as Error).message)).toMatch(/Nondeterminism error: Activity type of scheduled event/);
  });
});

/** The workflow code with one change: in DeviceChangeWorkflow, the backup is read before the intent is fetched. */
async function reorderedBundle(): Promise<WorkflowBundle> {
  const workflowsDir = path.dirname(WORKFLOWS_PATH);
  // Beside the real code, so its imports of the workspace's packages resolve the same way.
  const copy = mkdtempSync(path.join(path.dirname(workflowsDir), '.reordered-workflows-'));
  try {
    cpSync(workflowsDir, copy, { recursive: true });
    const file = path.join(copy, 'device-change.ts');
    const source = readFileSync(file, 'utf8');
    const backupLine = "      backup = await progress.step('backup', () => deviceRead.backupRunningConfig({ device, changeId, workflowId }));\n";
    const intentComment = '      // 1. The intent from Infrahub, rendered to the device\'s native config.\n';
    expect(source).toContain(backupLine);
    expect(source).toContain(intentComment);
    const reordered = source.replace(backupLine, '').replace(intentComment, backupLine + intentComment);
    expect(reordered).not.toEqual(source);
    writeFileSync(file, reordered);
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(copy, path.basename(WORKFLOWS_PATH)),
      workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
      failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH,
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    return { code };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
