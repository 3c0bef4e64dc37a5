/**
 * Drift end to end: the reference lab runs its intent, then someone changes
 * leaf01 behind Synapse's back (an MTU, a BGP neighbor removed, an interface
 * disabled). A `report` run names each path with before and after and
 * touches nothing but Infrahub's deployment state; a `remediate` run puts the
 * intent back through the standard per-device change path and validates it.
 * A device in maintenance is suppressed; an unreachable one is reported and
 * the others are still checked.
 */
import { DriftReport, type DeviceDriftStatus, type DriftRequestInput } from '@synapse/contracts';
import { ownedDiff } from '@synapse/device-config';
import { ChangeHarness, LAB_DEVICES, rendered, type LabDevice } from './change-harness';

const NEIGHBOR = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.0]';
const EXPECTED_DRIFT = [
  { path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 },
  { path: '/interface[name=ethernet-1/50]/admin-state', before: 'enable', after: 'disable' },
  { path: NEIGHBOR, before: expect.objectContaining({ 'peer-address': '10.0.0.0', 'peer-as': 65000 }) },
];

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

/** An operator's out-of-band edit on one device, with gnmic. */
async function driftOutOfBand(device: LabDevice): Promise<void> {
  await harness.lab.admin[device].set({
    update: [
      { path: '/interface[name=ethernet-1/49]/mtu', value: 1500 },
      { path: '/interface[name=ethernet-1/50]/admin-state', value: 'disable' },
    ],
    delete: [NEIGHBOR],
  });
}

/** Managed paths where the device differs from its intent. */
function driftFromIntent(device: LabDevice): string[] {
  const intended = rendered(device);
  const diff = ownedDiff(intended, harness.runningConfig(device));
  return [...diff.added, ...diff.removed, ...diff.changed].map((e) => e.path);
}

