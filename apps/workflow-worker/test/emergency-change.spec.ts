/**
 * Emergency changes end to end, on the reference lab with every device
 * running its intent: an emergency takes a device from a standard change
 * (which rolls back and records that it was pre-empted), is refused without
 * a reason or a ticket, rolls back when it fails, and with a time to live
 * puts the backup back exactly. Infrahub ends up saying
 * `needs-reconciliation`, with a change record of kind emergency.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ApplicationFailure } from '@temporalio/common';
import { EMERGENCY_UPDATES, workflowIds, type ChangeResult, type EmergencyChangeRequestInput } from '@synapse/contracts';
import { diffConfigs } from '@synapse/device-config';
import { ChangeHarness, changeRequest, LAB_DEVICES, type LabDevice } from './change-harness';

const NEIGHBOR_10_0_0_0 = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]';
/** The incident: a misbehaving peer on leaf01's first uplink; the fix: shut that session. */
const SHUT_PEER = { update: [{ path: `${NEIGHBOR_10_0_0_0}/admin-state`, value: 'disable' }] };

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});
beforeEach(async () => {
  await harness.newLab();
  await harness.arrangeDeployed(...LAB_DEVICES);
});
afterEach(async () => {
  await harness.stopLab();
});

function emergencyRequest(overrides: Partial<EmergencyChangeRequestInput> = {}): EmergencyChangeRequestInput {
  return {
    changeId: `em-${randomUUID().slice(0, 8)}`,
    devices: ['leaf01'],
    reason: 'peer 10.0.0.0 is flapping and dragging the fabric down',
    ticket: 'INC-4711',
    requester: 'oncall-alice',
    source: { kind: 'patch', patch: SHUT_PEER },
    validation: { settleTimeoutSeconds: 10, commitConfirmed: true },
    ...overrides,
  };
}

