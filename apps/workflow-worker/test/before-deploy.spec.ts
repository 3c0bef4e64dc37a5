/**
 * Changes that must stop before anything is pushed: a device that cannot be
 * reached for its backup, a device another change holds, and requests that
 * are wrong (empty, unknown device, malformed). Each ends with a clear
 * reason and the devices as they were.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { workflowIds } from '@synapse/contracts';
import { ChangeHarness, changeRequest, LAB_DEVICES } from './change-harness';

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
});
afterEach(async () => {
  await harness.stopLab();
});

function snapshotConfigs() {
  return Object.fromEntries(LAB_DEVICES.map((d) => [d, harness.runningConfig(d)]));
}

describe('a device that cannot be reached for its backup', () => {
  it('fails with the reason, pushes nothing, and records `failed` in Infrahub', async () => {
    const before = snapshotConfigs();
    harness.lab.devices.faults('leaf01').set({ refuseConnections: true });
    const request = changeRequest({ devices: ['leaf01'] });

    const { result, failure } = await harness.runChange(request);

    expect(failure).toBeUndefined();
    expect(result?.outcome).toBe('failed');
    expect(result!.devices[0]).toMatchObject({ device: 'leaf01', outcome: 'failed' });
    // The plan found it unreachable and said so; it was still tried in its wave, in case it came back.
    const leaf01 = await harness.deviceRun('leaf01', request.changeId);
    expect(leaf01.outcome).toBe('failed');
    expect(leaf01.reason).toMatch(/^prepareDeploy: .*\[DeviceUnreachable\]; nothing was deployed to leaf01$/);
    expect(leaf01.backup).toBeUndefined();
    // Retried under the deviceRead profile, then given up; no step after the backup ran but holding the lock until the rollout ended.
    expect(leaf01.timings.map((t) => t.step)).toEqual(['fetch-intent', 'backup', 'record-status', 'hold']);
    expect(snapshotConfigs()).toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'failed', lastChangeId: request.changeId });
    const record = await harness.changeRecord(request.changeId, 'leaf01');
    expect(record?.outcome).toBe('failed');
    expect(record?.detail).toContain('DeviceUnreachable');
    expect(record?.diffSummary).toMatch(/not computed/);
  });
});

describe('two changes on one device at once', () => {
  it('with no lock wait, the second gives up as a whole at once, naming the change that holds the device, and leaves the first alone', async () => {
    await harness.arrangeDeployed('spine01', 'leaf02');
    // The first change sits in BGP validation for up to a minute.
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const first = changeRequest({ devices: ['leaf01'], validation: { settleTimeoutSeconds: 60, commitConfirmed: true } });
    const firstHandle = await harness.startChange(first);
    await harness.waitForStep('leaf01', 'validate-bgp');
    // Meanwhile Infrahub moves on: the second change has something to deploy on leaf01, so it needs its lock.
    await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9000);

    const second = changeRequest({ devices: ['leaf01', 'leaf02'], lockTimeoutSeconds: 0 });
    const startedAt = Date.now();
    const secondHandle = await harness.startChange(second);
    await harness.waitForRollout(secondHandle, (p) => p.phase === 'done', 20_000);
    const { result, failure } = await secondHandle.result().then((r) => ({ result: r, failure: undefined }));

    expect(failure).toBeUndefined();
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(result?.outcome).toBe('failed');
    const leaf01 = result!.devices.find((d) => d.device === 'leaf01')!;
    expect(leaf01.outcome).toBe('skipped');
    expect(leaf01.reason).toContain(`leaf01 is held by change ${first.changeId} (standard, workflow ${workflowIds.change(first.changeId)})`);
    expect(leaf01.reason).toContain('the change gave up as a whole and nothing was touched');
    // leaf02 was already at its intent: nothing to lock or do.
    expect(result!.devices.find((d) => d.device === 'leaf02')?.outcome).toBe('in-sync');
    // The first change still owns leaf01's status; the second wrote nothing for it.
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deploying', lastChangeId: first.changeId });
    expect(await harness.changeRecord(second.changeId, 'leaf01')).toBeUndefined();
    const own = await harness.client.workflow.getHandle(workflowIds.device('leaf01')).query<{ step: string }>('progress');
    expect(own.step).toBe('validate-bgp');

    await firstHandle.cancel();
    await firstHandle.result().catch(() => undefined);
  });
});

describe('a bad request', () => {
  /** The change failed at once, with a non-retryable InvalidInput whose message names the fields. */
  async function expectInvalidInput(request: unknown): Promise<{ message: string; fields: string[]; workflowId: string }> {
    const { handle, failure } = await harness.runChange(request);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = failure!.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    // No device workflow (nor a group to lock devices) was ever started: plan batches, which only read, may have been.
    const history = await handle.fetchHistory();
    const startedDevices = (history.events ?? []).filter(
      (e) =>
        e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED &&
        ['DeviceChangeWorkflow', 'DeviceGroupWorkflow'].includes(e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ?? ''),
    );
    expect(startedDevices).toEqual([]);
    const details = (cause as ApplicationFailure).details?.[0] as { fields: string[] };
    return { message: cause!.message, fields: details.fields, workflowId: handle.workflowId };
  }

  it('with no device names the `devices` field', async () => {
    const failure = await expectInvalidInput(changeRequest({ devices: [] }));
    expect(failure.fields).toEqual(['devices']);
    expect(failure.message).toBe('NetworkChangeWorkflow input: devices: at least one device');
  });

  it('with a device Infrahub does not know names `devices.1`, and no device is touched', async () => {
    const before = snapshotConfigs();
    const deploymentBefore = await harness.deploymentOf('leaf01');
    const request = changeRequest({ devices: ['leaf01', 'leaf99'] });

    const failure = await expectInvalidInput(request);

    expect(failure.fields).toEqual(['devices.1']);
    expect(failure.message).toMatch(/^NetworkChangeWorkflow input: devices\.1: leaf99: .*\[IntentNotFound\]; no device was touched$/);
    expect(snapshotConfigs()).toEqual(before);
    expect(await harness.deploymentOf('leaf01')).toEqual(deploymentBefore);
    expect(await harness.changeRecord(request.changeId, 'leaf01')).toBeUndefined();
  });

  it('naming an Infrahub branch that does not exist names `branch`', async () => {
    const failure = await expectInvalidInput(changeRequest({ devices: ['leaf01', 'leaf02'], branch: 'no-such-branch' }));
    expect(failure.fields).toEqual(['branch']);
    expect(failure.message).toContain('[BranchNotFound]');
  });

  it('that is malformed names every wrong field', async () => {
    const failure = await expectInvalidInput({ changeId: 'has spaces', devices: ['leaf01', 'leaf01'], reason: ' ', requester: 'jest', concurrency: 0 });
    expect(failure.fields).toEqual(expect.arrayContaining(['changeId', 'reason', 'concurrency']));
    expect(failure.message).toMatch(/changeId: change id/);
    expect(failure.message).toMatch(/reason: a reason is required/);
  });

  it('that is not a request at all says so', async () => {
    const failure = await expectInvalidInput('deploy leaf01 please');
    expect(failure.fields).toEqual(['(root)']);
  });

  it('that lists a device twice names the second entry', async () => {
    const failure = await expectInvalidInput(changeRequest({ devices: ['leaf01', 'leaf02', 'leaf01'] }));
    expect(failure.fields).toEqual(['devices.2']);
    expect(failure.message).toContain('leaf01 is listed twice');
  });
});
