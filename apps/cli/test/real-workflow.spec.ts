/**
 * The CLI against the real thing: workflow-worker's NetworkChangeWorkflow,
 * the device-worker's activities on the device simulator and the
 * infrahub-worker's activities on the Infrahub simulator, all on the suite's
 * Temporal server. An operator plans the reference lab's rollout, starts it,
 * approves it as someone else, watches it wave by wave, shows it, runs it
 * again (planned in sync: nothing touched, not even backed up); before that,
 * a change that cannot validate is rolled back and the CLI says so (exit 1).
 * Drift runs remediate through the same rollout; an emergency is found by
 * device, and the backups show what the rollout put on a device.
 *
 * The workflow worker runs with the embedded stack's approval policy: a
 * request may waive its approval (--no-approval), nobody approves their own.
 *
 * Workers poll this file's own queues; the CLI is pointed at them with its
 * hidden queue flags, as a test or a per-site deployment would.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalSettingsFromEnv, workflowIds, type DeviceTarget } from '@synapse/contracts';
import { LAB_CREDENTIALS, referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { createDeviceActivities, GitBackupStore, StaticDeviceDirectory } from '@synapse/device-worker';
import { GnmiClient } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { createInfrahubActivities } from '@synapse/infrahub-worker';
import { referenceLab } from '@synapse/lab';
import { bundleWorkflows, createWorkflowWorker } from '@synapse/workflow-worker';
import { eventually, runCli } from './cli';

const LAB_DEVICES = ['spine01', 'leaf01', 'leaf02'];

describe('synapse change with the real workflow, workers and simulators', () => {
  const temporal = temporalSettingsFromEnv();
  const suffix = randomUUID().slice(0, 8);
  const queues = { workflow: `cli-e2e-changes-${suffix}`, device: `cli-e2e-device-${suffix}`, deviceUrgent: `cli-e2e-device-urgent-${suffix}`, infrahub: `cli-e2e-infrahub-${suffix}` };
  const q = ['--task-queue', queues.workflow, '--device-task-queue', queues.device, '--device-urgent-task-queue', queues.deviceUrgent, '--infrahub-task-queue', queues.infrahub];
  let devices: DeviceSim;
  let infrahubSim: InfrahubSim;
  let infrahub: InfrahubClient;
  let backupDir: string;
  let workerConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  const started: string[] = [];

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed already in this process.
    }
    devices = await startDeviceSim({ topology: referenceLabTopology(), convergenceDelayMs: 100 });
    infrahubSim = await startInfrahubSim({ lab: referenceLab(), port: 0 });
    infrahub = new InfrahubClient({ address: infrahubSim.address, apiToken: DEFAULT_LAB_API_TOKEN, env: {} });
    backupDir = mkdtempSync(path.join(tmpdir(), 'synapse-cli-e2e-backups-'));
    workerConnection = await NativeConnection.connect({ address: temporal.address });
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    // As the device worker runs them: the same activities on the device queue and the urgent one (confirms, rollbacks).
    const deviceActivities = createDeviceActivities({
      gnmi: (target: DeviceTarget) => new GnmiClient(target, { ...LAB_CREDENTIALS }),
      directory: new StaticDeviceDirectory(Object.fromEntries(devices.devices.map((d) => [d.name, { address: d.address }])), {
        transport: { mode: 'plaintext' },
        timeoutMs: 3000,
      }),
      backups: new GitBackupStore({ dir: backupDir, onWarning: () => undefined }),
      settings: { heartbeatIntervalMs: 200, resubscribeIntervalMs: 100 },
    });
    const created = await Promise.all([
      createWorkflowWorker({
        connection: workerConnection,
        namespace: temporal.namespace,
        taskQueue: queues.workflow,
        workflowBundle: await bundleWorkflows({ quiet: true }),
        approvalPolicy: { approvalRequired: false, allowSelfApproval: false },
      }),
      ...[queues.device, queues.deviceUrgent].map((taskQueue) => Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue, activities: deviceActivities })),
      Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue: queues.infrahub, activities: createInfrahubActivities({ infrahub }) }),
    ]);
    for (const worker of created) workers.push({ worker, running: worker.run() });
  });

  afterAll(async () => {
    // A failed assertion must not leave a change holding the lab's device locks on the shared server.
    for (const id of [...started.map((c) => workflowIds.change(c)), ...started.map((c) => workflowIds.emergency(c)), ...LAB_DEVICES.map((d) => workflowIds.device(d))]) {
      const handle = client?.workflow.getHandle(id);
      const description = await handle?.describe().catch(() => undefined);
      if (description?.status.name === 'RUNNING') await handle?.terminate('cli test cleanup').catch(() => undefined);
    }
    for (const { worker } of workers) worker.shutdown();
    await Promise.allSettled(workers.map((w) => w.running));
    await connection?.close();
    await workerConnection?.close();
    infrahub?.close();
    await Promise.all([devices?.stop(), infrahubSim?.stop()]);
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
  });

  it('a change that cannot validate is rolled back: --wait exits 1 and says why, per device', async () => {
    // spine01 deploys in its wave (its sessions wait for leaves not yet configured); leaf01 then holds BGP
    // down, so its session to the deployed spine never comes up: leaf01 is rolled back, the budget (zero)
    // is spent, and --on-budget-exceeded rollback takes spine01 back too, leaving the lab as it was.
    const lonely = `chg-e2e-lonely-${suffix}`;
    started.push(lonely);
    const before = { spine01: devices.runningConfig('spine01'), leaf01: devices.runningConfig('leaf01') };
    devices.faults('leaf01').set({ holdBgpDown: true });
    try {
      const run = await runCli(
        ['change', 'start', '--change-id', lonely, '--devices', 'spine01,leaf01', '--settle-seconds', '3', '--on-budget-exceeded', 'rollback', '--reason', 'underlay, leaf held down', '--no-approval', ...q, '--wait'],
        { timeoutMs: 120_000 },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`change ${lonely}: (failed|partially-failed|stopped)`));
      expect(run.stdout).toMatch(/^ {2}leaf01\s+rolled-back\s+\d+\s+[0-9a-f]{12}\s+\S/m);
      expect(run.stdout).toMatch(/^ {2}spine01\s+rolled-back\s+\d+\s+[0-9a-f]{12}\s+\S/m);
      expect({ spine01: devices.runningConfig('spine01'), leaf01: devices.runningConfig('leaf01') }).toEqual(before);
    } finally {
      devices.faults('leaf01').set({ holdBgpDown: false });
    }
  });

  it('plans the lab, is approved by another, rolls out in waves under watch, and finds nothing to do the second time', async () => {
    const rollout = `chg-e2e-rollout-${suffix}`;
    const again = `chg-e2e-again-${suffix}`;
    started.push(rollout, again);
    const base = ['--devices', LAB_DEVICES.join(','), '--concurrency', '3', '--settle-seconds', '15', '--reason', 'underlay rollout', '--ticket', 'NET-7', ...q];

    // The real plan: every device changes; the spine alone in its wave, then the leaves.
    const plan = await runCli(['change', 'plan', ...base], { timeoutMs: 120_000 });
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toMatch(/^spine01\s+spine\s+changes\s+1\s+\+[1-9]\d* ~\d+ -0\s+[1-9]/m);
    expect(plan.stdout).toMatch(/^leaf01\s+leaf\s+changes\s+2\s+\+[1-9]\d* ~\d+ -0\s+[1-9]/m);
    expect(plan.stdout).toMatch(/^totals: 3 devices, 3 changed, 0 in sync; 2 waves; /m);
    // One instant for the whole plan (Infrahub's time travel).
    expect(plan.stdout).toMatch(/^intent as Infrahub had it at \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(plan.stdout).toMatch(/^leaf01 \(leaf, wave 2\): \d+ added, \d+ changed, 0 removed\n {2}[+~] \//m);

    const start = await runCli(['change', 'start', '--change-id', rollout, ...base]);
    expect(start.stdout).toContain('approval  waits for an approver other than alice');
    await eventually(
      () => runCli(['change', 'show', rollout, '--json', ...q]),
      (run) => JSON.parse(run.stdout).progress?.phase === 'awaiting-approval',
      60_000,
    );
    const self = await runCli(['change', 'approve', rollout, ...q]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('another approver is needed');
    const approve = await runCli(['change', 'approve', rollout, '--by', 'bob', '--comment', 'plan reviewed', ...q]);
    expect({ code: approve.code, stderr: approve.stderr }).toEqual({ code: 0, stderr: '' });
    expect(approve.stdout).toMatch(/^spine01\s+spine\s+changes\s+1\s/m);
    expect(approve.stdout).toMatch(new RegExp(`approved change ${rollout} \\(by bob\\): now (locking|rolling-out)`));

    const watched = await runCli(['change', 'watch', rollout, ...q], { timeoutMs: 120_000 });
    expect({ code: watched.code, stderr: watched.stderr }).toEqual({ code: 0, stderr: '' });
    // Real waves from the real progress query, real steps from each device workflow's, then the result.
    expect(watched.stdout).toMatch(/^wave 1 {2}running {2}spine01$/m);
    expect(watched.stdout).toMatch(/^wave 2 {2}running {2}leaf01, leaf02$/m);
    expect(watched.stdout).toMatch(/^leaf01 {2}(fetch-intent|backup|store-backup|diff|baseline|deploy|validate-bgp|validate-interfaces|confirm|record-ownership|record-status|hold)\b/m);
    expect(watched.stdout).toContain(`change ${rollout}: succeeded (3 devices: 3 deployed)`);
    expect(watched.stdout).toContain('approval  approved by bob: plan reviewed');
    for (const device of LAB_DEVICES) expect(watched.stdout).toMatch(new RegExp(`^  ${device}\\s+deployed\\s+[12]\\s+[0-9a-f]{12}\\s+\\d+ changed, \\d+ added`, 'm'));

    const show = JSON.parse((await runCli(['change', 'show', rollout, '--json', ...q])).stdout);
    expect(show).toMatchObject({ status: 'completed', outcome: 'succeeded', requester: 'alice', request: { devices: LAB_DEVICES, ticket: 'NET-7' }, result: { outcome: 'succeeded' } });
    const listed = JSON.parse((await runCli(['change', 'list', '--device', 'spine01', '--json', ...q])).stdout) as Array<{ changeId: string; outcome?: string }>;
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ changeId: rollout, outcome: 'succeeded' })]));

    const second = await runCli(['change', 'start', '--change-id', again, ...base, '--no-approval', '--wait', '--json'], { timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout).result;
    expect(result.outcome).toBe('succeeded');
    expect(result.devices.map((d: { outcome: string }) => d.outcome)).toEqual(['in-sync', 'in-sync', 'in-sync']);

    // Planned in sync, never touched: no backup for the second change. leaf01: before the rollout, before the rolled-back change.
    const list = JSON.parse((await runCli(['backups', 'list', 'leaf01', '--dir', backupDir, '--json'])).stdout);
    expect(list.map((e: { changeId: string }) => e.changeId)).toEqual([rollout, `chg-e2e-lonely-${suffix}`]);
    expect(new Set(list.map((e: { workflowId: string }) => e.workflowId))).toEqual(new Set([workflowIds.device('leaf01')]));
  });
  it('drift run against the real workflow: clean after the rollout, names an out-of-band MTU, remediates it', async () => {
    const admin = new GnmiClient({ name: 'leaf02', address: devices.address('leaf02') }, { ...LAB_CREDENTIALS });
    try {
      const clean = await runCli(['drift', 'run', '--scope', 'all', '--mode', 'report', '--drift-id', `drift-e2e-clean-${suffix}`, ...q, '--wait'], { timeoutMs: 120_000 });
      expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
      expect(clean.stdout).toContain('3 in-sync');

      await admin.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
      const report = await runCli(['drift', 'run', '--scope', 'role:leaf', '--mode', 'report', '--drift-id', `drift-e2e-found-${suffix}`, ...q, '--wait'], { timeoutMs: 120_000 });
      expect(report.code).toBe(1);
      expect(report.stdout).toMatch(/^ {2}leaf02\s+drifted/m);
      // Intended -> running, as the report's header line says.
      expect(report.stdout).toContain('/interface[name=ethernet-1/49]/mtu: 9214 -> 1500');
      expect(report.stdout).toMatch(/^ {2}leaf01\s+in-sync/m);

      // Through a rollout, change/<drift id>, which this run may start without an approver.
      const fix = `drift-e2e-fix-${suffix}`;
      const fixed = await runCli(['drift', 'run', '--scope', 'devices:leaf02', '--mode', 'remediate', '--no-approval', '--drift-id', fix, ...q, '--wait'], { timeoutMs: 120_000 });
      expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: '' });
      expect(fixed.stdout).toMatch(/^ {2}leaf02\s+remediated/m);
      const { updates } = await admin.get('/interface[name=ethernet-1/49]/mtu', { type: 'CONFIG' });
      expect(updates[0]?.value).toBe(9214);
      const remediations = JSON.parse((await runCli(['change', 'list', '--kind', 'drift-remediation', '--json', ...q])).stdout) as Array<{ changeId: string; outcome?: string }>;
      expect(remediations).toEqual(expect.arrayContaining([expect.objectContaining({ changeId: fix, outcome: 'succeeded' })]));
      const runs = JSON.parse((await runCli(['drift', 'list', '--json', ...q])).stdout) as Array<{ driftId: string; mode?: string; counts?: Record<string, number> }>;
      expect(runs.find((r) => r.driftId === fix)).toMatchObject({ mode: 'remediate', counts: { remediated: 1 } });
    } finally {
      admin.close();
    }
  });

  it('a drift schedule created by the CLI fires the real DriftRemediationWorkflow, whose report the CLI reads', async () => {
    const id = `real-drift-${suffix}`;
    const created = await runCli(['drift', 'schedule', 'create', '--every', '2s', '--scope', 'role:leaf', '--mode', 'report', '--id', id, ...q]);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    try {
      const fired = await eventually(
        () => client.schedule.getHandle(id).describe(),
        (d) => d.info.recentActions.length > 0 && d.info.runningActions.length === 0,
        60_000,
      );
      await client.schedule.getHandle(id).pause();
      const workflowId = fired.info.recentActions[0].action.workflow.workflowId;
      const report = await eventually(
        () => runCli(['drift', 'report', workflowId, '--json', ...q]),
        (run) => run.code === 0 && JSON.parse(run.stdout).status === 'completed',
        60_000,
      );
      const body = JSON.parse(report.stdout);
      // A real report over the real fleet: both leaves, each checked against its intent.
      expect(body.report.devices.map((d: { device: string }) => d.device)).toEqual(['leaf01', 'leaf02']);
      expect(body.report.devices.map((d: { status: string }) => d.status)).toEqual(['in-sync', 'in-sync']);
    } finally {
      await client.schedule.getHandle(id).delete().catch(() => undefined);
    }
  });

  it('synapse emergency: refused without a ticket; with one, shuts a peer on leaf02, marks it for reconciliation, and reverts after its time to live', async () => {
    const peer = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.2]/admin-state';
    const refused = await runCli(['emergency', '--device', 'leaf02', '--reason', 'peer flapping', '--update', `${peer}=disable`, ...q, '--wait']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ticket (--ticket): an emergency change needs a ticket');
    expect(refused.stderr).toContain('nothing was started');

    const changeId = `em-e2e-${suffix}`;
    started.push(changeId);
    const before = devices.runningConfig('leaf02');
    const run = await runCli(
      ['emergency', '--change-id', changeId, '--device', 'leaf02', '--reason', 'peer flapping', '--ticket', 'INC-9', '--update', `${peer}=disable`, '--revert-after', '10s', '--settle-seconds', '10', ...q, '--wait', '--json'],
      { timeoutMs: 120_000 },
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ workflowId: workflowIds.emergency(changeId), status: 'completed', result: { outcome: 'succeeded', devices: [{ device: 'leaf02', outcome: 'reverted' }] } });
    // The details are the device workflow's.
    const device = (await client.workflow.getHandle(workflowIds.device('leaf02')).result()) as { timings: { step: string }[] };
    expect(device.timings.map((t) => t.step)).toContain('await-revert');
    expect(devices.runningConfig('leaf02')).toEqual(before);
    expect((await infrahub.getDevice('leaf02')).deployment).toMatchObject({ state: 'needs-reconciliation', lastChangeId: changeId });
    // An emergency is a change like any other to `change show` and `change list`.
    const shown = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(shown).toMatchObject({ workflowId: workflowIds.emergency(changeId), status: 'completed', result: { devices: [{ device: 'leaf02', outcome: 'reverted' }] } });
    const listed = JSON.parse((await runCli(['change', 'list', '--device', 'leaf02', '--json', ...q])).stdout) as Array<{ changeId: string; kind?: string }>;
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ changeId, kind: 'emergency' })]));

    // What the lab rollout put on leaf02 (from a freshly booted config), between its backup and the emergency's (after the drift fix):
    // its fabric interfaces, the default network instance with BGP, the policies.
    const diff = await runCli(['backups', 'diff', 'leaf02', `chg-e2e-rollout-${suffix}`, changeId, '--dir', backupDir]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^0 changed, [1-9]\d* added, 0 removed$/m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/interface\[name=ethernet-1\/49\]: \{.*"mtu":9214/m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/network-instance\[name=default\]: /m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/routing-policy\/policy\[name=export-loopbacks\]: /m);
  });
});
