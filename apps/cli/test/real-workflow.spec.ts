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
import { WorkflowNotFoundError } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalSettingsFromEnv, workflowIds, type DeviceTarget } from '@synapse/contracts';
import { LAB_CREDENTIALS, LAB_PLAINTEXT_TRANSPORT, referenceLabTopology, startDeviceSim, type DeviceSim } from '@synapse/device-sim';
import { DocumentStore } from '@synapse/device-config';
import { createDeviceActivities, GitBackupStore, StaticDeviceDirectory } from '@synapse/device-worker';
import { GnmiClient } from '@synapse/gnmi-client';
import { InfrahubClient } from '@synapse/infrahub-client';
import { DEFAULT_LAB_API_TOKEN, startInfrahubSim, type InfrahubSim } from '@synapse/infrahub-sim';
import { createInfrahubActivities } from '@synapse/infrahub-worker';
import { referenceLab } from '@synapse/lab';
import { bundleWorkflows, createWorkflowWorker } from '@synapse/workflow-worker';
import { eventually, runCli, type CliOptions } from './cli';

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

  /** The CLI as an operator on this lab runs it: Temporal from the suite, Infrahub (for its device check) from this file's simulator. */
  const cli = (args: string[], options: CliOptions = {}) =>
    runCli(args, { ...options, env: { INFRAHUB_ADDRESS: infrahubSim.address, INFRAHUB_API_TOKEN: DEFAULT_LAB_API_TOKEN, ...options.env } });

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
    // The document store the two workers share (a shared volume in a deployment).
    const documents = new DocumentStore({ dir: path.join(backupDir, 'documents') });
    const deviceActivities = createDeviceActivities({
      documents,
      gnmi: (target: DeviceTarget) => new GnmiClient(target, { ...LAB_CREDENTIALS }),
      directory: new StaticDeviceDirectory(Object.fromEntries(devices.devices.map((d) => [d.name, { address: d.address }])), {
        // The simulator speaks plaintext; the lab's credentials are allowed over it explicitly.
        transport: LAB_PLAINTEXT_TRANSPORT,
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
        allowedActivityQueues: [queues.device, queues.deviceUrgent, queues.infrahub],
      }),
      ...[queues.device, queues.deviceUrgent].map((taskQueue) => Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue, activities: deviceActivities })),
      Worker.create({ connection: workerConnection, namespace: temporal.namespace, taskQueue: queues.infrahub, activities: createInfrahubActivities({ infrahub, documents }) }),
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
      const run = await cli(
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
    const plan = await cli(['change', 'plan', ...base], { timeoutMs: 120_000 });
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toMatch(/^spine01\s+spine\s+changes\s+1\s+\+[1-9]\d* ~\d+ -0\s+[1-9]/m);
    expect(plan.stdout).toMatch(/^leaf01\s+leaf\s+changes\s+2\s+\+[1-9]\d* ~\d+ -0\s+[1-9]/m);
    expect(plan.stdout).toMatch(/^totals: 3 devices, 3 changed, 0 in sync; 2 waves; /m);
    // One instant for the whole plan (Infrahub's time travel).
    expect(plan.stdout).toMatch(/^intent as Infrahub had it at \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(plan.stdout).toMatch(/^leaf01 \(leaf, wave 2\): \d+ added, \d+ changed, 0 removed\n {2}[+~] \//m);

    const start = await cli(['change', 'start', '--change-id', rollout, ...base]);
    expect(start.stdout).toContain('approval  waits for an approver other than alice');
    await eventually(
      () => cli(['change', 'show', rollout, '--json', ...q]),
      (run) => JSON.parse(run.stdout).progress?.phase === 'awaiting-approval',
      60_000,
    );
    const self = await cli(['change', 'approve', rollout, ...q]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('another approver is needed');
    const approve = await cli(['change', 'approve', rollout, '--by', 'bob', '--comment', 'plan reviewed', ...q]);
    expect({ code: approve.code, stderr: approve.stderr }).toEqual({ code: 0, stderr: '' });
    expect(approve.stdout).toMatch(/^spine01\s+spine\s+changes\s+1\s/m);
    expect(approve.stdout).toMatch(new RegExp(`approved change ${rollout} \\(by bob\\): now (locking|rolling-out)`));

    const watched = await cli(['change', 'watch', rollout, ...q], { timeoutMs: 120_000 });
    expect({ code: watched.code, stderr: watched.stderr }).toEqual({ code: 0, stderr: '' });
    // Real waves from the real progress query, real steps from each device workflow's, then the result.
    expect(watched.stdout).toMatch(/^wave 1 {2}running {2}spine01$/m);
    expect(watched.stdout).toMatch(/^wave 2 {2}running {2}leaf01, leaf02$/m);
    expect(watched.stdout).toMatch(/^leaf01 {2}(fetch-intent|backup|store-backup|diff|baseline|deploy|validate-bgp|validate-interfaces|confirm|record-ownership|record-status|hold)\b/m);
    expect(watched.stdout).toContain(`change ${rollout}: succeeded (3 devices: 3 deployed)`);
    expect(watched.stdout).toContain('approval  approved by bob: plan reviewed');
    for (const device of LAB_DEVICES) expect(watched.stdout).toMatch(new RegExp(`^  ${device}\\s+deployed\\s+[12]\\s+[0-9a-f]{12}\\s+\\d+ changed, \\d+ added`, 'm'));

    const show = JSON.parse((await cli(['change', 'show', rollout, '--json', ...q])).stdout);
    expect(show).toMatchObject({ status: 'completed', outcome: 'succeeded', requester: 'alice', request: { devices: LAB_DEVICES, ticket: 'NET-7' }, result: { outcome: 'succeeded' } });
    // Each device's validations, subject by subject, and its step timings, from its own device workflow.
    expect(show.deviceDetails.map((d: { device: string }) => d.device)).toEqual(['leaf01', 'leaf02', 'spine01']);
    const shownText = (await cli(['change', 'show', rollout, ...q])).stdout;
    expect(shownText).toContain('validations and timings (each device workflow, device/<name>):');
    expect(shownText).toMatch(/^ {2}leaf01\n {4}bgp {9}passed in \d+\.\d s\n {6}ok {4}\S.*established/m);
    expect(shownText).toMatch(/^ {4}interfaces {2}passed in \d+\.\d s$/m);
    expect(shownText).toMatch(/^ {4}timings {5}\S+ \d+\.\d s, /m);
    const listed = JSON.parse((await cli(['change', 'list', '--device', 'spine01', '--json', ...q])).stdout) as Array<{ changeId: string; outcome?: string }>;
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ changeId: rollout, outcome: 'succeeded' })]));

    const second = await cli(['change', 'start', '--change-id', again, ...base, '--no-approval', '--wait', '--json'], { timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout).result;
    expect(result.outcome).toBe('succeeded');
    expect(result.devices.map((d: { outcome: string }) => d.outcome)).toEqual(['in-sync', 'in-sync', 'in-sync']);

    // Planned in sync, never touched: no backup for the second change. leaf01: before the rollout, before the rolled-back change.
    const list = JSON.parse((await cli(['backups', 'list', 'leaf01', '--dir', backupDir, '--json'])).stdout);
    expect(list.map((e: { changeId: string }) => e.changeId)).toEqual([rollout, `chg-e2e-lonely-${suffix}`]);
    expect(new Set(list.map((e: { workflowId: string }) => e.workflowId))).toEqual(new Set([workflowIds.device('leaf01')]));
  });
  it('drift run against the real workflow: clean after the rollout, names an out-of-band MTU, remediates it', async () => {
    const admin = new GnmiClient({ name: 'leaf02', address: devices.address('leaf02'), transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS });
    try {
      const clean = await cli(['drift', 'run', '--scope', 'all', '--mode', 'report', '--drift-id', `drift-e2e-clean-${suffix}`, ...q, '--wait'], { timeoutMs: 120_000 });
      expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
      expect(clean.stdout).toContain('3 in-sync');

      await admin.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
      const report = await cli(['drift', 'run', '--scope', 'role:leaf', '--mode', 'report', '--drift-id', `drift-e2e-found-${suffix}`, ...q, '--wait'], { timeoutMs: 120_000 });
      expect(report.code).toBe(1);
      expect(report.stdout).toMatch(/^ {2}leaf02\s+drifted/m);
      // Intended -> running, as the report's header line says.
      expect(report.stdout).toContain('/interface[name=ethernet-1/49]/mtu: 9214 -> 1500');
      expect(report.stdout).toMatch(/^ {2}leaf01\s+in-sync/m);

      // Through a rollout, change/<drift id>, which this run may start without an approver.
      const fix = `drift-e2e-fix-${suffix}`;
      const fixed = await cli(['drift', 'run', '--scope', 'devices:leaf02', '--mode', 'remediate', '--no-approval', '--drift-id', fix, ...q, '--wait'], { timeoutMs: 120_000 });
      expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: '' });
      expect(fixed.stdout).toMatch(/^ {2}leaf02\s+remediated/m);
      const { updates } = await admin.get('/interface[name=ethernet-1/49]/mtu', { type: 'CONFIG' });
      expect(updates[0]?.value).toBe(9214);
      const remediations = JSON.parse((await cli(['change', 'list', '--kind', 'drift-remediation', '--json', ...q])).stdout) as Array<{ changeId: string; outcome?: string }>;
      expect(remediations).toEqual(expect.arrayContaining([expect.objectContaining({ changeId: fix, outcome: 'succeeded' })]));
      const runs = JSON.parse((await cli(['drift', 'list', '--json', ...q])).stdout) as Array<{ driftId: string; mode?: string; counts?: Record<string, number> }>;
      expect(runs.find((r) => r.driftId === fix)).toMatchObject({ mode: 'remediate', counts: { remediated: 1 } });
    } finally {
      admin.close();
    }
  });

  it('a drift schedule created by the CLI fires the real DriftRemediationWorkflow, whose report the CLI reads', async () => {
    const id = `real-drift-${suffix}`;
    const created = await cli(['drift', 'schedule', 'create', '--every', '2s', '--scope', 'role:leaf', '--mode', 'report', '--id', id, ...q]);
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
        () => cli(['drift', 'report', workflowId, '--json', ...q]),
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
    const refused = await cli(['emergency', '--device', 'leaf02', '--reason', 'peer flapping', '--update', `${peer}=disable`, ...q, '--wait']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ticket (--ticket): an emergency change needs a ticket');
    expect(refused.stderr).toContain('nothing was started');

    const changeId = `em-e2e-${suffix}`;
    started.push(changeId);
    const before = devices.runningConfig('leaf02');
    const run = await cli(
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
    const shown = JSON.parse((await cli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(shown).toMatchObject({ workflowId: workflowIds.emergency(changeId), status: 'completed', result: { devices: [{ device: 'leaf02', outcome: 'reverted' }] } });
    const listed = JSON.parse((await cli(['change', 'list', '--device', 'leaf02', '--json', ...q])).stdout) as Array<{ changeId: string; kind?: string }>;
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ changeId, kind: 'emergency' })]));

    // What the lab rollout put on leaf02 (from a freshly booted config), between its backup and the emergency's (after the drift fix):
    // its fabric interfaces, the default network instance with BGP, the policies.
    const diff = await cli(['backups', 'diff', 'leaf02', `chg-e2e-rollout-${suffix}`, changeId, '--dir', backupDir]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/^0 changed, [1-9]\d* added, 0 removed$/m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/interface\[name=ethernet-1\/49\]: \{.*"mtu":9214/m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/network-instance\[name=default\]: /m);
    expect(diff.stdout).toMatch(/^ {2}\+ \/routing-policy\/policy\[name=export-loopbacks\]: /m);
  });

  it('refuses an unknown device before starting anything (one Infrahub query): exit 2 naming the flag, no workflow', async () => {
    const peer = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.2]/admin-state';
    const ids = { change: `chg-e2e-unknown-${suffix}`, plan: `plan-e2e-unknown-${suffix}`, emergency: `em-e2e-unknown-${suffix}`, drift: `drift-e2e-unknown-${suffix}` };
    const [start, plan, emergency, drift, config] = await Promise.all([
      cli(['change', 'start', '--change-id', ids.change, '--devices', 'leaf01,leaf99', '--reason', 'a typo', '--no-approval', ...q]),
      cli(['change', 'plan', '--change-id', ids.plan, '--device', 'leaf99', ...q]),
      cli(['emergency', '--change-id', ids.emergency, '--device', 'leaf99', '--reason', 'r', '--ticket', 'INC-1', '--update', `${peer}=disable`, ...q]),
      cli(['drift', 'run', '--drift-id', ids.drift, '--scope', 'devices:leaf01,leaf99', ...q]),
      cli(['config', 'running', 'leaf99', ...q]),
    ]);
    for (const [run, flag] of [[start, '--device'], [plan, '--device'], [emergency, '--device'], [drift, '--scope'], [config, '<device>']] as const) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toBe(`synapse: ${flag}: Infrahub at ${infrahubSim.address} has no device "leaf99"; nothing was started\n`);
    }
    // Nothing started: not by its id, and not in the namespace's list.
    const workflowIdsRefused = [workflowIds.change(ids.change), workflowIds.change(ids.plan), workflowIds.emergency(ids.emergency), workflowIds.drift(ids.drift)];
    for (const id of workflowIdsRefused) await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const listed: string[] = [];
    const query = `WorkflowId IN (${workflowIdsRefused.map((id) => `'${id}'`).join(', ')}) OR WorkflowId STARTS_WITH 'config/leaf99/'`;
    for await (const workflow of client.workflow.list({ query })) listed.push(workflow.workflowId);
    expect(listed).toEqual([]);

    // A branch Infrahub does not have is bad input too.
    const branch = await cli(['config', 'intended', 'leaf01', '--branch', `no-such-branch-${suffix}`, ...q]);
    expect({ code: branch.code, stderr: branch.stderr }).toEqual({ code: 2, stderr: `synapse: --branch: Infrahub has no branch "no-such-branch-${suffix}"; nothing was started\n` });

    // An Infrahub the CLI cannot reach is said (exit 3) with the way out; still nothing started.
    const unreachable = await cli(['change', 'start', '--change-id', ids.change, '--device', 'leaf01', '--reason', 'r', ...q], { env: { INFRAHUB_ADDRESS: 'http://127.0.0.1:9' } });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('could not check --device against Infrahub at http://127.0.0.1:9');
    expect(unreachable.stderr).toContain('--skip-inventory-check');
    await expect(client.workflow.getHandle(workflowIds.change(ids.change)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('synapse config intended, running and diff: the rendered intent, the device through the device worker, intended -> running', async () => {
    const admin = new GnmiClient({ name: 'leaf01', address: devices.address('leaf01'), transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS });
    try {
      const intended = await cli(['config', 'intended', 'leaf01', ...q]);
      expect({ code: intended.code, stderr: intended.stderr }).toEqual({ code: 0, stderr: '' });
      expect(intended.stdout).toMatch(/^# intended config of leaf01: \d+ paths Synapse owns$/m);
      expect(intended.stdout).toMatch(/^\/interface\[name=ethernet-1\/49\]$/m);
      const intendedJson = JSON.parse((await cli(['config', 'intended', 'leaf01', '--json', ...q])).stdout);
      expect(intendedJson).toMatchObject({ view: 'intended', device: 'leaf01' });
      expect(Object.keys(intendedJson.config)).toContain('/interface[name=ethernet-1/49]');

      const running = await cli(['config', 'running', 'leaf01', '--json', ...q]);
      expect({ code: running.code, stderr: running.stderr }).toEqual({ code: 0, stderr: '' });
      // What the device worker read is what the device has: the same Get, made here with the lab's credentials.
      expect(JSON.parse(running.stdout).config).toEqual(await admin.getConfig('/', { keepModulePrefixes: true }));
      expect((await cli(['config', 'running', 'leaf01', ...q])).stdout).toMatch(/^# running config of leaf01, read \d{4}-/);

      const clean = await cli(['config', 'diff', 'leaf01', ...q]);
      expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
      expect(clean.stdout).toMatch(/^ {2}leaf01\s+in-sync/m);

      await admin.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 1500 }] });
      const drifted = await cli(['config', 'diff', 'leaf01', ...q]);
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toContain('# leaf01: intended -> running on the paths Synapse owns');
      expect(drifted.stdout).toMatch(/^ {2}leaf01\s+drifted\s+1 changed, 0 missing, 0 extra/m);
      expect(drifted.stdout).toContain('/interface[name=ethernet-1/49]/mtu: 9214 -> 1500');
      expect(JSON.parse((await cli(['config', 'diff', 'leaf01', '--json', ...q])).stdout)).toMatchObject({ view: 'diff', status: { device: 'leaf01', status: 'drifted' } });
    } finally {
      await admin.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value: 9214 }] });
      admin.close();
    }
  });

  it('change cancel rolls back what it deployed: the device is identical to its backup again', async () => {
    const leaves = ['leaf01', 'leaf02'] as const;
    const admins = leaves.map((name) => new GnmiClient({ name, address: devices.address(name), transport: LAB_PLAINTEXT_TRANSPORT }, { ...LAB_CREDENTIALS }));
    const changeId = `chg-e2e-cancel-${suffix}`;
    started.push(changeId);
    const mtu = (value: number) => Promise.all(admins.map((admin) => admin.set({ update: [{ path: '/interface[name=ethernet-1/49]/mtu', value }] })));
    try {
      // Out of band on both leaves, so the change has something to put right on each; one wave each, and a
      // long soak after the first: the cancel comes while the first leaf is deployed and the second untouched.
      await mtu(1500);
      const before = Object.fromEntries(leaves.map((name) => [name, devices.runningConfig(name)]));
      const start = await cli(['change', 'start', '--change-id', changeId, '--devices', leaves.join(','), '--wave-size', '1', '--soak', '300', '--settle-seconds', '3', '--reason', 'mtu back', '--no-approval', ...q]);
      expect(start.code).toBe(0);
      await eventually(() => cli(['change', 'show', changeId, '--json', ...q]), (run) => JSON.parse(run.stdout).progress?.phase === 'soaking', 90_000);
      expect(leaves.filter((name) => JSON.stringify(devices.runningConfig(name)) !== JSON.stringify(before[name]))).toHaveLength(1);
      const cancel = await cli(['change', 'cancel', changeId, ...q]);
      expect({ code: cancel.code, stderr: cancel.stderr }).toEqual({ code: 0, stderr: '' });
      const shown = await eventually(() => cli(['change', 'show', changeId, '--json', ...q]), (run) => JSON.parse(run.stdout).status === 'cancelled', 60_000);
      expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'cancelled', outcome: 'cancelled' });
      for (const name of leaves) expect(devices.runningConfig(name)).toEqual(before[name]);
      const cancelled = await eventually(
        () => cli(['change', 'list', '--outcome', 'cancelled', '--json', ...q]),
        (run) => (JSON.parse(run.stdout) as { changeId: string }[]).some((c) => c.changeId === changeId),
      );
      expect(JSON.parse(cancelled.stdout).find((c: { changeId: string }) => c.changeId === changeId)).toMatchObject({ devices: 'leaf01, leaf02', deviceCount: 2, summary: expect.stringMatching(/^cancelled/) });
    } finally {
      await mtu(9214);
      admins.forEach((admin) => admin.close());
    }
  });

  it('the UI list finds the rolled-back change by SynapseOutcome, and so does change list --outcome rolled-back', async () => {
    const lonely = `chg-e2e-lonely-${suffix}`;
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const workflow of client.workflow.list({ query: `SynapseOutcome = "rolled-back" AND SynapseChangeId = "${lonely}"` })) ids.push(workflow.workflowId);
        return ids;
      },
      (ids) => ids.includes(workflowIds.change(lonely)),
    );
    // The change, and each of its device workflows that rolled back (each carries its own outcome).
    expect(found).toContain(workflowIds.change(lonely));
    expect(found.every((id) => [workflowIds.change(lonely), workflowIds.device('leaf01'), workflowIds.device('spine01')].includes(id))).toBe(true);
    const listed = await cli(['change', 'list', '--outcome', 'rolled-back', '--json', ...q]);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ changeId: lonely, outcome: 'rolled-back', summary: expect.stringMatching(/^rolled-back: 2 devices \(2 rolled-back\)$/) })]));
    const succeeded = await cli(['change', 'list', '--outcome', 'succeeded', '--json', ...q]);
    expect(JSON.parse(succeeded.stdout).map((c: { changeId: string }) => c.changeId)).not.toContain(lonely);
  });

  it('synapse emergency revert: the time to live ends now, the device is identical to its backup, a second revert is refused', async () => {
    const peer = '/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.0.0.2]/admin-state';
    const changeId = `em-e2e-revert-${suffix}`;
    started.push(changeId);
    const before = devices.runningConfig('leaf02');
    const start = await cli(['emergency', '--change-id', changeId, '--device', 'leaf02', '--reason', 'peer flapping', '--ticket', 'INC-10', '--update', `${peer}=disable`, '--revert-after', '2h', '--settle-seconds', '3', ...q]);
    expect(start.code).toBe(0);
    // While it waits out its time to live, its DETAIL says when it reverts and how to revert now.
    const waiting = await eventually(
      () => cli(['change', 'show', changeId, '--json', ...q]),
      (run) => JSON.parse(run.stdout).progress?.devices?.[0]?.step === 'await-revert',
      60_000,
    );
    expect(JSON.parse(waiting.stdout).progress.devices[0].detail).toMatch(
      new RegExp(`^reverts to backup [0-9a-f]{40} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(synapse emergency revert ${changeId} to revert now\\)$`),
    );
    expect(devices.runningConfig('leaf02')).not.toEqual(before);
    const revert = await cli(['emergency', 'revert', changeId, '--reason', 'incident over', ...q], { timeoutMs: 120_000 });
    expect({ code: revert.code, stderr: revert.stderr }).toEqual({ code: 0, stderr: '' });
    expect(revert.stdout).toContain(`revert requested for emergency ${changeId} (by alice): leaf02 put their backups back now`);
    expect(revert.stdout).toMatch(/^ {2}leaf02\s+reverted\b/m);
    expect(devices.runningConfig('leaf02')).toEqual(before);
    const device = (await client.workflow.getHandle(workflowIds.device('leaf02')).result()) as { outcome: string; reason?: string };
    expect(device.outcome).toBe('reverted');
    expect(device.reason).toContain('time to live of 7200 s cut short by alice (incident over)');
    const again = await cli(['emergency', 'revert', changeId, ...q]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`emergency ${changeId} has already ended (completed, succeeded): nothing to revert`);
  });

  it("DETAIL during a BGP wait: the validation's heartbeat (what is not up yet) and the settle deadline", async () => {
    const changeId = `em-e2e-wait-${suffix}`;
    started.push(changeId);
    const before = devices.runningConfig('leaf01');
    // An emergency validates against what must be up, not a baseline: with leaf01 holding BGP down it waits.
    devices.faults('leaf01').set({ holdBgpDown: true });
    try {
      const start = await cli(['emergency', '--change-id', changeId, '--device', 'leaf01', '--reason', 'label the uplink', '--ticket', 'INC-11', '--update', '/interface[name=ethernet-1/49]/description=incident 11', '--revert-after', '10s', '--settle-seconds', '60', ...q]);
      expect(start.code).toBe(0);
      const waiting = await eventually(
        () => cli(['change', 'show', changeId, '--json', ...q]),
        (run) => /as expected; not yet: neighbor /.test(JSON.parse(run.stdout).progress?.devices?.[0]?.detail ?? ''),
        60_000,
      );
      const device = JSON.parse(waiting.stdout).progress.devices[0];
      expect(device.step).toBe('validate-bgp');
      // BGP and interfaces are validated together (one activity, one heartbeat): the neighbor first in what is not
      // up yet, then any interface not seen up so far.
      expect(device.detail).toMatch(
        /^\d+\/\d+ as expected; not yet: neighbor [\d.]+(, neighbor [\d.]+)*(, interface [\w/-]+)*; waiting for \d+ BGP neighbor\(s\) to establish and \d+ interface\(s\) to reach their state, at most until \d{4}-\d\d-\d\dT[\d:.]+Z$/,
      );
    } finally {
      devices.faults('leaf01').set({ holdBgpDown: false });
    }
    const watched = await cli(['change', 'watch', changeId, ...q], { timeoutMs: 120_000 });
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/^ {2}leaf01\s+reverted\b/m);
    expect(devices.runningConfig('leaf01')).toEqual(before);
  });
});
