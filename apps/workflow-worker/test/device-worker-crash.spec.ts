/**
 * The device worker dies mid-change. It runs as a real process
 * (apps/device-worker/dist/main.js, configured by its environment only), is
 * killed with SIGKILL while an activity is in flight on a device, and a
 * fresh process is started on the same task queue. The workflow worker and
 * the Infrahub activities stay up in this process (ChangeHarness), on the
 * suite's Temporal dev server.
 *
 * What an operator checks afterwards, for every device of the change:
 *  - the outcome is `deployed` with BGP and interface validation passed and
 *    the running config equal to the intent on the managed paths (nothing
 *    else touched), OR `rolled-back` with the running config identical to
 *    the pre-change snapshot and to the backup the change took;
 *  - Infrahub shows that same outcome;
 *  - at no moment we sampled (every 100 ms, through the outage) did the
 *    device run anything but its old config or its intended one.
 * And, so the test cannot pass without the kill having hit: the activity in
 * flight was started by the killed process, and its attempt that finished
 * is a retry (attempt 2, on the new process) after a heartbeat timeout.
 *
 * A SIGKILLed worker says nothing to the server: the retry starts only when
 * the activity's heartbeat timeout (contracts' ACTIVITY_PROFILES: 30 s for
 * device writes, 20 s for validation) has run out, which is most of this
 * file's run time. The workflow has no test knob for shorter profiles.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ACTIVITY_PROFILES, workflowIds, type ChangeRequestInput, type ChangeResult, type DeviceChangeResult } from '@synapse/contracts';
import { canonicalize, ownedDiff, unownedPart } from '@synapse/device-config';
import { ChangeHarness, changeRequest, rendered, type LabDevice } from './change-harness';
import { urgentQueueOf, WorkerProcess } from './worker-process';
import type { NetworkChangeWorkflow } from '../src/workflows';

const { PendingActivityState, TimeoutType } = temporal.api.enums.v1;

let harness: ChangeHarness;
/** This file's device queue: only the worker processes below poll it. */
const deviceQueue = `device-operations-crash-${randomUUID().slice(0, 8)}`;
let scratch: string;
let workers: WorkerProcess[] = [];
let changeWorkflowIds: string[] = [];

beforeAll(async () => {
  harness = await ChangeHarness.start({ activityQueues: [deviceQueue, urgentQueueOf(deviceQueue)] });
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
  scratch = mkdtempSync(path.join(tmpdir(), 'device-worker-crash-'));
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await Promise.all(
    changeWorkflowIds.splice(0).map(async (id) => {
      const handle = harness.client.workflow.getHandle(id);
      if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING') await handle.terminate('test cleanup').catch(() => undefined);
    }),
  );
  await harness.stopLab();
  rmSync(scratch, { recursive: true, force: true });
});

/** A device worker process on this file's queue, against the current lab; resolves once it polls. */
async function startDeviceWorker(): Promise<WorkerProcess> {
  const worker = await WorkerProcess.startDeviceWorker({
    taskQueue: deviceQueue,
    devices: harness.lab.devices.devices,
    backupDir: harness.lab.backupDir,
    dir: mkdtempSync(path.join(scratch, 'worker-')),
  });
  workers.push(worker);
  return worker;
}

/** Starts a change as the CLI does, with its device activities routed to the worker processes. */
async function startChange(request: ChangeRequestInput): Promise<WorkflowHandle<typeof NetworkChangeWorkflow>> {
  const workflowId = workflowIds.change(request.changeId);
  changeWorkflowIds.push(workflowId);
  return harness.client.workflow.start<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId,
    workflowExecutionTimeout: '3 minutes',
    args: [request, { taskQueues: { device: deviceQueue, deviceUrgent: urgentQueueOf(deviceQueue), infrahub: harness.routing.taskQueues.infrahub } }],
  });
}

/**
 * Waits until the device workflow's `activityType` is running on `worker`
 * (started by that process, per the server), optionally until it has
 * heartbeated at least once.
 */
