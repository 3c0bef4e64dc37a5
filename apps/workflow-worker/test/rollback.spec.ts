/**
 * Changes that fail after the deploy started: the device is put back to its
 * backup (running config identical to before), and Infrahub says
 * `rolled-back` and why. A rollback that itself fails is loud: status
 * `failed`, the change fails with RollbackFailed.
 *
 * spine01 and leaf02 already run their intent, so leaf01's BGP sessions can
 * come up as soon as leaf01 is deployed: each fault below is the only reason
 * a change on leaf01 fails.
 */
import { status } from '@grpc/grpc-js';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ChangeResult, workflowIds, type RolloutProgress } from '@synapse/contracts';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { ChangeHarness, changeRequest } from './change-harness';

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
  await harness.arrangeDeployed('spine01', 'leaf02');
});
afterEach(async () => {
  await harness.stopLab();
});

/** leaf01's own result (validations, timings, backup), checked against its line in the change's summary. */
async function leaf01Of(result: ChangeResult | undefined) {
  const found = result?.devices.find((d) => d.device === 'leaf01');
  if (!found) throw new Error(`no leaf01 result in ${JSON.stringify(result)}`);
  const own = await harness.deviceRun('leaf01');
  expect(own.outcome).toBe(found.outcome);
  return own;
}

