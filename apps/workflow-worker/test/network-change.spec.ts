/**
 * The standard change end to end: the reference lab goes from its freshly
 * booted config to its intent, every device validated, recorded in Infrahub
 * and backed up in git; a second run finds nothing to do; a dry run touches
 * nothing; a lost deploy answer is retried and converges.
 */
import { execFileSync } from 'node:child_process';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ChangeResult, DeviceProgress, RolloutProgress, workflowIds, type DeviceResultSummary } from '@synapse/contracts';
import { checksum, ownedDiff } from '@synapse/device-config';
import { LAB_CREDENTIALS } from '@synapse/device-sim';
import { DEFAULT_LAB_API_TOKEN } from '@synapse/infrahub-sim';
import { ChangeHarness, changeRequest, LAB_DEVICES, rendered, type LabDevice } from './change-harness';

const FULL_RUNBOOK = ['fetch-intent', 'backup', 'diff', 'store-backup', 'baseline', 'record-status', 'deploy', 'validate-bgp', 'validate-interfaces', 'confirm', 'record-ownership', 'record-status', 'hold'];

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});

function deviceResult(result: ChangeResult | undefined, device: string): DeviceResultSummary {
  const found = result?.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no result for ${device} in ${JSON.stringify(result)}`);
  return found;
}

/** Managed paths where the device differs from its intent (empty once deployed). */
function driftFromIntent(device: LabDevice): string[] {
  const intended = rendered(device);
  const diff = ownedDiff(intended, harness.runningConfig(device));
  return [...diff.added, ...diff.removed, ...diff.changed].map((e) => e.path);
}

describe('a rollout of the reference lab from its initial config', () => {
  const request = changeRequest({ devices: [...LAB_DEVICES], concurrency: 3, validation: { settleTimeoutSeconds: 15, commitConfirmed: true } });
  let result: ChangeResult | undefined;

  beforeAll(async () => {
    await harness.newLab();
    for (const device of LAB_DEVICES) expect(driftFromIntent(device).length).toBeGreaterThan(0);
    const run = await harness.runChange(request);
    if (run.failure) throw run.failure;
    result = run.result;
  });
  afterAll(async () => {
    await harness.stopLab();
  });

  it('deploys every device in waves (the spine alone first, then the leaves), with BGP and interfaces validated', async () => {
    expect(result).toMatchObject({ changeId: request.changeId, outcome: 'succeeded', counts: { deployed: 3 } });
    // What the CLI reads back must satisfy the contract it parses with.
    expect(ChangeResult.safeParse(result).error).toBeUndefined();
    expect(result!.waves.map((w) => [w.index, w.devices, w.counts])).toEqual([
      [1, 1, { deployed: 1 }],
      [2, 2, { deployed: 2 }],
    ]);
    for (const device of LAB_DEVICES) {
      expect(deviceResult(result, device)).toMatchObject({ outcome: 'deployed', wave: device === 'spine01' ? 1 : 2 });
      expect(deviceResult(result, device).reason).toBeUndefined();
      const own = await harness.deviceRun(device);
      expect(own).toMatchObject({ outcome: 'deployed', validation: { bgp: { passed: true }, interfaces: { passed: true } } });
      expect(own.diffSummary).toMatch(/added/);
      expect(own.timings.map((t) => t.step)).toEqual(FULL_RUNBOOK);
      expect(driftFromIntent(device)).toEqual([]);
    }
    // spine01 went first, alone: its sessions to the leaves were deferred to their wave, not failed.
    expect((await harness.deviceRun('spine01')).notes).toEqual(expect.arrayContaining([expect.stringMatching(/neighbor .*: leaf0[12] is in this change and not deployed yet/)]));
  });

  it('records `deployed` with a change record in Infrahub', async () => {
    for (const device of LAB_DEVICES) {
      const deployment = await harness.deploymentOf(device);
      expect(deployment).toMatchObject({ state: 'deployed', lastChangeId: request.changeId, lastConfigChecksum: checksum(rendered(device)) });
      const record = await harness.changeRecord(request.changeId, device);
      expect(record).toMatchObject({ outcome: 'deployed', backupId: deviceResult(result, device).backupId, workflowId: workflowIds.device(device), requester: 'jest' });
      expect(record?.diffSummary).toBe((await harness.deviceRun(device)).diffSummary);
    }
  });

  it('keeps each pre-change config in the git backup history, tagged with the change', () => {
    for (const device of LAB_DEVICES) {
      const backupId = deviceResult(result, device).backupId!;
      const [latest] = harness.backupCommitMessages(device);
      expect(latest).toContain(`Change-Id: ${request.changeId}`);
      expect(latest).toContain(`Workflow-Id: ${workflowIds.device(device)}`);
      // The exact bytes the rollback would restore are in the repository.
      const blob = execFileSync('git', ['cat-file', 'blob', backupId], { cwd: harness.lab.backupDir, encoding: 'utf8' });
      expect(blob).toContain('mgmt0');
      expect(blob).not.toContain('ethernet-1/49');
    }
  });

  it('answers the progress query on the change (its rollout) and on each device workflow (its steps)', async () => {
    const change = await harness.client.workflow.getHandle(workflowIds.change(request.changeId)).query<RolloutProgress>('progress');
    expect(RolloutProgress.safeParse(change).error).toBeUndefined();
    expect(change).toMatchObject({ changeId: request.changeId, phase: 'done', devices: 3, counts: { deployed: 3 }, approval: { state: 'not required' } });
    expect(change.waves.map((w) => [w.devices, w.state])).toEqual([
      [['spine01'], 'done'],
      [['leaf01', 'leaf02'], 'done'],
    ]);
    const leaf = await harness.client.workflow.getHandle(workflowIds.device('leaf01')).query<DeviceProgress>('progress');
    expect(DeviceProgress.safeParse(leaf).error).toBeUndefined();
    expect(leaf).toMatchObject({ device: 'leaf01', step: 'done', state: 'succeeded' });
    expect(leaf.steps.map((s) => s.step)).toEqual(FULL_RUNBOOK);
    for (const step of leaf.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('makes the change findable by id, kind, requester and outcome, and each device workflow by its device', async () => {
    const keys = {
      devices: defineSearchAttributeKey('SynapseDevices', 'KEYWORD_LIST'),
      changeId: defineSearchAttributeKey('SynapseChangeId', 'KEYWORD'),
      kind: defineSearchAttributeKey('SynapseChangeKind', 'KEYWORD'),
      requester: defineSearchAttributeKey('SynapseRequester', 'KEYWORD'),
      outcome: defineSearchAttributeKey('SynapseOutcome', 'KEYWORD'),
    };
    const change = await harness.client.workflow.getHandle(workflowIds.change(request.changeId)).describe();
    // A change never lists its devices (a 2 KB cap on one value): they are found through the device workflows.
    expect(change.typedSearchAttributes.get(keys.devices)).toBeUndefined();
    expect(change.typedSearchAttributes.get(keys.changeId)).toBe(request.changeId);
    expect(change.typedSearchAttributes.get(keys.kind)).toBe('standard');
    expect(change.typedSearchAttributes.get(keys.requester)).toBe('jest');
    expect(change.typedSearchAttributes.get(keys.outcome)).toBe('succeeded');
    const leaf = await harness.client.workflow.getHandle(workflowIds.device('leaf02')).describe();
    expect(leaf.typedSearchAttributes.get(keys.devices)).toEqual(['leaf02']);
    expect(leaf.typedSearchAttributes.get(keys.changeId)).toBe(request.changeId);
    expect(leaf.typedSearchAttributes.get(keys.outcome)).toBe('deployed');
  });

  it('leaves no device password and no Infrahub token in any workflow history', async () => {
    const text = await harness.historyText(workflowIds.change(request.changeId), LAB_DEVICES);
    // The payloads are really decoded and searched: the intent is in there.
    expect(text).toContain('10.0.0.4');
    expect(text).not.toContain(LAB_CREDENTIALS.password);
    expect(text).not.toContain(DEFAULT_LAB_API_TOKEN);
  });

  it('finds every device in sync when the same intent is planned again: no device workflow, no backup, nothing pushed', async () => {
    const before = Object.fromEntries(LAB_DEVICES.map((d) => [d, harness.runningConfig(d)]));
    const commitsBefore = Object.fromEntries(LAB_DEVICES.map((d) => [d, harness.backupCommitMessages(d).length]));
    const again = changeRequest({ devices: [...LAB_DEVICES], concurrency: 3 });
    const run = await harness.runChange(again);
    expect(run.failure).toBeUndefined();
    expect(run.result).toMatchObject({ outcome: 'succeeded', counts: { 'in-sync': 3 }, waves: [] });
    for (const device of LAB_DEVICES) {
      expect(deviceResult(run.result, device)).toMatchObject({ outcome: 'in-sync', reason: 'already runs its intended config' });
      expect(harness.runningConfig(device)).toEqual(before[device]);
      expect(harness.backupCommitMessages(device)).toHaveLength(commitsBefore[device]);
      // The last device workflow is still the first change's: nothing was started.
      const description = await harness.client.workflow.getHandle(workflowIds.device(device)).describe();
      expect(description.memo?.changeId).toBe(request.changeId);
    }
  });
});

describe('a dry run', () => {
  beforeEach(async () => {
    await harness.newLab();
  });
  afterEach(async () => {
    await harness.stopLab();
  });

  it('returns the plan (paths, sessions, waves) and touches nothing: no config, no status, no record, no backup, no device workflow', async () => {
    const before = Object.fromEntries(LAB_DEVICES.map((d) => [d, harness.runningConfig(d)]));
    const deploymentsBefore = await Promise.all(LAB_DEVICES.map((d) => harness.deploymentOf(d)));
    const request = changeRequest({ devices: [...LAB_DEVICES], dryRun: true });

    const run = await harness.runChange(request);

    expect(run.failure).toBeUndefined();
    expect(run.result?.outcome).toBe('dry-run');
    const plan = run.result?.plan ?? [];
    expect(plan.map((p) => [p.device, p.status, p.wave])).toEqual([
      ['spine01', 'changes', 1],
      ['leaf01', 'changes', 2],
      ['leaf02', 'changes', 2],
    ]);
    for (const device of LAB_DEVICES) {
      expect(deviceResult(run.result, device)).toMatchObject({ outcome: 'dry-run', wave: device === 'spine01' ? 1 : 2 });
      const planned = plan.find((p) => p.device === device)!;
      // The plan names what the deploy would add: every path is an add on a fresh device.
      expect(planned.counts.added).toBeGreaterThan(0);
      expect(planned.counts).toMatchObject({ changed: 0, removed: 0 });
      expect(new Set(planned.paths.map((p) => p.op))).toEqual(new Set(['add']));
      expect(planned.sessions.length).toBeGreaterThan(0);
      expect(planned.checksum).toBe(checksum(rendered(device)));
      expect(harness.runningConfig(device)).toEqual(before[device]);
      expect(await harness.changeRecord(request.changeId, device)).toBeUndefined();
      expect(harness.backupCommitMessages(device)).toEqual([]);
      // No device workflow of this change (the server may hold earlier tests' ones).
      const latest = await harness.client.workflow.getHandle(workflowIds.device(device)).describe().catch(() => undefined);
      expect(latest?.memo?.changeId).not.toBe(request.changeId);
    }
    expect(plan.find((p) => p.device === 'spine01')!.peers).toEqual(['leaf01', 'leaf02']);
    expect(await Promise.all(LAB_DEVICES.map((d) => harness.deploymentOf(d)))).toEqual(deploymentsBefore);
  });
});

describe('concurrency 1', () => {
  beforeEach(async () => {
    await harness.newLab();
  });
  afterEach(async () => {
    await harness.stopLab();
  });

  it('deploys one device at a time: the spine in its own wave, then the leaves in the order given', async () => {
    const run = await harness.runChange(changeRequest({ devices: ['leaf02', 'spine01', 'leaf01'], concurrency: 1 }));
    expect(run.result?.outcome).toBe('succeeded');
    const deploys = await Promise.all(
      ['spine01', 'leaf02', 'leaf01'].map(async (d) => {
        const step = (await harness.deviceRun(d)).timings.find((t) => t.step === 'deploy')!;
        return { device: d, start: Date.parse(step.startedAt), end: Date.parse(step.finishedAt!) };
      }),
    );
    for (let i = 1; i < deploys.length; i++) expect(deploys[i].start).toBeGreaterThanOrEqual(deploys[i - 1].end);
  });
});

describe('an interface the intent no longer has', () => {
  beforeEach(async () => {
    await harness.newLab();
    await harness.arrangeDeployed('spine01', 'leaf01', 'leaf02');
    // An interface leaf01 runs that Infrahub does not list (any more).
    await harness.lab.admin.leaf01.set({ replace: [{ path: '/interface[name=ethernet-1/10]', value: { 'admin-state': 'enable', description: 'decommissioned uplink' } }] });
  });
  afterEach(async () => {
    await harness.stopLab();
  });
  const interfaces = () => ((harness.runningConfig('leaf01') as { interface?: Array<{ name: string }> }).interface ?? []).map((i) => i.name);

  it('is deleted in the deploy when an earlier change of Synapse created it (the ownership record says so)', async () => {
    await harness.lab.backups.writeOwnership({
      device: 'leaf01',
      changeId: 'chg-earlier',
      workflowId: 'device/leaf01',
      recordedAt: new Date().toISOString(),
      checksum: '0'.repeat(64),
      config: { ...rendered('leaf01'), '/interface[name=ethernet-1/10]': { name: 'ethernet-1/10', 'admin-state': 'enable', description: 'decommissioned uplink' } },
    });

    const run = await harness.runChange(changeRequest({ devices: ['leaf01'] }));

    expect(run.failure).toBeUndefined();
    const leaf01 = deviceResult(run.result, 'leaf01');
    expect(leaf01.outcome).toBe('deployed');
    expect(leaf01.diffSummary).toBe('0 changed, 0 added, 1 removed: - /interface[name=ethernet-1/10]');
    expect(interfaces()).not.toContain('ethernet-1/10');
    expect(interfaces()).toEqual(expect.arrayContaining(['mgmt0', 'ethernet-1/49', 'ethernet-1/50', 'system0']));
    expect(driftFromIntent('leaf01')).toEqual([]);
    // The record now says what this change owns: ethernet-1/10 no longer.
    expect(Object.keys((await harness.lab.backups.readOwnership('leaf01'))!.config)).not.toContain('/interface[name=ethernet-1/10]');
  });

  it('is left alone when Synapse never owned it: someone else’s config, not a stale entry', async () => {
    const run = await harness.runChange(changeRequest({ devices: ['leaf01'] }));

    expect(run.failure).toBeUndefined();
    expect(deviceResult(run.result, 'leaf01').outcome).toBe('in-sync');
    expect(interfaces()).toContain('ethernet-1/10');
  });
});

describe('a deploy whose answer is lost', () => {
  beforeEach(async () => {
    await harness.newLab();
    await harness.arrangeDeployed('spine01', 'leaf02');
  });
  afterEach(async () => {
    await harness.stopLab();
  });

  it('is retried, converges on the commit the first attempt left pending, and the change succeeds', async () => {
    // The device applies the Set, then the connection drops before the answer.
    harness.lab.devices.faults('leaf01').dropNextSet({ when: 'after-apply', configOnly: true });
    const request = changeRequest({ devices: ['leaf01'] });

    const run = await harness.runChange(request);

    expect(run.failure).toBeUndefined();
    expect(deviceResult(run.result, 'leaf01')).toMatchObject({ outcome: 'deployed' });
    expect(driftFromIntent('leaf01')).toEqual([]);
    const history = await harness.client.workflow.getHandle(workflowIds.device('leaf01')).fetchHistory();
    const deployAttempts = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deployConfig')
      .map((e) => e.eventId);
    expect(deployAttempts).toHaveLength(1);
    const started = (history.events ?? []).find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(deployAttempts[0]));
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThan(1);
    expect(await harness.deploymentOf('leaf01')).toMatchObject({ state: 'deployed', lastChangeId: request.changeId });
  });
});
