/**
 * A stand-in NetworkChangeWorkflow for the CLI's tests: the real one's
 * contract (ChangeRequest in, ChangeResult out, the `progress` query) with
 * no activities, so the CLI is tested against a real Temporal server
 * without devices or Infrahub. Behaviour is chosen by the request:
 *  - a reason containing `[hold]` waits for the `release` signal before any device starts;
 *  - a reason containing `[explode]` fails the workflow with IntentNotFound;
 *  - a device whose name contains `-rollback` fails validation and is rolled back;
 *  - a reason containing `[rollback-failed]` fails the change with RollbackFailed after
 *    the devices ran, the result in the failure's details (as the real workflow does).
 * Each step takes STEP_MS, long enough for a watcher polling once a second to see it.
 */
import { ApplicationFailure, condition, defineQuery, defineSignal, setHandler, sleep } from '@temporalio/workflow';
import { ChangeRequest, QUERIES, type ChangeProgress, type ChangeResult, type DeviceChangeResult, type DeviceProgress, type DeviceStep } from '@synapse/contracts';

export const releaseSignal = defineSignal('release');
export const progressQuery = defineQuery<ChangeProgress>(QUERIES.progress);

const STEP_MS = 700;
const STEPS: DeviceStep[] = ['backup', 'deploy', 'validate-bgp'];

export async function NetworkChangeWorkflow(input: unknown): Promise<ChangeResult> {
  const parsed = ChangeRequest.safeParse(input);
  if (!parsed.success) throw ApplicationFailure.create({ type: 'InvalidInput', message: parsed.error.message, nonRetryable: true });
  const request = parsed.data;
  const progress: ChangeProgress = {
    changeId: request.changeId,
    devices: request.devices.map((device): DeviceProgress => ({ device, step: 'queued', state: 'pending', steps: [] })),
  };
  setHandler(progressQuery, () => progress);
  let released = !request.reason.includes('[hold]');
  setHandler(releaseSignal, () => {
    released = true;
  });
  await condition(() => released);
  if (request.reason.includes('[explode]')) {
    throw ApplicationFailure.create({ type: 'IntentNotFound', message: `no intended state for ${request.devices[0]} in the source of truth`, nonRetryable: true });
  }
  const devices = await Promise.all(progress.devices.map((device) => changeDevice(device, request)));
  const failed = devices.filter((d) => d.outcome === 'failed' || d.outcome === 'rolled-back').length;
  const outcome = request.dryRun ? 'dry-run' : failed === 0 ? 'succeeded' : failed === devices.length ? 'failed' : 'partially-failed';
  const result: ChangeResult = { changeId: request.changeId, outcome, devices };
  if (request.reason.includes('[rollback-failed]')) {
    throw ApplicationFailure.create({ type: 'RollbackFailed', message: `change ${request.changeId}: the rollback failed; those devices need an operator`, nonRetryable: true, details: [result] });
  }
  return result;
}

async function changeDevice(progress: DeviceProgress, request: ChangeRequest): Promise<DeviceChangeResult> {
  const timings: DeviceChangeResult['timings'] = [];
  const rollsBack = progress.device.includes('-rollback');
  for (const step of request.dryRun ? (['backup', 'diff'] as DeviceStep[]) : STEPS) {
    progress.step = step;
    progress.state = 'running';
    const startedAt = new Date().toISOString();
    await sleep(STEP_MS);
    timings.push({ step, startedAt, finishedAt: new Date().toISOString(), durationMs: STEP_MS });
    if (step === 'validate-bgp' && rollsBack) {
      progress.step = 'rollback';
      progress.state = 'rolled-back';
      progress.detail = 'neighbor 10.0.0.1: session-state active, expected established';
      return { device: progress.device, outcome: 'rolled-back', reason: progress.detail, validation: {}, timings };
    }
  }
  progress.step = 'done';
  progress.state = 'succeeded';
  return {
    device: progress.device,
    outcome: request.dryRun ? 'dry-run' : 'deployed',
    diffSummary: '1 changed, 0 added, 0 removed: /interface[name=ethernet-1/1]/mtu 1500 -> 9214',
    validation: {},
    timings,
  };
}
