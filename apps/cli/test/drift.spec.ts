/**
 * `synapse drift` on a real Temporal server: bad input refused naming the
 * flag; a run and its report; schedules created, listed, paused and deleted;
 * a 1 s schedule firing and its run's report read back; and a run longer
 * than the interval making the next ones skipped (overlap SKIP).
 *
 * The workflow is a stand-in with the real one's contract (test/workflows),
 * registered as DriftRemediationWorkflow on this file's own task queue.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporalSettingsFromEnv } from '@synapse/contracts';
import { startStandInWorker, type StandInWorker } from './stand-in-worker';
import { eventually, runCli } from './cli';


describe('synapse drift: runs, reports and schedules', () => {
  const temporal = temporalSettingsFromEnv();
  const taskQueue = `cli-drift-test-${randomUUID()}`;
  const tag = randomUUID().slice(0, 8);
  const q = ['--task-queue', taskQueue];
  const schedules: string[] = [];
  let standIn: StandInWorker;
  let client: Client;

  beforeAll(async () => {
    standIn = await startStandInWorker('stand-in-drift.ts', taskQueue);
    client = standIn.client;
  });
  afterAll(async () => {
    for (const id of schedules) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await standIn?.stop();
  });

  it('refuses a bad scope, mode or interval with exit 2, naming the flag, starting nothing', async () => {
    const [scope, mode, noDevices, every, noScope, role] = await Promise.all([
      runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'racks:1', '--mode', 'report', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'all', '--mode', 'fix-it', ...q]),
      runCli(['drift', 'schedule', 'create', '--skip-inventory-check', '--every', '1h', '--scope', 'devices:', ...q]),
      runCli(['drift', 'schedule', 'create', '--skip-inventory-check', '--every', 'hourly', '--scope', 'all', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--mode', 'report', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'role:router', ...q]),
    ]);
    const [budget, cap] = await Promise.all([
      runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'all', '--deletion-budget', 'some', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'all', '--mode', 'remediate', '--max-remediations', '0', ...q]),
    ]);
    expect(budget.code).toBe(2);
    expect(budget.stderr).toContain('deletionBudget (--deletion-budget): not a number');
    expect(cap.code).toBe(2);
    expect(cap.stderr).toMatch(/maxRemediations \(--max-remediations\): .*>=1/);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain('synapse: --scope "racks:1" is not all, role:<role> (e.g. role:leaf) or devices:<a,b>; nothing was started');
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toContain('synapse: --scope is required: all, role:<role> (e.g. role:leaf) or devices:<a,b>');
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('scope.role (--scope): not a device role (one of core, edge, cpe, spine, leaf, tor)');
    for (const run of [scope, noScope, role]) expect(run.stderr).not.toMatch(/discriminator|Invalid input/);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/mode \(--mode\)/);
    expect(mode.stderr).not.toMatch(/--scope/);
    expect(noDevices.code).toBe(2);
    expect(noDevices.stderr).toMatch(/scope\.devices \(--scope\): at least one device/);
    expect(every.code).toBe(2);
    expect(every.stderr).toContain('--every');
  });

  it('runs drift with --wait: the report per device with drifted paths, exit 1 when something drifted, 0 when clean', async () => {
    const drifted = await runCli(['drift', 'run', '--skip-inventory-check', '--drift-id', `d-${tag}`, '--scope', `devices:leaf01-${tag},leaf02-drifted-${tag}`, '--mode', 'report', '--batch-size', '10', '--wait', ...q]);
    expect(drifted.stderr).toBe('');
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain(`started drift run d-${tag} (report, scope devices:leaf01-${tag},leaf02-drifted-${tag})`);
    expect(drifted.stdout).toMatch(new RegExp(`leaf01-${tag}\\s+in-sync`));
    expect(drifted.stdout).toMatch(new RegExp(`leaf02-drifted-${tag}\\s+drifted  1 changed, 1 missing, 0 extra\n`));
    // One direction, said once: intended -> running; a missing entry by its size, not dumped.
    expect(drifted.stdout).toContain('  paths: intended -> running ((absent): not there)');
    expect(drifted.stdout).toContain('/interface[name=ethernet-1/1]/mtu: 9214 -> 1500');
    expect(drifted.stdout).toMatch(/\/interface\[name=ethernet-1\/5\]: \(subtree: 3 leaves, \d+ bytes\) -> \(absent\)/);
    expect(drifted.stdout).not.toContain('1500 -> 9214');
    expect(drifted.stdout).not.toContain('to spine02');
    expect(drifted.stdout).toContain("unmanaged config present: 2 (not Synapse's: never drift, never remediated); --list-unmanaged names it");
    const listed = await runCli(['drift', 'run', '--skip-inventory-check', '--scope', `devices:leaf02-drifted-${tag}`, '--list-unmanaged', '--wait', ...q]);
    expect(listed.stdout).toMatch(/unmanaged config present: 2 \(not Synapse's: never drift, never remediated\)\n\s+\/acl\n\s+\/interface\[name=lag1\]/);
    const clean = await runCli(['drift', 'run', '--skip-inventory-check', '--scope', 'all', '--mode', 'remediate', '--wait', ...q]);
    expect(clean.code).toBe(0);
    const report = await runCli(['drift', 'report', `d-${tag}`, '--json', ...q]);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ status: 'completed', report: { driftId: `d-${tag}`, counts: { drifted: 1, 'in-sync': 1 } } });
    const unknown = await runCli(['drift', 'report', `nope-${tag}`, ...q]);
    expect(unknown.code).toBe(2);
  });

  it('remediates at most --max-remediations devices, waives approval with --no-approval, and lists runs with mode, status and counts', async () => {
    const scope = `devices:leaf01-${tag},leaf03-drifted-${tag},leaf04-drifted-${tag}`;
    const [capped, held, waiting] = await Promise.all([
      runCli(['drift', 'run', '--skip-inventory-check', '--drift-id', `cap-${tag}`, '--scope', scope, '--mode', 'remediate', '--max-remediations', '1', '--no-approval', '--wait', '--json', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--drift-id', `held-${tag}`, '--scope', 'all', '--reason', 'slow [hold-ms=6000]', ...q]),
      runCli(['drift', 'run', '--skip-inventory-check', '--drift-id', `appr-${tag}`, '--scope', `devices:leaf05-${tag}`, '--mode', 'remediate', ...q]),
    ]);
    expect(capped.code).toBe(1);
    const out = JSON.parse(capped.stdout);
    expect(out.request).toMatchObject({ mode: 'remediate', maxRemediations: 1, approval: { required: false } });
    expect(out.report.devices.map((d: { status: string }) => d.status)).toEqual(['in-sync', 'remediated', 'drifted']);
    expect(out.report.devices[2].detail).toContain('more than maxRemediations (1)');
    // Remediation goes through a rollout: the CLI says which change, and how to approve it when it waits.
    expect(waiting.stdout).toContain(`remedy    what drifted (at most 50 devices) is rolled out as change appr-${tag} (kind drift-remediation): synapse change watch appr-${tag}`);
    expect(waiting.stdout).toContain(`approval  that change waits for an approver other than alice: synapse change approve appr-${tag} --by <name>`);
    expect(held.stdout).not.toContain('remedy');

    const list = await runCli(['drift', 'list', '--limit', '50', '--json', ...q]);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout) as Array<{ driftId: string; status: string; mode?: string; counts?: Record<string, number> }>;
    expect(runs.find((r) => r.driftId === `cap-${tag}`)).toMatchObject({ status: 'completed', mode: 'remediate', scope: scope, counts: { 'in-sync': 1, remediated: 1, drifted: 1 } });
    // Running: its counts come from the progress query (nothing checked yet while it holds).
    expect(runs.find((r) => r.driftId === `held-${tag}`)).toMatchObject({ status: 'running', mode: 'report', scope: 'all', counts: {} });
    const table = await runCli(['drift', 'list', '--limit', '50', ...q]);
    expect(table.stdout).toMatch(/^DRIFT\s+MODE\s+STATUS\s+STARTED\s+SCOPE\s+DEVICES\n/);
    expect(table.stdout).toMatch(new RegExp(`cap-${tag}\\s+remediate\\s+completed\\s+\\S+\\s+${scope}\\s+1 in-sync, 1 drifted, 1 remediated`));
    const running = await runCli(['drift', 'list', '--status', 'running', '--limit', '50', '--json', ...q]);
    expect((JSON.parse(running.stdout) as Array<{ status: string }>).every((r) => r.status === 'running')).toBe(true);
  });

  it('creates a schedule, lists it with its interval and overlap SKIP, pauses, unpauses and deletes it', async () => {
    const id = `hourly-${tag}`;
    schedules.push(id);
    const created = await runCli(['drift', 'schedule', 'create', '--skip-inventory-check', '--every', '1h', '--scope', 'role:leaf', '--mode', 'report', '--id', id, ...q]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`created drift schedule ${id}`);
    const listed = await eventually(
      () => runCli(['drift', 'schedule', 'list', '--json', ...q]),
      (run) => run.code === 0 && (JSON.parse(run.stdout) as { scheduleId: string }[]).some((s) => s.scheduleId === id),
    );
    expect((JSON.parse(listed.stdout) as { scheduleId: string }[]).find((s) => s.scheduleId === id)).toMatchObject({
      every: ['1h'], overlap: 'SKIP', paused: false, scope: 'role:leaf', mode: 'report', taskQueue,
    });
    const table = await runCli(['drift', 'schedule', 'list', ...q]);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+every 1h\\s+report\\s+scope role:leaf\\s+overlap SKIP\\s+active`));

    const paused = await runCli(['drift', 'schedule', 'pause', id, ...q]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(new RegExp(`${id}.*overlap SKIP\\s+paused`));
    expect((await client.schedule.getHandle(id).describe()).state.paused).toBe(true);
    const unpaused = await runCli(['drift', 'schedule', 'unpause', id, ...q]);
    expect(unpaused.stdout).toMatch(/active/);

    const deleted = await runCli(['drift', 'schedule', 'delete', id, ...q]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted drift schedule ${id}`);
    await expect(client.schedule.getHandle(id).describe()).rejects.toThrow();
    const gone = await runCli(['drift', 'schedule', 'pause', id, ...q]);
    expect(gone.code).toBe(2);
    const after = await eventually(
      () => runCli(['drift', 'schedule', 'list', '--json', ...q]),
      (run) => !(JSON.parse(run.stdout) as { scheduleId: string }[]).some((s) => s.scheduleId === id),
    );
    expect((JSON.parse(after.stdout) as { scheduleId: string }[]).map((s) => s.scheduleId)).not.toContain(id);
  });

  it('a 1s schedule fires and its run reports; a run longer than the interval makes the next ones skipped', async () => {
    const fires = `fires-${tag}`;
    const holds = `holds-${tag}`;
    schedules.push(fires, holds);
    const [a, b] = await Promise.all([
      runCli(['drift', 'schedule', 'create', '--skip-inventory-check', '--every', '1s', '--scope', `devices:leaf09-drifted-${tag}`, '--id', fires, ...q]),
      runCli(['drift', 'schedule', 'create', '--skip-inventory-check', '--every', '1s', '--scope', 'all', '--reason', 'slow [hold-ms=4000]', '--id', holds, ...q]),
    ]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);

    // Fired at least once, and that run finished: its report is read with `drift report`.
    const fired = await eventually(
      () => client.schedule.getHandle(fires).describe(),
      (d) => d.info.recentActions.length > 0 && d.info.runningActions.length === 0,
    );
    await client.schedule.getHandle(fires).pause();
    const workflowId = fired.info.recentActions[0].action.workflow.workflowId;
    expect(workflowId.startsWith(`drift/${fires}-`)).toBe(true);
    const report = await eventually(
      () => runCli(['drift', 'report', workflowId, ...q]),
      (run) => /status\s+completed/.test(run.stdout),
    );
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(new RegExp(`leaf09-drifted-${tag}\\s+drifted`));
    expect(report.stdout).toContain('/interface[name=ethernet-1/1]/mtu: 9214 -> 1500');

    // The held run outlasts several intervals: those are skipped, never more than one running.
    const overlapped = await eventually(
      () => client.schedule.getHandle(holds).describe(),
      (d) => d.info.numActionsSkippedOverlap >= 2,
    );
    expect(overlapped.info.runningActions.length).toBeLessThanOrEqual(1);
    expect(overlapped.info.numActionsTaken).toBe(1);
    const shown = JSON.parse((await runCli(['drift', 'schedule', 'pause', holds, '--json', ...q])).stdout);
    expect(shown).toMatchObject({ scheduleId: holds, overlap: 'SKIP', paused: true, actionsTaken: 1 });
    expect(shown.skippedOverlap).toBeGreaterThanOrEqual(2);
    expect(shown.running.length).toBeLessThanOrEqual(1);
  });
});