function deviceResult(result: ChangeResult | undefined, device: LabDevice) {
  const found = result?.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no ${device} result in ${JSON.stringify(result)}`);
  return found;
}

/** One leaf of the running config, read over gNMI as an operator would with gnmic. */
async function leafValue(device: LabDevice, path: string): Promise<unknown> {
  const { updates } = await harness.lab.admin[device].get(path, { type: 'CONFIG' });
  return updates[0]?.value;
}

/** Paths where the device's running config differs from an earlier snapshot. */
function changedSince(device: LabDevice, snapshot: unknown): string[] {
  const diff = diffConfigs(snapshot, harness.runningConfig(device));
  return [...diff.added, ...diff.removed, ...diff.changed].map((e) => e.path);
}




it('pre-empts a running standard change: that change rolls back and records it, then the emergency applies', async () => {
  const original = structuredClone(harness.runningConfig('leaf01'));
  await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9000);
  // The standard change deploys the new MTU, then waits in BGP validation: the sessions are held down.
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
  const standardRequest = changeRequest({ validation: { settleTimeoutSeconds: 60, commitConfirmed: true } });
  const standard = await harness.startChange(standardRequest);
  await harness.waitForStep('leaf01', 'validate-bgp');
  expect(await leafValue('leaf01', '/interface[name=ethernet-1/49]/mtu')).toBe(9000);

  const request = emergencyRequest();
  const emergency = await harness.startEmergency(request);
  const standardResult = await standard.result();
  // The incident also ends the BGP outage the standard change was waiting for.
  harness.lab.devices.faults('leaf01').clear();
  const result = await emergency.result();

  // The standard change: rolled back, pre-empted, and says by whom.
  expect(deviceResult(standardResult, 'leaf01').outcome).toBe('pre-empted');
  const preempted = await harness.deviceRun('leaf01', standardRequest.changeId);
  expect(preempted.outcome).toBe('pre-empted');
  expect(preempted.reason).toContain(`pre-empted by emergency change ${request.changeId} (ticket INC-4711, by oncall-alice`);
  expect(preempted.reason).toContain('rolled back (cancel-commit)');
  expect(standardResult.outcome).toBe('failed');
  // Written after it let go of the device, by a workflow of its own.
  expect(await harness.waitForChangeRecord(standardRequest.changeId, 'leaf01')).toMatchObject({ kind: 'standard', outcome: 'pre-empted' });

  // The emergency: started on the device only after the rollback had finished.
  expect(result.outcome).toBe('succeeded');
  expect(deviceResult(result, 'leaf01')).toMatchObject({ outcome: 'deployed', preempted: { changeId: standardRequest.changeId, workflowId: workflowIds.change(standardRequest.changeId) } });
  const applied = await harness.deviceRun('leaf01', request.changeId);
  const rollbackEnded = Date.parse(preempted.timings.find((t) => t.step === 'rollback')?.finishedAt ?? 'NaN');
  const emergencyBackupStarted = Date.parse(applied.timings.find((t) => t.step === 'backup')?.startedAt ?? 'NaN');
  expect(emergencyBackupStarted).toBeGreaterThanOrEqual(rollbackEnded);
  expect(applied.timings.map((t) => t.step)).toEqual(['fetch-intent', 'backup', 'store-backup', 'record-status', 'deploy', 'validate-bgp', 'validate-interfaces', 'confirm', 'record-status']);
  // Reduced validation: the shut peer is not expected up, the other uplink is.
  expect(applied.validation.bgp?.checks.map((c) => c.subject)).toEqual(['neighbor 10.0.0.4']);

  // The device: the standard change's MTU is gone, the emergency's patch is there, nothing else moved.
  expect(await leafValue('leaf01', `${NEIGHBOR_10_0_0_0}/admin-state`)).toBe('disable');
  expect(changedSince('leaf01', original)).toEqual([`${NEIGHBOR_10_0_0_0}/admin-state`]);

  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'needs-reconciliation', lastChangeId: request.changeId });
  const record = await harness.changeRecord(request.changeId, 'leaf01');
  expect(record).toMatchObject({ kind: 'emergency', outcome: 'deployed', ticket: 'INC-4711', requester: 'oncall-alice' });
  expect(record?.diffSummary).toBe(`patch: 1 updated, 0 deleted: ${NEIGHBOR_10_0_0_0}/admin-state`);
});

it('does not relabel a standard change pre-empted once it is already rolling back its own failure', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9000);
  // BGP never comes up, so validation fails after 2 s; slow answers keep the rollback going long enough to be caught in it.
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true, latencyMs: 1500 });
  const request = changeRequest({ validation: { settleTimeoutSeconds: 2, commitConfirmed: true } });
  const standard = await harness.startChange(request);
  await harness.waitForStep('leaf01', 'rollback', 30_000);

  // What an emergency sends the lock holder.
  await harness.client.workflow.getHandle(workflowIds.device('leaf01')).signal('preempt', { changeId: 'em-late', workflowId: 'emergency/em-late', ticket: 'INC-1', requester: 'oncall' });
  const result = await standard.result();

  const leaf01 = await harness.deviceRun('leaf01', request.changeId);
  expect(deviceResult(result, 'leaf01').outcome).toBe('rolled-back');
  expect(leaf01.outcome).toBe('rolled-back');
  expect(leaf01.reason).toMatch(/BGP validation failed on leaf01/);
  expect(leaf01.reason).not.toContain('pre-empted');
  expect(await harness.changeRecord(request.changeId, 'leaf01')).toMatchObject({ kind: 'standard', outcome: 'rolled-back' });
  harness.lab.devices.faults('leaf01').clear();
  expect(harness.runningConfig('leaf01')).toEqual(before);
}, 60_000);

it.each([
  ['reason', 'reason: an emergency change needs a reason'],
  ['ticket', 'ticket: an emergency change needs a ticket'],
])('is refused without a %s, touching nothing', async (field, message) => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  const { [field as 'reason' | 'ticket']: _dropped, ...request } = emergencyRequest();

  const { failure } = await harness.runEmergency(request);

  const cause = failure?.cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('InvalidInput');
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect(cause?.message).toContain(message);
  expect(harness.runningConfig('leaf01')).toEqual(before);
  expect(await harness.lab.infrahub.getDevice('leaf01').then((d) => d.deployment?.state)).not.toBe('needs-reconciliation');
});

it('rolls back when its validation fails, and records the emergency as rolled back', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
  // Touches only the loopback's description: every BGP session is still expected up, and none is.
  const request = emergencyRequest({
    source: { kind: 'patch', patch: { update: [{ path: '/interface[name=system0]/description', value: 'INC-4711 emergency' }] } },
    validation: { settleTimeoutSeconds: 3, commitConfirmed: true },
  });

  const { result, failure } = await harness.runEmergency(request);

  expect(failure).toBeUndefined();
  const leaf01 = deviceResult(result, 'leaf01');
  expect(result?.outcome).toBe('failed');
  expect(leaf01.outcome).toBe('rolled-back');
  expect(leaf01.reason).toMatch(/BGP validation failed on leaf01: neighbor 10\.0\.0\.0: .*rolled back \(cancel-commit\)/);
  expect(harness.runningConfig('leaf01')).toEqual(before);
  expect(await harness.changeRecord(request.changeId, 'leaf01')).toMatchObject({ kind: 'emergency', outcome: 'rolled-back', ticket: 'INC-4711' });
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'rolled-back' });
});

it('is recorded refused, with nothing restored, when the device refuses the patch', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  // configOnly: the backup's pending-commit probe (a Set without config) passes; the patch is refused.
  harness.lab.devices.faults('leaf01').failNextSet(status.INVALID_ARGUMENT, 'simulated: leaf01 refuses the candidate configuration', { configOnly: true });

  const request = emergencyRequest();
  const { result } = await harness.runEmergency(request);

  expect(deviceResult(result, 'leaf01').outcome).toBe('refused');
  const leaf01 = await harness.deviceRun('leaf01', request.changeId);
  expect(leaf01.outcome).toBe('refused');
  expect(leaf01.reason).toContain('[ConfigRejected]; nothing was changed on leaf01, so nothing was restored');
  expect(leaf01.timings.map((t) => t.step)).not.toContain('rollback');
  expect(harness.runningConfig('leaf01')).toEqual(before);
});

it('with a time to live, reverts to the backup exactly once it has run out', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  const request = emergencyRequest({ revertAfterSeconds: 10 });

  const handle = await harness.startEmergency(request);
  await harness.waitForStep('leaf01', 'await-revert');
  // While the time runs: the patch is on the device, Infrahub says it needs reconciling.
  expect(await leafValue('leaf01', `${NEIGHBOR_10_0_0_0}/admin-state`)).toBe('disable');
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'needs-reconciliation' });
  const result = await handle.result();

  const leaf01 = await harness.deviceRun('leaf01', request.changeId);
  expect(result.outcome).toBe('succeeded');
  expect(deviceResult(result, 'leaf01').outcome).toBe('reverted');
  expect(leaf01.outcome).toBe('reverted');
  expect(leaf01.reason).toContain('time to live of 10 s ran out: reverted (restore), what it changed is verified identical to backup');
  expect(harness.runningConfig('leaf01')).toEqual(before);
  const awaited = leaf01.timings.find((t) => t.step === 'await-revert');
  expect(awaited?.durationMs).toBeGreaterThanOrEqual(10_000);
  expect(await harness.changeRecord(request.changeId, 'leaf01')).toMatchObject({ kind: 'emergency', outcome: 'reverted' });
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'needs-reconciliation' });
});

it('does not pre-empt another emergency, and a cancel during the time to live reverts at once', async () => {
  const before = structuredClone(harness.runningConfig('leaf01'));
  const first = emergencyRequest({ revertAfterSeconds: 600 });
  const firstHandle = await harness.startEmergency(first);
  await harness.waitForStep('leaf01', 'await-revert');

  const second = await harness.runEmergency(emergencyRequest({ source: { kind: 'intent' } }));
  const refused = deviceResult(second.result, 'leaf01');
  expect(refused.outcome).toBe('failed');
  expect(refused.reason).toContain(`leaf01 is held by emergency change ${first.changeId}`);
  expect(await leafValue('leaf01', `${NEIGHBOR_10_0_0_0}/admin-state`)).toBe('disable');

  await firstHandle.cancel();
  await expect(firstHandle.result()).rejects.toThrow();
  expect(harness.runningConfig('leaf01')).toEqual(before);
  const record = await harness.changeRecord(first.changeId, 'leaf01');
  expect(record).toMatchObject({ kind: 'emergency', outcome: 'reverted' });
  expect(record?.detail).toContain('cut short by a cancel');
});

it('from the intent on a device already running it: in-sync, nothing deployed, no backup archived or shown', async () => {
  // The store has no repository (or no commit) until a first backup is archived: that counts as none.
  const archived = () => {
    try {
      return harness.backupCommitMessages('leaf02').length;
    } catch {
      return 0;
    }
  };
  const commitsBefore = archived();
  const request = emergencyRequest({ devices: ['leaf02'], source: { kind: 'intent' } });
  const { result } = await harness.runEmergency(request);
  expect(deviceResult(result, 'leaf02')).toMatchObject({ outcome: 'in-sync' });
  expect(deviceResult(result, 'leaf02').backupId).toBeUndefined();
  const own = await harness.deviceRun('leaf02', request.changeId);
  // Read and planned against, never archived: the backup history has no commit for a change that changed nothing.
  expect(own.timings.map((t) => t.step)).toEqual(['fetch-intent', 'backup', 'diff', 'record-status']);
  expect(own.backup).toBeUndefined();
  expect(archived()).toBe(commitsBefore);
});

it('refuses revert-now for an emergency without a time to live, and a request without who reverts', async () => {
  harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
  const handle = await harness.startEmergency(emergencyRequest({ validation: { settleTimeoutSeconds: 30, commitConfirmed: true } }));
  try {
    await harness.waitForStep('leaf01', 'validate-bgp');
    await expect(handle.executeUpdate(EMERGENCY_UPDATES.revertNow, { args: [{ by: 'bob' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/has no time to live \(--revert-after\): its change is meant to stay/) } });
    await expect(handle.executeUpdate(EMERGENCY_UPDATES.revertNow, { args: [{ by: ' ' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/by: who reverts is required/) } });
  } finally {
    harness.lab.devices.faults('leaf01').clear();
  }
  // Refused Updates leave no trace: the emergency goes on and applies.
  expect(deviceResult(await handle.result(), 'leaf01').outcome).toBe('deployed');
});