describe('a change that fails after the deploy started', () => {
  it('is recorded refused, and nothing is restored, when the device refuses the config (the Set was not applied)', async () => {
    const before = harness.runningConfig('leaf01');
    // configOnly: the backup's pending-commit probe (a Set without config) passes; the deploy is refused.
    harness.lab.devices.faults('leaf01').failNextSet(status.INVALID_ARGUMENT, 'simulated: leaf01 refuses the candidate configuration', { configOnly: true });
    const request = changeRequest();

    const { result, failure } = await harness.runChange(request);

    expect(failure).toBeUndefined();
    expect(result?.outcome).toBe('failed');
    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('refused');
    expect(leaf01.reason).toMatch(/^deployConfig: .*refuses the candidate configuration.*did not apply the Set \[ConfigRejected\]; nothing was changed on leaf01, so nothing was restored/);
    // No rollback step at all: nothing to put back.
    expect(leaf01.timings.map((t) => t.step)).toEqual(['fetch-intent', 'backup', 'diff', 'store-backup', 'baseline', 'record-status', 'deploy', 'record-status', 'hold']);
    expect(harness.runningConfig('leaf01')).toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'failed', lastChangeId: request.changeId });
    const record = await harness.changeRecord(request.changeId, 'leaf01');
    expect(record).toMatchObject({ outcome: 'refused', backupId: leaf01.backup?.id });
    expect(record?.detail).toContain('ConfigRejected');
    const history = await harness.historyText(workflowIds.change(request.changeId), ['leaf01']);
    expect(history).not.toContain('rollbackConfig');
  });

  it('a lost confirm answer does not roll back a good change: the retry reads the device back', async () => {
    // BGP is held down so the change waits in validation while the fault is armed, then let up.
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ validation: { settleTimeoutSeconds: 10, commitConfirmed: true } });
    const handle = await harness.startChange(request);
    // The deploy's Set is done; the next Set leaf01 gets is the confirm, whose answer is lost after it took effect.
    await harness.waitForStep('leaf01', 'validate-bgp');
    harness.lab.devices.faults('leaf01').dropNextSet('after-apply');
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: false });

    const result = await handle.result();

    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('deployed');
    expect(leaf01.timings.map((t) => t.step)).not.toContain('rollback');
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed' });
    const events = (await harness.client.workflow.getHandle(workflowIds.device('leaf01')).fetchHistory()).events ?? [];
    // The confirm runs inside the validation that allows it: the lost answer failed that activity's first attempt,
    // and the second validated again, found no commit pending and read the device back instead of confirming twice.
    const confirm = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validateAndConfirm');
    const confirmStarted = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(confirm?.eventId));
    expect(confirmStarted?.activityTaskStartedEventAttributes?.attempt).toBe(2);
    expect(leaf01.timings.map((t) => t.step)).toEqual(expect.arrayContaining(['validate-bgp', 'validate-interfaces', 'confirm', 'record-ownership']));
  });

  it("refuses a device where someone else's confirmed commit is pending, naming it, before taking a backup", async () => {
    await harness.lab.admin.leaf01.set(
      { update: [{ path: '/interface[name=ethernet-1/49]/description', value: 'maintenance in progress' }] },
      { commit: { id: 'operator/mw-7', action: 'commit', rollbackDurationMs: 300_000 } },
    );
    const pending = harness.runningConfig('leaf01');
    const request = changeRequest();

    const { result } = await harness.runChange(request);

    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('failed');
    expect(leaf01.reason).toMatch(/prepareDeploy: leaf01: a confirmed commit is pending on the device \(device says: .*operator\/mw-7.*\).*\[DeviceBusy\]; nothing was deployed/);
    expect(leaf01.backup).toBeUndefined();
    expect(harness.backupCommitMessages('leaf01')).toEqual([]);
    expect(harness.runningConfig('leaf01')).toEqual(pending);
    // Still the operator's to confirm.
    await expect(harness.lab.admin.leaf01.confirmCommit('operator/mw-7')).resolves.toBeDefined();
  });

  it('a device unreachable for 60 s during the rollback is found reverted by itself and recorded rolled back, not "restore by hand"', async () => {
    const before = harness.runningConfig('leaf01');
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ validation: { settleTimeoutSeconds: 2, commitConfirmed: true } });
    const handle = await harness.startChange(request);
    await harness.waitForStep('leaf01', 'validate-bgp');
    // The device reloads and stays away for a minute; a reload drops the unconfirmed commit.
    const reload = harness.lab.devices.faults('leaf01').restart(60_000);

    const result = await handle.result();
    await reload;

    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('rolled-back');
    expect(leaf01.reason).not.toContain('ROLLBACK FAILED');
    expect(leaf01.reason).toContain(`nothing to restore: the device already matched backup ${leaf01.backup!.id}`);
    expect(harness.runningConfig('leaf01')).toEqual(before);
    const rollback = leaf01.timings.find((t) => t.step === 'rollback');
    // It kept trying through the outage rather than giving up after three attempts.
    expect(rollback?.durationMs).toBeGreaterThan(40_000);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'rolled-back' });
    expect((await harness.changeRecord(request.changeId, 'leaf01'))?.outcome).toBe('rolled-back');
  }, 150_000);

  it('is rolled back by cancelling the pending commit when BGP never establishes', async () => {
    const before = harness.runningConfig('leaf01');
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ validation: { settleTimeoutSeconds: 3, commitConfirmed: true } });

    const { result, failure } = await harness.runChange(request);

    expect(failure).toBeUndefined();
    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('rolled-back');
    expect(leaf01.validation.bgp?.passed).toBe(false);
    // Validated together with BGP, in the same settle window: the interfaces were fine.
    expect(leaf01.validation.interfaces?.passed).toBe(true);
    expect(leaf01.reason).toMatch(/BGP validation failed on leaf01: neighbor 10\.0\.0\.0: session-state \w+, expected established/);
    expect(leaf01.reason).toContain('rolled back (cancel-commit)');
    expect(harness.runningConfig('leaf01')).toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'rolled-back' });
    expect((await harness.changeRecord(request.changeId, 'leaf01'))?.detail).toContain('neighbor 10.0.0.0');
    const history = await harness.historyText(workflowIds.change(request.changeId), ['leaf01']);
    expect(history).toContain('rollbackConfig');
    expect(history).not.toContain(LAB_CREDENTIALS.password);
    expect(history).not.toContain(DEFAULT_LAB_API_TOKEN);
  });

  it('is rolled back by restoring the backup when an interface stays down (no commit-confirmed)', async () => {
    const before = harness.runningConfig('leaf01');
    // system0 carries no BGP session here, so BGP passes and only the interface check fails.
    harness.lab.devices.faults('leaf01').flapInterface('system0', 600_000);
    const request = changeRequest({ validation: { settleTimeoutSeconds: 3, commitConfirmed: false } });

    const { result, failure } = await harness.runChange(request);

    expect(failure).toBeUndefined();
    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('rolled-back');
    expect(leaf01.validation.bgp?.passed).toBe(true);
    expect(leaf01.validation.interfaces?.passed).toBe(false);
    expect(leaf01.reason).toMatch(/interface validation failed on leaf01: interface system0: oper-state down, expected up/);
    expect(leaf01.reason).toContain('rolled back (restore)');
    expect(harness.runningConfig('leaf01')).toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'rolled-back' });
    expect((await harness.changeRecord(request.changeId, 'leaf01'))?.detail).toContain('system0');
  });

  it('is rolled back when the operator cancels the change during validation, and the change ends cancelled', async () => {
    const before = harness.runningConfig('leaf01');
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ validation: { settleTimeoutSeconds: 60, commitConfirmed: true } });
    const handle = await harness.startChange(request);
    await harness.waitForStep('leaf01', 'validate-bgp');
    expect(harness.runningConfig('leaf01')).not.toEqual(before);

    const cancelledAt = Date.now();
    await handle.cancel();
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // Well inside the 60 s settle time: the validation stopped when asked.
    expect(Date.now() - cancelledAt).toBeLessThan(20_000);
    expect(harness.runningConfig('leaf01')).toEqual(before);
    // The device workflow itself answers how it ended (a rollout reads its devices' results, cancelled or not).
    expect(await harness.deviceRun('leaf01')).toMatchObject({ outcome: 'rolled-back', reason: expect.stringMatching(/cancelled; rolled back \(cancel-commit\)/) });
    // The rollback waited until the validation in flight had really stopped.
    const events = (await harness.client.workflow.getHandle(workflowIds.device('leaf01')).fetchHistory()).events ?? [];
    const validationCancelled = events.findIndex((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    const rollbackScheduled = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'rollbackConfig');
    expect(validationCancelled).toBeGreaterThan(0);
    expect(rollbackScheduled).toBeGreaterThan(validationCancelled);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'rolled-back', lastChangeId: request.changeId });
    const record = await harness.changeRecord(request.changeId, 'leaf01');
    expect(record?.outcome).toBe('rolled-back');
    expect(record?.detail).toMatch(/cancelled; rolled back \(cancel-commit\)/);
    const progress = await handle.query<RolloutProgress>('progress');
    expect(progress).toMatchObject({ phase: 'done', counts: { 'rolled-back': 1 } });
    expect(progress.notes).toContain('cancelled: every deployed device is rolled back');
  });
});

