/**
 * A change on a fabric is a rollout: plan, approval, locks, waves with a
 * failure budget, baseline-relative validation, operator controls. Each
 * scenario runs the real workflows on the suite's dev server against both
 * simulators.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { workflowIds, type ChangeResult, type RolloutProgress } from '@synapse/contracts';
import { generateFabric } from '@synapse/lab';
import { ChangeHarness, changeRequest } from './change-harness';
import { approveUpdate, abortUpdate, pauseUpdate, planQuery, rejectUpdate, resumeUpdate } from '../src/workflows/rollout-signals';

let harness: ChangeHarness;
beforeAll(async () => {
  harness = await ChangeHarness.start();
});
afterAll(async () => {
  await harness?.shutdown();
});
afterEach(async () => {
  await harness.stopLab();
});

function outcomes(result: ChangeResult | undefined): Record<string, string> {
  return Object.fromEntries((result?.devices ?? []).map((d) => [d.device, d.outcome]));
}

function summaryOf(result: ChangeResult | undefined, device: string) {
  const found = result?.devices.find((d) => d.device === device);
  if (!found) throw new Error(`no ${device} in ${JSON.stringify(result)}`);
  return found;
}

const phase = (wanted: RolloutProgress['phase']) => (p: RolloutProgress) => p.phase === wanted;

describe('on the fresh reference lab', () => {
  beforeEach(async () => {
    await harness.newLab();
  });

  it('spine01 + leaf01 alone (the banner’s change) succeeds, and the session to leaf02 is reported as waiting for leaf02, not a rollback', async () => {
    const leaf02Before = structuredClone(harness.runningConfig('leaf02'));
    const request = changeRequest({ devices: ['leaf01', 'spine01'], validation: { settleTimeoutSeconds: 10, commitConfirmed: true } });

    const run = await harness.runChange(request);

    expect(run.failure).toBeUndefined();
    expect(run.result).toMatchObject({ outcome: 'succeeded', counts: { deployed: 2 } });
    const spine = summaryOf(run.result, 'spine01');
    expect(spine.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^neighbor \S+: waiting for leaf02: not established before the change and leaf02 is not in this change/)]));
    // The plan said so before anything was touched.
    const plan = await harness.client.workflow.getHandle(workflowIds.change(request.changeId)).query(planQuery);
    expect(plan.find((p) => p.device === 'spine01')?.warnings).toEqual([expect.stringMatching(/^leaf02 is outside this change and does not run its intended config/)]);
    // The session between the two changed devices is up: spine01 (wave 1) deferred it, the fabric check after leaf01's wave found it established.
    expect(run.result?.waves.map((w) => w.fabricProblems)).toEqual([0, 0]);
    const sessions = await harness.lab.admin.spine01.get('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state');
    expect(sessions.updates.map((u) => u.value)).toContain('established');
    expect(harness.runningConfig('leaf02')).toEqual(leaf02Before);
  });

  it('a pre-existing down access port on a leaf is named in the plan and does not fail the change', async () => {
    // An access port someone configured, enabled, with nothing plugged in: oper-state down.
    await harness.lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/10]', value: { 'admin-state': 'enable', description: 'server rack 12, not cabled yet' } }] });
    const request = changeRequest({ devices: ['spine01', 'leaf01', 'leaf02'] });

    const run = await harness.runChange(request);

    expect(run.result?.outcome).toBe('succeeded');
    const plan = await harness.client.workflow.getHandle(workflowIds.change(request.changeId)).query(planQuery);
    expect(plan.find((p) => p.device === 'leaf01')?.problems).toEqual(
      expect.arrayContaining(['interface ethernet-1/10 is down before the change (admin-state enable); the change does not touch it']),
    );
    expect((harness.runningConfig('leaf01') as { interface: Array<{ name: string }> }).interface.map((i) => i.name)).toContain('ethernet-1/10');
  });
});

describe('a canary', () => {
  beforeEach(async () => {
    await harness.newLab();
    await harness.arrangeDeployed('spine01');
  });

  it('that fails validation stops the rollout: no other device touched, the canary back to its identical backup', async () => {
    const before = { leaf01: structuredClone(harness.runningConfig('leaf01')), leaf02: structuredClone(harness.runningConfig('leaf02')) };
    harness.lab.devices.faults('leaf01').set({ holdBgpDown: true });
    const request = changeRequest({ devices: ['leaf01', 'leaf02'], strategy: { canary: { devices: ['leaf01'] } }, validation: { settleTimeoutSeconds: 3, commitConfirmed: true } });

    const run = await harness.runChange(request);

    expect(run.result?.outcome).toBe('stopped');
    expect(outcomes(run.result)).toEqual({ leaf01: 'rolled-back', leaf02: 'skipped' });
    expect(run.result?.waves).toEqual([expect.objectContaining({ index: 0, canary: true, counts: { 'rolled-back': 1 } })]);
    expect(run.result?.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^stopped: the canary leaf01 failed/)]));
    expect(harness.runningConfig('leaf01')).toEqual(before.leaf01);
    expect(harness.runningConfig('leaf02')).toEqual(before.leaf02);
    expect(harness.backupCommitMessages('leaf02')).toEqual([]);
    expect(await harness.changeRecord(request.changeId, 'leaf02')).toBeUndefined();
    expect((await harness.deviceRun('leaf02')).reason).toMatch(/the rollout ended before leaf02's turn/);
  });
});

describe('approval', () => {
  beforeEach(async () => {
    await harness.newLab();
  });

  it('refuses the requester’s own approval; another approver’s lets the change run', async () => {
    const request = changeRequest({ devices: ['spine01', 'leaf01', 'leaf02'], approval: { required: true } });
    const handle = await harness.startChange(request);
    const waiting = await harness.waitForRollout(handle, phase('awaiting-approval'));
    expect(waiting.approval).toMatchObject({ state: 'waiting' });
    // The approver sees the plan first: every intent as Infrahub had it at one instant, before the change started waiting.
    const plan = await handle.query(planQuery);
    expect(plan.map((p) => p.status)).toEqual(['changes', 'changes', 'changes']);
    const readAt = [...new Set(plan.map((p) => p.intentReadAt))];
    expect(readAt).toHaveLength(1);
    expect(Date.parse(readAt[0]!)).toBeLessThanOrEqual(Date.now());

    await expect(handle.executeUpdate(approveUpdate, { args: [{ approver: 'jest', comment: 'lgtm' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(approveUpdate, { args: [{ approver: 'jest' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/jest requested change .* cannot approve or reject it/) } });
    expect(harness.backupCommitMessages('leaf01')).toEqual([]);

    const approved = await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', comment: 'maintenance window 42' }] });
    expect(approved.approval).toMatchObject({ state: 'approved', by: 'alice' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'succeeded', approval: { decision: 'approved', approver: 'alice', comment: 'maintenance window 42' } });
  });

  it('a reject ends the change with nothing touched', async () => {
    const before = structuredClone(harness.runningConfig('leaf01'));
    const request = changeRequest({ devices: ['leaf01'], approval: { required: true } });
    const handle = await harness.startChange(request);
    await harness.waitForRollout(handle, phase('awaiting-approval'));

    await handle.executeUpdate(rejectUpdate, { args: [{ approver: 'alice', comment: 'not in this window' }] });

    expect(await handle.result()).toMatchObject({ outcome: 'rejected', approval: { decision: 'rejected', approver: 'alice' } });
    expect(harness.runningConfig('leaf01')).toEqual(before);
    const latest = await harness.client.workflow.getHandle(workflowIds.device('leaf01')).describe().catch(() => undefined);
    expect(latest?.memo?.changeId).not.toBe(request.changeId);
  });

  it('not approved within its timeout, the change ends expired with nothing touched', async () => {
    const before = structuredClone(harness.runningConfig('leaf01'));
    const request = changeRequest({ devices: ['leaf01'], approval: { required: true, timeoutSeconds: 2 } });

    const run = await harness.runChange(request);

    expect(run.result).toMatchObject({ outcome: 'expired', counts: { skipped: 1 } });
    expect(run.result?.notes).toEqual([expect.stringMatching(/not approved within 2 s: nothing was touched/)]);
    expect(harness.runningConfig('leaf01')).toEqual(before);
  });

  it('an intent edited in Infrahub after the plan forces a re-plan of that device and a second approval', async () => {
    await harness.arrangeDeployed('spine01', 'leaf01', 'leaf02');
    await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9000);
    const request = changeRequest({ devices: ['leaf01'], approval: { required: true } });
    const handle = await harness.startChange(request);
    await harness.waitForRollout(handle, phase('awaiting-approval'));
    const planned = (await handle.query(planQuery))[0]!;

    // Someone edits the intent again between the plan and its execution.
    await harness.setIntendedMtu('leaf01', 'ethernet-1/49', 9100);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] });

    const again = await harness.waitForRollout(handle, (p) => p.phase === 'awaiting-approval' && p.notes.some((n) => n.includes('re-planned')));
    expect(again.notes).toEqual(expect.arrayContaining([expect.stringMatching(/the intent of leaf01 changed since the plan: re-planned/)]));
    const replanned = (await handle.query(planQuery))[0]!;
    expect(replanned.checksum).not.toBe(planned.checksum);
    expect(Date.parse(replanned.intentReadAt!)).toBeGreaterThan(Date.parse(planned.intentReadAt!));
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', comment: 'the new MTU' }] });

    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'succeeded', counts: { deployed: 1 } });
    const mtu = await harness.lab.admin.leaf01.get('/interface[name=ethernet-1/49]/mtu', { type: 'CONFIG' });
    expect(mtu.updates[0]?.value).toBe(9100);
  });
});

describe('operator controls', () => {
  beforeEach(async () => {
    await harness.newLab();
  });

  it('pause holds between waves, resume continues', async () => {
    const request = changeRequest({ devices: ['spine01', 'leaf01', 'leaf02'], strategy: { waveSize: 1, soakSeconds: 2 } });
    const handle = await harness.startChange(request);
    // The first wave is done and the fabric soaks: the operator pauses there.
    await harness.waitForRollout(handle, phase('soaking'));
    await handle.executeUpdate(pauseUpdate, { args: [{ by: 'alice', reason: 'watching the graphs' }] });

    const paused = await harness.waitForRollout(handle, phase('paused'));
    expect(paused.waves.map((w) => w.state)).toEqual(['done', 'pending', 'pending']);
    expect(paused.paused).toEqual({ by: 'alice', reason: 'watching the graphs' });
    // Still paused well after the soak: no wave starts.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await handle.query<RolloutProgress>('progress')).waves.map((w) => w.state)).toEqual(['done', 'pending', 'pending']);

    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'alice' }] });
    expect(await handle.result()).toMatchObject({ outcome: 'succeeded', counts: { deployed: 3 } });
  });

  it('abort with rollback restores every deployed device to its identical backup', async () => {
    const before = Object.fromEntries(['spine01', 'leaf01', 'leaf02'].map((d) => [d, structuredClone(harness.runningConfig(d))]));
    const request = changeRequest({ devices: ['spine01', 'leaf01', 'leaf02'], strategy: { waveSize: 1, soakSeconds: 2 } });
    const handle = await harness.startChange(request);
    await harness.waitForRollout(handle, phase('soaking'));
    await handle.executeUpdate(pauseUpdate, { args: [{ by: 'alice' }] });
    await harness.waitForRollout(handle, phase('paused'));
    expect(harness.runningConfig('spine01')).not.toEqual(before.spine01);

    await handle.executeUpdate(abortUpdate, { args: [{ by: 'alice', reason: 'wrong window', rollback: true }] });

    const result = await handle.result();
    expect(result.outcome).toBe('aborted');
    expect(outcomes(result)).toEqual({ spine01: 'rolled-back', leaf01: 'skipped', leaf02: 'skipped' });
    expect(summaryOf(result, 'spine01').reason).toMatch(/the rollout asked for a rollback: aborted by alice; rolled back \(restore\)/);
    for (const device of ['spine01', 'leaf01', 'leaf02']) expect(harness.runningConfig(device)).toEqual(before[device]);
  });
});

describe('two overlapping changes', () => {
  beforeEach(async () => {
    await harness.newLab();
  });

  it('the second waits for the first one’s devices, names it, then gives up as a whole with nothing touched; the first completes', async () => {
    const first = changeRequest({ devices: ['spine01', 'leaf01'], strategy: { waveSize: 1, soakSeconds: 2 } });
    const firstHandle = await harness.startChange(first);
    await harness.waitForRollout(firstHandle, phase('soaking'));
    await firstHandle.executeUpdate(pauseUpdate, { args: [{ by: 'alice' }] });
    await harness.waitForRollout(firstHandle, phase('paused'));
    const leaf02Before = structuredClone(harness.runningConfig('leaf02'));

    const second = changeRequest({ devices: ['leaf01', 'leaf02'], lockTimeoutSeconds: 3 });
    const secondHandle = await harness.startChange(second);
    const waiting = await harness.waitForRollout(secondHandle, (p) => p.waitingForLocks.length > 0);
    expect(waiting.waitingForLocks).toEqual([{ device: 'leaf01', holder: expect.stringContaining(`change ${first.changeId}`) }]);

    const result = await secondHandle.result();
    expect(result.outcome).toBe('failed');
    expect(outcomes(result)).toEqual({ leaf01: 'skipped', leaf02: 'skipped' });
    expect(summaryOf(result, 'leaf02').reason).toMatch(new RegExp(`leaf01 is held by change ${first.changeId}.*gave up as a whole and nothing was touched`));
    expect(harness.runningConfig('leaf02')).toEqual(leaf02Before);

    await firstHandle.executeUpdate(resumeUpdate, { args: [{ by: 'alice' }] });
    expect(await firstHandle.result()).toMatchObject({ outcome: 'succeeded', counts: { deployed: 2 } });
  });
});

describe('on a generated fabric', () => {
  it('a failure budget of 2 with 3 failing leaves stops at the third, and rolls every deployed device back to its identical backup', async () => {
    const fabric = generateFabric({ spines: 1, leaves: 5 });
    await harness.newLab(fabric);
    await harness.arrangeDeployed('spine01');
    const leaves = ['leaf01', 'leaf02', 'leaf03', 'leaf04', 'leaf05'];
    const before = Object.fromEntries(leaves.map((d) => [d, structuredClone(harness.runningConfig(d))]));
    for (const failing of ['leaf02', 'leaf03', 'leaf04']) harness.lab.devices.faults(failing).set({ holdBgpDown: true });
    const request = changeRequest({
      devices: leaves,
      concurrency: 1,
      strategy: { waveSize: 1, failureBudget: { count: 2 }, onBudgetExceeded: 'rollback' },
      validation: { settleTimeoutSeconds: 2, commitConfirmed: true },
    });

    const run = await harness.runChange(request);

    expect(run.result?.outcome).toBe('stopped');
    expect(outcomes(run.result)).toEqual({ leaf01: 'rolled-back', leaf02: 'rolled-back', leaf03: 'rolled-back', leaf04: 'rolled-back', leaf05: 'skipped' });
    expect(run.result?.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^stopped: the failure budget is spent: 3 device\(s\) failed, 2 allowed; every deployed device is rolled back/)]));
    for (const device of leaves) expect(harness.runningConfig(device)).toEqual(before[device]);
    expect(summaryOf(run.result, 'leaf01').reason).toMatch(/the rollout asked for a rollback/);
  });

  it('2 spines + 20 leaves from their initial config: one change of all 22 at concurrency 3 brings every session up, no rollback', async () => {
    const fabric = generateFabric({ spines: 2, leaves: 20 });
    await harness.newLab(fabric);
    const devices = fabric.devices.map((d) => d.name);
    const request = changeRequest({ devices, concurrency: 3, validation: { settleTimeoutSeconds: 15, commitConfirmed: true } });

    const run = await harness.runChange(request);

    expect(run.failure).toBeUndefined();
    expect(run.result).toMatchObject({ outcome: 'succeeded', counts: { deployed: 22 } });
    expect(run.result?.waves.map((w) => w.devices)).toEqual([1, 1, 20]);
    expect(run.result?.waves.every((w) => w.fabricProblems === 0)).toBe(true);
    for (const device of devices) {
      const sessions = await harness.lab.admin[device]!.get('/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]/session-state');
      expect(sessions.updates.map((u) => u.value)).toEqual(Array(device.startsWith('spine') ? 20 : 2).fill('established'));
      // The spines validated before their leaves ran their target: those sessions were deferred, never failed.
      expect((await harness.deviceRun(device)).outcome).toBe('deployed');
    }
  }, 240_000);
});