async function waitForActivityOn(device: LabDevice, activityType: string, worker: WorkerProcess, opts: { heartbeated?: boolean } = {}, timeoutMs = 20_000) {
  const handle = harness.client.workflow.getHandle(workflowIds.device(device));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const found = pending.find((a) => a.activityType?.name === activityType);
    const running = found?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && found.lastWorkerIdentity === worker.identity;
    if (running && (!opts.heartbeated || (found.heartbeatDetails?.payloads?.length ?? 0) > 0)) return found;
    if (Date.now() > deadline) {
      throw new Error(`${activityType} on ${device} never ran on worker ${worker.identity}: ${JSON.stringify(pending.map((a) => ({ type: a.activityType?.name, state: a.state, identity: a.lastWorkerIdentity })))}`);
    }
    await sleep(100);
  }
}

/** How the activity's finished attempt got there: its attempt number, who ran it, and why the one before failed. */
async function finishedAttempt(device: LabDevice, activityType: string) {
  const events = (await harness.client.workflow.getHandle(workflowIds.device(device)).fetchHistory()).events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).map((e) => String(e.eventId));
  expect(scheduled).toHaveLength(1);
  const started = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === scheduled[0]);
  const attrs = started?.activityTaskStartedEventAttributes;
  return {
    attempt: attrs?.attempt,
    identity: attrs?.identity,
    previousTimeout: attrs?.lastFailure?.timeoutFailureInfo?.timeoutType,
  };
}

// ── What the device runs, judged as an operator would. ──

/** Why `running` is not "the intent on what Synapse owns, everything else as before"; empty when it is. */
function differencesFromIntent(device: LabDevice, running: unknown, before: unknown): string[] {
  const intended = rendered(device);
  const owned = ownedDiff(intended, running);
  const problems = [...owned.added, ...owned.removed, ...owned.changed].map((e) => `owned ${e.path} differs from the intent`);
  if (!isDeepStrictEqual(unownedPart(running, intended), unownedPart(before, intended))) problems.push('config Synapse does not own changed');
  return problems;
}

type Snapshot = 'pre-change' | 'intended' | `other: ${string}`;

function classify(device: LabDevice, before: unknown): Snapshot {
  const running = harness.runningConfig(device);
  if (isDeepStrictEqual(running, before)) return 'pre-change';
  const problems = differencesFromIntent(device, running, before);
  return problems.length === 0 ? 'intended' : `other: ${problems.slice(0, 5).join('; ')}`;
}

/** Samples the devices' running configs every 100 ms until stopped: what each ran, in order, without repeats. */
function sampleConfigs(before: Partial<Record<LabDevice, unknown>>) {
  const seen: Record<string, Snapshot[]> = {};
  let samples = 0;
  const sample = () => {
    samples++;
    for (const [device, config] of Object.entries(before)) {
      const now = classify(device as LabDevice, config);
      const list = (seen[device] ??= []);
      if (list[list.length - 1] !== now) list.push(now);
    }
  };
  sample();
  const timer = setInterval(() => {
    // A test that failed before stop() leaves no lab behind: the sampler ends with it instead of throwing from a timer.
    try {
      sample();
    } catch {
      clearInterval(timer);
    }
  }, 100);
  samplers.push(timer);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { seen, samples };
    },
  };
}
const samplers: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const timer of samplers.splice(0)) clearInterval(timer);
});