describe('a rollback that fails', () => {
  it('records `failed`, fails the device workflow and the change with RollbackFailed, and says what to restore', async () => {
    const before = harness.runningConfig('leaf01');
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ validation: { settleTimeoutSeconds: 3, commitConfirmed: false } });
    const handle = await harness.startChange(request);
    // The deploy's Set is done; the next Set leaf01 gets is the rollback's, and it is refused.
    await harness.waitForStep('leaf01', 'validate-bgp');
    harness.lab.devices.faults('leaf01').failNextSet(status.INVALID_ARGUMENT, 'simulated: leaf01 refuses the restore');

    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'RollbackFailed', nonRetryable: true });
    expect(cause?.message).toContain('leaf01');
    const result = ChangeResult.parse((cause as ApplicationFailure).details?.[0]);
    const leaf01 = await leaf01Of(result);
    expect(leaf01.outcome).toBe('failed');
    expect(leaf01.reason).toMatch(/BGP validation failed.*ROLLBACK FAILED: rollbackConfig: .*refuses the restore.*restore backup [0-9a-f]+ by hand/);
    expect(leaf01.reason).toContain(leaf01.backup!.id);
    // The device still runs the new config: that is why this is loud.
    expect(harness.runningConfig('leaf01')).not.toEqual(before);
    const device = await harness.client.workflow.getHandle(workflowIds.device('leaf01')).describe();
    expect(device.status.name).toBe('FAILED');
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'failed', lastChangeId: request.changeId });
    const record = await harness.changeRecord(request.changeId, 'leaf01');
    expect(record?.outcome).toBe('failed');
    expect(record?.detail).toContain('ROLLBACK FAILED');
  });
});
