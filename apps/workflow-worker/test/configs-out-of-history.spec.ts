/**
 * No config document in workflow history. A standard change of the whole
 * reference lab and a drift run (one device drifted out of band, the others
 * in sync) are run for real; then every history on this file's task queue
 * (the change, its plan batches, device groups, waves, device workflows,
 * outcome records; the drift run and its batches) is fetched, every payload
 * decoded and searched for the shapes a config has. The rendered configs
 * travel as their digest, the backups as their id: both are in the
 * histories, the documents are not.
 */
import { temporal } from '@temporalio/proto';
import { workflowIds } from '@synapse/contracts';
import { checksum } from '@synapse/device-config';
import { historyText } from '@synapse/temporal-tools';
import { ChangeHarness, changeRequest, LAB_DEVICES, rendered } from './change-harness';
import { configDocumentsIn } from './config-documents';
import { loadCorpus } from './history-corpus';

const EventType = temporal.api.enums.v1.EventType;
/** A standard change's happy path, per device: render, prepare, record deploying, deploy, validate and confirm, record the outcome. */
const HAPPY_PATH = ['renderDeviceIntent', 'prepareDeploy', 'updateDeviceStatus', 'deployConfig', 'validateAndConfirm', 'updateDeviceStatus'];

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
  await harness.newLab();
});
afterAll(async () => {
  await harness?.shutdown();
});

function activitiesOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name!);
}

it('a standard change and a drift run: no payload of any history holds a config, a diff, a backup or an intent; the configs are named by digest', async () => {
  const request = changeRequest({ devices: [...LAB_DEVICES], concurrency: 3 });
  const change = await harness.runChange(request);
  expect(change.failure).toBeUndefined();
  expect(change.result).toMatchObject({ outcome: 'succeeded', counts: { deployed: 3 } });

  await harness.lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
  const drift = await harness.runDrift({
    driftId: 'drift-no-config',
    scope: { kind: 'all' },
    mode: 'report',
    requester: 'jest',
    reason: 'nightly drift check',
    validation: { settleTimeoutSeconds: 10, commitConfirmed: true },
    approval: { required: false },
  });
  expect(drift.failure).toBeUndefined();
  expect(drift.report?.devices.find((d) => d.device === 'leaf01')).toMatchObject({ status: 'drifted', drifted: [{ path: '/interface[name=ethernet-1/49]/mtu', before: 9214, after: 1500 }] });
  expect(drift.report?.devices.filter((d) => d.status === 'in-sync').map((d) => d.device).sort()).toEqual(['leaf02', 'spine01']);

  const runs: Array<{ workflowId: string; type: string; history: temporal.api.history.v1.IHistory }> = [];
  for await (const run of harness.client.workflow.list({ query: `TaskQueue = "${harness.taskQueue}"` })) {
    runs.push({ workflowId: run.workflowId, type: run.type, history: await harness.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory() });
  }
  expect([...new Set(runs.map((r) => r.type))]).toEqual(
    expect.arrayContaining(['NetworkChangeWorkflow', 'PlanBatchWorkflow', 'DeviceGroupWorkflow', 'WaveWorkflow', 'DeviceChangeWorkflow', 'DriftRemediationWorkflow', 'DriftBatchWorkflow']),
  );
  for (const run of runs) {
    expect({ workflowId: run.workflowId, findings: configDocumentsIn(run.history) }).toEqual({ workflowId: run.workflowId, findings: [] });
  }

  for (const device of LAB_DEVICES) {
    const deviceRun = runs.find((r) => r.workflowId === workflowIds.device(device) && r.type === 'DeviceChangeWorkflow')!;
    // Referenced by id: the digest of the device's rendered config (what was deployed) and the backup's id.
    const text = historyText(deviceRun.history);
    expect(text).toContain(checksum(rendered(device)));
    const result = change.result!.devices.find((d) => d.device === device)!;
    expect(text).toContain(result.backupId!);
    expect(activitiesOf(deviceRun.history)).toEqual(HAPPY_PATH);
  }
});

it('the search finds the configs that histories carried before configs left history (the corpus of earlier builds)', () => {
  // Device workflows that fetched the intent with its config (fetchDeviceConfig), as every one did before.
  const before = loadCorpus().filter((h) => h.path.includes('activity:fetchDeviceConfig'));
  expect(before.length).toBeGreaterThan(5);
  for (const recorded of before) {
    const findings = configDocumentsIn(recorded.history);
    expect({ file: recorded.file, found: findings.length > 0 }).toEqual({ file: recorded.file, found: true });
    expect(findings.map((f) => f.looksLike)).toContain('a config keyed by gNMI path');
  }
  // Histories recorded since (the corpus gains them on a re-record) hold none.
  for (const recorded of loadCorpus().filter((h) => h.path.includes('activity:renderDeviceIntent'))) {
    expect({ file: recorded.file, findings: configDocumentsIn(recorded.history) }).toEqual({ file: recorded.file, findings: [] });
  }
});