/** The device's own result (validations, backup), checked against its line in the change's summary. */
async function deviceResult(result: ChangeResult, device: LabDevice): Promise<DeviceChangeResult> {
  const found = result.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no result for ${device} in ${JSON.stringify(result)}`);
  const own = await harness.deviceRun(device, result.changeId);
  expect(own.outcome).toBe(found.outcome);
  return own;
}

/** The issue's rule: deployed and validated with the intended config, or rolled back to the identical backup. Never anything else. */
async function expectDeployedOrRolledBack(result: ChangeResult, device: LabDevice, before: unknown): Promise<DeviceChangeResult> {
  const r = await deviceResult(result, device);
  expect(['deployed', 'rolled-back']).toContain(r.outcome);
  const running = harness.runningConfig(device);
  if (r.outcome === 'deployed') {
    expect(r.validation.bgp?.passed).toBe(true);
    expect(r.validation.interfaces?.passed).toBe(true);
    expect(differencesFromIntent(device, running, before)).toEqual([]);
  } else {
    expect(running).toEqual(before);
    // The backup the change took is that same config, and the workflow says it verified the restore against it.
    expect(r.backup).toBeDefined();
    const backup: unknown = JSON.parse((await harness.lab.backups.readBackup(r.backup!)).toString());
    expect(canonicalize(backup)).toEqual(canonicalize(before));
    expect(r.reason).toContain(`verified identical to backup ${r.backup!.id}`);
  }
  expect(await harness.deploymentOf(device)).toMatchObject({ state: r.outcome, lastChangeId: result.changeId });
  return r;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(scenario: string, facts: Record<string, unknown>): void {
  console.log(`[device-worker-crash] ${scenario}: ${Object.entries(facts).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`);
}

describe('the judge of what a device runs', () => {
  it('tells a half-configured device from its old config and from its intended one', async () => {
    await harness.arrangeDeployed('spine01', 'leaf02');
    const before = harness.runningConfig('leaf01');
    expect(classify('leaf01', before)).toBe('pre-change');
    // One uplink of the intent only, as a deploy split into several Sets could leave it.
    const intent = rendered('leaf01');
    await harness.lab.admin.leaf01.set({ replace: [{ path: '/interface[name=ethernet-1/49]', value: intent['/interface[name=ethernet-1/49]'] }] });
    expect(classify('leaf01', before)).toMatch(/^other: owned \/interface\[name=ethernet-1\/50\] differs from the intent/);
    await harness.arrangeDeployed('leaf01');
    expect(classify('leaf01', before)).toBe('intended');
    // The intent plus a change outside what Synapse owns is not "intended" either.
    await harness.lab.admin.leaf01.set({ update: [{ path: '/system/name/host-name', value: 'not-leaf01' }] });
    expect(classify('leaf01', before)).toBe('other: config Synapse does not own changed');
  });
});

describe('the device-worker process is SIGKILLed mid-change and restarted', () => {
  it('during the deploy: the change ends deployed and validated, or rolled back to the identical backup', async () => {
    // spine01 and leaf02 already run their intent, so leaf01's BGP comes up as soon as leaf01 is deployed.
    await harness.arrangeDeployed('spine01', 'leaf02');
    const before = harness.runningConfig('leaf01');
    expect(differencesFromIntent('leaf01', before, before).length).toBeGreaterThan(0);
    // Every gNMI call to leaf01 waits 1.5 s first: the deploy's Set is on the wire long enough to be killed under.
    harness.lab.devices.faults('leaf01').set({ latencyMs: 1500 });
    const first = await startDeviceWorker();
    const sampler = sampleConfigs({ leaf01: before });

    const handle = await startChange(changeRequest({ devices: ['leaf01'] }));
    // The rollout plans first (reads of the slowed device), so the deploy comes later than a flat change's.
    await harness.waitForStep('leaf01', 'deploy', 60_000);
    await waitForActivityOn('leaf01', 'deployConfig', first);
    await sleep(300);
    const killedAt = Date.now();
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    harness.lab.devices.faults('leaf01').clear();
    const second = await startDeviceWorker();
    const restartedAfterMs = Date.now() - killedAt;
    const atRestart = classify('leaf01', before);
    const result = await handle.result();
    const completedAfterMs = Date.now() - killedAt;
    const { seen, samples } = sampler.stop();

    log('kill during deploy', {
      killToRestartMs: restartedAfterMs,
      killToCompletionMs: completedAfterMs,
      deployHeartbeatTimeout: ACTIVITY_PROFILES.deviceWrite.heartbeatTimeout,
      leaf01AtRestart: atRestart,
      outcome: (await deviceResult(result, 'leaf01')).outcome,
      configsSeen: seen.leaf01,
      samples,
    });

    await expectDeployedOrRolledBack(result, 'leaf01', before);
    // Nothing was wrong but the crash: the retried deploy must carry the change through, not undo it.
    expect((await deviceResult(result, 'leaf01')).outcome).toBe('deployed');
    expect(result.outcome).toBe('succeeded');
    // Old config, then the new one; never a mixture, not even while no worker was alive.
    expect(seen.leaf01.every((s) => s === 'pre-change' || s === 'intended')).toBe(true);
    // The kill hit the deploy: attempt 1 died with the first process, attempt 2 ran on the new one after the heartbeat timeout.
    expect(await finishedAttempt('leaf01', 'deployConfig')).toEqual({ attempt: 2, identity: second.identity, previousTimeout: TimeoutType.TIMEOUT_TYPE_HEARTBEAT });
  });

  it('during validation: a device whose BGP comes up ends deployed and validated; one whose BGP never does is rolled back to the identical backup', async () => {
    // Both leaves change at once; spine01 already runs its intent.
    await harness.arrangeDeployed('spine01');
    const devices = ['leaf01', 'leaf02'] as const;
    const before = { leaf01: harness.runningConfig('leaf01'), leaf02: harness.runningConfig('leaf02') };
    // BGP stays down on both until we say otherwise: validation waits, and is running when the worker dies.
    for (const d of devices) harness.lab.devices.faults(d).set({ holdBgpDown: true });
    const first = await startDeviceWorker();
    const sampler = sampleConfigs(before);

    const request = changeRequest({ devices: [...devices], concurrency: 2, validation: { settleTimeoutSeconds: 10, commitConfirmed: true } });
    const handle = await startChange(request);
    for (const d of devices) {
      await harness.waitForStep(d, 'validate-bgp', 60_000);
      await waitForActivityOn(d, 'validateAndConfirm', first, { heartbeated: true });
    }
    // Validation runs after the deploy: both leaves run the new config now, unconfirmed.
    for (const d of devices) expect(classify(d, before[d])).toBe('intended');
    const killedAt = Date.now();
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    // While no worker is alive, leaf01's sessions come up; leaf02's never will.
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: false });
    const second = await startDeviceWorker();
    const restartedAfterMs = Date.now() - killedAt;
    const result = await handle.result();
    const completedAfterMs = Date.now() - killedAt;
    const { seen, samples } = sampler.stop();

    log('kill during validation', {
      killToRestartMs: restartedAfterMs,
      killToCompletionMs: completedAfterMs,
      validateHeartbeatTimeout: ACTIVITY_PROFILES.deviceValidate.heartbeatTimeout,
      leaf01: (await deviceResult(result, 'leaf01')).outcome,
      leaf02: (await deviceResult(result, 'leaf02')).outcome,
      configsSeen: seen,
      samples,
    });

    await expectDeployedOrRolledBack(result, 'leaf01', before.leaf01);
    await expectDeployedOrRolledBack(result, 'leaf02', before.leaf02);
    // leaf01 had nothing wrong but the crash; leaf02 could never pass, crash or not.
    expect((await deviceResult(result, 'leaf01')).outcome).toBe('deployed');
    const leaf02 = await deviceResult(result, 'leaf02');
    expect(leaf02.outcome).toBe('rolled-back');
    expect(leaf02.validation.bgp?.passed).toBe(false);
    expect(leaf02.reason).toMatch(/BGP validation failed on leaf02: neighbor [\d.]+: session-state \w+, expected established/);
    expect(result.outcome).toBe('partially-failed');
    for (const d of devices) {
      expect(seen[d].every((s) => s === 'pre-change' || s === 'intended')).toBe(true);
      // The kill hit the validation on both devices; the retry ran on the new process.
      expect(await finishedAttempt(d, 'validateAndConfirm')).toEqual({ attempt: 2, identity: second.identity, previousTimeout: TimeoutType.TIMEOUT_TYPE_HEARTBEAT });
    }
  });
});