function statusOf(report: DriftReport | undefined, device: string): DeviceDriftStatus {
  const found = report?.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no status for ${device} in ${JSON.stringify(report)}`);
  return found;
}

function driftRequest(overrides: Partial<DriftRequestInput>): DriftRequestInput {
  // A lab's schedule may remediate without an approver (the harness's server lets requests waive it).
  return { scope: { kind: 'all' }, mode: 'report', requester: 'jest', reason: 'nightly drift check', validation: { settleTimeoutSeconds: 10, commitConfirmed: true }, approval: { required: false }, ...overrides };
}

async function setDeviceStatus(device: LabDevice, status: string): Promise<void> {
  const { id } = await harness.lab.infrahub.getDevice(device);
  await harness.graphql(`mutation { DcimDeviceUpdate(data: { id: "${id}", status: { value: "${status}" } }) { ok } }`);
}


it('report: names each drifted path with before and after, records `drifted` in Infrahub, and touches no device', async () => {
  await driftOutOfBand('leaf01');
  const runningBefore = structuredClone(harness.runningConfig('leaf01'));

  const { report, failure } = await harness.runDrift(driftRequest({ driftId: 'drift-report-1' }));
  if (failure) throw failure;

  expect(DriftReport.safeParse(report).error).toBeUndefined();
  expect(statusOf(report, 'leaf01')).toMatchObject({ status: 'drifted', drifted: EXPECTED_DRIFT });
  expect(statusOf(report, 'leaf01').drifted).toHaveLength(3);
  // Management and system are counted as config Synapse does not own; never drift.
  expect(statusOf(report, 'leaf02')).toEqual({
    device: 'leaf02',
    status: 'in-sync',
    drifted: [],
    missingPolicies: [],
    deletions: 0,
    unmanaged: { count: 3, paths: [] },
    affected: { sessions: [], interfaces: [] },
    counts: { added: 0, changed: 0, removed: 0 },
  });
  expect(statusOf(report, 'spine01').status).toBe('in-sync');
  expect(report?.counts).toMatchObject({ 'in-sync': 2, drifted: 1, remediated: 0 });

  expect(harness.runningConfig('leaf01')).toEqual(runningBefore);
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'drifted', lastChangeId: 'drift-report-1' });
  expect((await harness.deploymentOf('leaf02')).state).not.toBe('drifted');
});

it('remediate: restores the intended config through the per-device change path, validated and recorded', async () => {
  await driftOutOfBand('leaf01');

  const { report, failure } = await harness.runDrift(driftRequest({ driftId: 'drift-fix-1', mode: 'remediate', scope: { kind: 'role', role: 'leaf' } }));
  if (failure) throw failure;

  expect(report?.devices.map((d) => d.device)).toEqual(['leaf01', 'leaf02']);
  // Remediated by a rollout of its own (plan, approval waived here, waves), which `change list` shows.
  expect(statusOf(report, 'leaf01')).toMatchObject({ status: 'remediated', drifted: EXPECTED_DRIFT, remediationWorkflowId: 'change/drift-fix-1' });
  const remediation = await harness.client.workflow.getHandle('change/drift-fix-1').result();
  expect(remediation).toMatchObject({ outcome: 'succeeded', counts: { deployed: 1 } });
  expect(statusOf(report, 'leaf02').status).toBe('in-sync');
  expect(driftFromIntent('leaf01')).toEqual([]);
  expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed', lastChangeId: 'drift-fix-1' });
  expect(await harness.changeRecord('drift-fix-1', 'leaf01')).toMatchObject({ outcome: 'deployed', workflowId: 'device/leaf01', requester: 'jest' });
  // The device workflow ran the whole runbook, validations included.
  const deviceRun = await harness.deviceRun('leaf01', 'drift-fix-1');
  expect(deviceRun).toMatchObject({ outcome: 'deployed', validation: { bgp: { passed: true }, interfaces: { passed: true } } });
});

it('a device in maintenance is suppressed and left drifted; an unreachable one is reported while the rest are checked, batch by batch', async () => {
  await driftOutOfBand('leaf01');
  await driftOutOfBand('leaf02');
  await setDeviceStatus('leaf02', 'maintenance');
  harness.lab.devices.faults('spine01').set({ refuseConnections: true });
  const leaf02Before = structuredClone(harness.runningConfig('leaf02'));
  expect(driftFromIntent('leaf02').length).toBeGreaterThan(0);

  const { handle, report, failure } = await harness.runDrift(driftRequest({ mode: 'remediate', batchSize: 1 }));
  if (failure) throw failure;

  expect(statusOf(report, 'leaf02')).toMatchObject({ status: 'suppressed', detail: expect.stringContaining('maintenance') });
  expect(harness.runningConfig('leaf02')).toEqual(leaf02Before);
  expect(statusOf(report, 'spine01')).toMatchObject({ status: 'unreachable', detail: expect.stringContaining('DeviceUnreachable') });
  expect(statusOf(report, 'leaf01').status).toBe('remediated');
  expect(report?.counts).toMatchObject({ suppressed: 1, unreachable: 1, remediated: 1 });

  // One batch workflow per batch of one (the two devices not suppressed), each one render and one check;
  // the run's own history holds no activity of the scan, so no config.
  const history = await handle.fetchHistory();
  const batches = (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []).filter((a) => a.workflowType?.name === 'DriftBatchWorkflow');
  expect(batches.map((b) => b.workflowId)).toEqual([`${handle.workflowId}/batch-1`, `${handle.workflowId}/batch-2`]);
  const runActivities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(runActivities).not.toContain('checkDrift');
  expect(runActivities).not.toContain('renderIntents');
  for (const batch of batches) {
    const batchHistory = await harness.client.workflow.getHandle(batch.workflowId!).fetchHistory();
    const activities = (batchHistory.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(['renderIntents', 'checkDrift']);
  }
});

it('a device whose intent does not render is reported unchecked, and the others are still checked', async () => {
  await driftOutOfBand('leaf01');
  // Someone gives leaf02 a platform Synapse has no renderer for.
  const platform = await harness.graphql('mutation { DcimPlatformCreate(data: { name: { value: "junos" } }) { ok object { id } } }');
  const { id: leaf02 } = await harness.lab.infrahub.getDevice('leaf02');
  await harness.graphql(`mutation { DcimDeviceUpdate(data: { id: "${leaf02}", platform: { id: "${platform.DcimPlatformCreate.object.id}" } }) { ok } }`);

  const { report, failure } = await harness.runDrift(driftRequest({ batchSize: 3 }));
  if (failure) throw failure;

  expect(statusOf(report, 'leaf02')).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/not checked: .*junos.*\[Unsupported\]/) });
  expect(statusOf(report, 'leaf01').status).toBe('drifted');
  expect(statusOf(report, 'spine01').status).toBe('in-sync');
  expect(report?.devices.map((d) => d.device)).toEqual(['leaf01', 'leaf02', 'spine01']);
});

it('a scope naming a device Infrahub does not know fails at once, naming it, and checks nothing', async () => {
  const { failure } = await harness.runDrift(driftRequest({ scope: { kind: 'devices', devices: ['leaf01', 'nosuch01'] } }));
  expect(failure?.cause).toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('scope.devices.1: nosuch01') });
});

it('remediate: at most maxRemediations devices per run, and without a waiver the remediation waits for an approver', async () => {
  await driftOutOfBand('leaf01');
  await driftOutOfBand('leaf02');
  const leaf02Before = structuredClone(harness.runningConfig('leaf02'));
  const driftId = 'drift-capped-1';
  const handle = await harness.client.workflow.start('DriftRemediationWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: `drift/${driftId}`,
    workflowExecutionTimeout: '3 minutes',
    args: [driftRequest({ driftId, mode: 'remediate', maxRemediations: 1, approval: { required: true, timeoutSeconds: 60 } }), harness.routing],
  });
  // The remediation is a change like any other: it waits in awaiting-approval until someone decides.
  const remediation = harness.client.workflow.getHandle(`change/${driftId}`);
  for (let i = 0; ; i++) {
    const progress = await remediation.query<{ phase: string }>('progress').catch(() => undefined);
    if (progress?.phase === 'awaiting-approval') break;
    if (i > 200) throw new Error(`the remediation never asked for approval: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await remediation.executeUpdate('approve', { args: [{ approver: 'alice', comment: 'nightly fix' }] });
  const report = (await handle.result()) as DriftReport;

  expect(statusOf(report, 'leaf01')).toMatchObject({ status: 'remediated', remediationWorkflowId: `change/${driftId}` });
  expect(statusOf(report, 'leaf02')).toMatchObject({ status: 'drifted', detail: expect.stringContaining('more than maxRemediations (1)') });
  expect(driftFromIntent('leaf01')).toEqual([]);
  expect(harness.runningConfig('leaf02')).toEqual(leaf02Before);
});
