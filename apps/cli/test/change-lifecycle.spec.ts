/**
 * A change's life through the CLI on a real Temporal server: plan it, start
 * it, see it wait for approval, be refused what does not apply (approving
 * one's own change, pausing before the rollout), approve it as someone
 * else, watch it roll out wave by wave, find it by device, show the result;
 * pause, resume and abort with rollback; reject, expiry and cancel; the
 * failure paths (a rolled-back device, a failed workflow, a reused change
 * id, no workflow worker) with the exit codes scripts rely on.
 *
 * The workflows are stand-ins with the real ones' contract (test/workflows):
 * NetworkChangeWorkflow and its DeviceChangeWorkflow (`device/<name>`), on
 * this file's own task queue, which the CLI is pointed at with its hidden
 * --task-queue. Device names carry a tag: device workflow ids are the
 * devices' locks on the shared server.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ONE_AT_A_TIME_ROLES, temporalSettingsFromEnv, workflowIds, type ChangeRequest, type ChangeResult, type RolloutProgress } from '@synapse/contracts';
import { startStandInWorker, type StandInWorker } from './stand-in-worker';
import { eventually, runCli, startCli, type CliRun } from './cli';

describe('synapse change: plan, start, approve, control, watch, show and list against a NetworkChangeWorkflow', () => {
  const temporal = temporalSettingsFromEnv();
  const taskQueue = `cli-test-${randomUUID()}`;
  const tag = randomUUID().slice(0, 8);
  const q = ['--task-queue', taskQueue];
  let standIn: StandInWorker;
  let client: Client;

  beforeAll(async () => {
    standIn = await startStandInWorker('stand-in-change.ts', taskQueue);
    client = standIn.client;
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  function devices(...names: string[]): string[] {
    return names.map((name) => `${name}-${tag}`);
  }

  /** The request as the workflow received it: the first event's input. */
  async function startedWith(changeId: string): Promise<ChangeRequest> {
    const history = await client.workflow.getHandle(workflowIds.change(changeId)).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    return JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as ChangeRequest;
  }

  async function showJson(changeId: string) {
    return JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout) as { status: string; outcome?: string; progress?: RolloutProgress; result?: ChangeResult };
  }

  function untilPhase(changeId: string, ...phases: RolloutProgress['phase'][]) {
    return eventually(
      () => showJson(changeId),
      (shown) => phases.includes(shown.progress?.phase as RolloutProgress['phase']),
    );
  }

  function refused(run: CliRun, text: string): void {
    expect({ code: run.code, stderr: run.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringContaining(text) });
  }

  it('plans, starts, waits for approval, refuses self-approval, is approved by another, rolls out in waves, is found by device and shows its result', async () => {
    const changeId = `chg-life-${tag}`;
    const [leafA, leafB] = devices('leaf01', 'leaf02');
    const start = await runCli([
      'change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', leafA, '--devices', leafB, '--reason', 'MTU 9214 on fabric links', '--ticket', 'NET-1',
      '--settle-seconds', '30', '--no-commit-confirmed', '--concurrency', '2', '--canary', leafA, '--soak', '1', '--failure-budget', '1', '--approval-timeout', '2h', ...q,
    ]);
    expect({ code: start.code, stderr: start.stderr }).toEqual({ code: 0, stderr: '' });
    expect(start.stdout).toContain(`started change ${changeId} on 2 devices: ${leafA}, ${leafB}`);
    expect(start.stdout).toContain('approval  waits for an approver other than alice (up to 7200 s)');
    expect(start.stdout).toContain(`synapse change approve ${changeId} --by <name>`);
    expect(start.stdout).toContain(`synapse change watch ${changeId}`);
    const [, port] = temporal.address.split(':');
    expect(start.stdout).toContain(`:${Number(port) + 1000}/namespaces/${temporal.namespace}/workflows/change%2F${changeId}`);

    // The workflow got the request as contracts define it, defaults filled in, requester from $USER.
    expect(await startedWith(changeId)).toEqual({
      changeId, devices: [leafA, leafB], reason: 'MTU 9214 on fabric links', requester: 'alice', ticket: 'NET-1', kind: 'standard',
      dryRun: false, concurrency: 2, validation: { settleTimeoutSeconds: 30, commitConfirmed: false }, deletionBudget: 10,
      strategy: { canary: { devices: [leafA], count: 0 }, oneAtATimeRoles: ONE_AT_A_TIME_ROLES, soakSeconds: 1, failureBudget: { count: 1 }, onBudgetExceeded: 'stop' },
      approval: { required: true, timeoutSeconds: 7200 }, lockTimeoutSeconds: 60,
    });

    // Waiting for approval: nothing touched; the plan and the waves are known.
    await untilPhase(changeId, 'awaiting-approval');
    const show = await runCli(['change', 'show', changeId, ...q]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+running/);
    expect(show.stdout).toMatch(/requester\s+alice/);
    expect(show.stdout).toMatch(/ticket\s+NET-1/);
    expect(show.stdout).toContain(`strategy   canary ${leafA}; waves of 25 devices; soak 1 s; failure budget 1, then stop`);
    expect(show.stdout).toContain('phase     awaiting-approval');
    expect(show.stdout).toContain(`approval  waiting for an approver until `);
    expect(show.stdout).toMatch(new RegExp(`0\\s+canary\\s+pending\\s+1: ${leafA}`));
    expect(show.stdout).toMatch(new RegExp(`1\\s+pending\\s+1: ${leafB}`));

    // What does not apply now is refused in the workflow's words, exit 2, nothing done.
    const [self, pause, resume] = await Promise.all([
      runCli(['change', 'approve', changeId, ...q]),
      runCli(['change', 'pause', changeId, ...q]),
      runCli(['change', 'resume', `change/${changeId}`, ...q]),
    ]);
    refused(self, `approve refused: alice requested change ${changeId} and cannot approve or reject it: another approver is needed`);
    expect(self.stdout).toMatch(new RegExp(`^${leafA}\\s+leaf\\s+changes\\s+0 \\(canary\\)\\s+\\+0 ~1 -0\\s+1\\s+1\\s+0\\s+0\\s+0$`, 'm'));
    refused(pause, `pause refused: change ${changeId} cannot pause now: it is awaiting-approval`);
    refused(resume, `resume refused: change ${changeId} is not paused`);
    expect((await showJson(changeId)).progress).toMatchObject({ phase: 'awaiting-approval', approval: { state: 'waiting' }, counts: { pending: 2 } });

    // Watch from before the approval to the end: phase, waves, each running device's step, then the result.
    const watch = startCli(['change', 'watch', changeId, ...q]);
    await watch.waitForOutput('phase     awaiting-approval');
    const approve = await runCli(['change', 'approve', changeId, '--by', 'bob', '--comment', 'ship it', ...q]);
    expect({ code: approve.code, stderr: approve.stderr }).toEqual({ code: 0, stderr: '' });
    expect(approve.stdout).toMatch(/^plan of change .*\nDEVICE\s+ROLE\s+STATUS\s+WAVE\s+PATHS\s+SESSIONS\s+INTERFACES\s+DELETIONS\s+PROBLEMS\s+WARNINGS\n/);
    expect(approve.stdout).toContain('totals: 2 devices, 2 changed, 0 in sync; 2 waves; paths +0 ~2 -0');
    expect(approve.stdout).toMatch(new RegExp(`approved change ${changeId} \\(by bob\\): now (locking|rolling-out)`));
    const watched = await watch.done;
    expect({ code: watched.code, stderr: watched.stderr }).toEqual({ code: 0, stderr: '' });
    const out = watched.stdout;
    expect(out).toContain('approval  approved by bob: ship it');
    expect(out).toContain(`wave 0 (canary)  running  ${leafA}`);
    expect(out.indexOf(`wave 0 (canary)  done  ${leafA}`)).toBeLessThan(out.indexOf(`wave 1  running  ${leafB}`));
    for (const device of [leafA, leafB]) {
      const seen = out.split('\n').filter((line) => line.startsWith(`${device}  `));
      expect(seen.some((line) => / (backup|deploy|validate-bgp)  running/.test(line))).toBe(true);
      // Not a TTY: a line only when something changed.
      seen.slice(1).forEach((line, i) => expect(line).not.toBe(seen[i]));
    }
    expect(out).toContain(`change ${changeId}: succeeded (2 devices: 2 deployed)`);
    expect(out).toMatch(new RegExp(`${leafA}\\s+deployed\\s+0\\s+[0-9a-f]{12}\\s+1 changed, 0 added, 0 removed`));
    expect(out).toMatch(new RegExp(`${leafB}\\s+deployed\\s+1\\s+[0-9a-f]{12}\\s+1 changed`));

    // Found by device through its device workflow; another device's changes do not show it.
    const listed = await eventually(
      () => runCli(['change', 'list', '--device', leafB, '--json', ...q]),
      (run) => run.code === 0 && JSON.parse(run.stdout)[0]?.outcome === 'succeeded',
    );
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ changeId, workflowId: workflowIds.change(changeId), kind: 'standard', status: 'completed', outcome: 'succeeded', requester: 'alice' }),
    ]);
    const table = await runCli(['change', 'list', '--device', leafA, ...q]);
    expect(table.stdout).toMatch(/^CHANGE\s+KIND\s+STATUS\s+OUTCOME\s+DEVICES\s+REQUESTER\s+TICKET\s+STARTED\s+DURATION\n/);
    // Devices and ticket from the memo the CLI gives the change at start; the duration from Temporal's start and close times.
    expect(table.stdout).toMatch(
      new RegExp(`${changeId}\\s+standard\\s+completed\\s+succeeded\\s+${leafA}, ${leafB}\\s+alice\\s+NET-1\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\d+s\\n`),
    );
    const other = await runCli(['change', 'list', '--device', `spine99-${tag}`, ...q]);
    expect(other.stdout.trim()).toBe(`no changes on spine99-${tag}`);

    const after = await runCli(['change', 'show', changeId, ...q]);
    expect(after.stdout).toMatch(/status\s+completed\noutcome\s+succeeded/);
    expect(after.stdout).toContain('  approval  approved by bob: ship it');
    expect(after.stdout).toMatch(/WAVE\s+CANARY\s+DEVICES\s+OUTCOMES\s+FABRIC PROBLEMS\n\s+0\s+canary\s+1\s+1 deployed\s+0\n\s+1\s+1\s+1 deployed\s+0/);
    const afterJson = await showJson(changeId);
    expect(afterJson).toMatchObject({ status: 'completed', outcome: 'succeeded', result: { changeId, outcome: 'succeeded', counts: { deployed: 2 }, approval: { decision: 'approved', approver: 'bob' } } });
    expect(afterJson.result!.devices.map((d) => [d.outcome, d.wave])).toEqual([['deployed', 0], ['deployed', 1]]);
    // Deciding again: the change has ended.
    refused(await runCli(['change', 'approve', changeId, '--by', 'bob', ...q]), `approve refused: change ${changeId} has already ended (completed, succeeded)`);
  });

  it('pauses between waves, resumes, and aborts with rollback: the deployed devices roll back, the rest are skipped', async () => {
    const changeId = `chg-ctl-${tag}`;
    const [a, b, c] = devices('leaf21', 'leaf22', 'leaf23');
    const start = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--devices', `${a},${b},${c}`, '--reason', 'controls', '--no-approval', '--wave-size', '1', '--soak', '2', ...q]);
    expect(start.stdout).toContain('approval  waived by the request');
    await untilPhase(changeId, 'locking', 'rolling-out', 'soaking');
    const pause = await runCli(['change', 'pause', changeId, '--by', 'carol', '--reason', 'monitoring', ...q]);
    expect({ code: pause.code, stderr: pause.stderr }).toEqual({ code: 0, stderr: '' });
    expect(pause.stdout).toContain(`paused change ${changeId} (by carol): the running wave finishes`);
    expect(pause.stdout).toContain('(paused by carol)');

    // The running wave finished, then nothing more started.
    await untilPhase(changeId, 'paused');
    const paused = await runCli(['change', 'show', changeId, ...q]);
    expect(paused.stdout).toContain('phase     paused');
    expect(paused.stdout).toContain(`paused    by carol: monitoring (resume: synapse change resume ${changeId})`);
    expect(paused.stdout).toMatch(new RegExp(`1\\s+done\\s+1: ${a}\\n\\s+2\\s+pending\\s+1: ${b}`));
    expect(paused.stdout).toMatch(/notes\n\s+paused by carol: monitoring/);

    const resume = await runCli(['change', 'resume', changeId, '--by', 'carol', ...q]);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toMatch(new RegExp(`resumed change ${changeId} \\(by carol\\): now (paused|rolling-out|soaking)`));
    await untilPhase(changeId, 'rolling-out', 'soaking');
    const abort = await runCli(['change', 'abort', changeId, '--rollback', '--reason', 'enough', '--by', 'carol', '--json', ...q]);
    expect(abort.code).toBe(0);
    expect(JSON.parse(abort.stdout)).toMatchObject({ changeId, action: 'abort', by: 'carol', progress: { notes: expect.arrayContaining(['aborted by carol: enough; every deployed device is rolled back']) } });

    const watched = await runCli(['change', 'watch', changeId, ...q]);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(new RegExp(`change ${changeId}: aborted \\(3 devices: (2 rolled-back, 1 skipped|1 skipped, 2 rolled-back)\\)`));
    const result = (await showJson(changeId)).result!;
    expect(result.devices.map((d) => d.outcome)).toEqual(['rolled-back', 'rolled-back', 'skipped']);
    expect(result.waves.map((w) => w.index)).toEqual([1, 2]);
  });

  it('a rejected change ends rejected, an unapproved one expires, a cancelled one ends cancelled; none touches a device', async () => {
    const [rejected, expired, cancelled] = [`chg-rej-${tag}`, `chg-exp-${tag}`, `chg-cxl-${tag}`];
    const [leafR, leafE, leafC] = devices('leaf31', 'leaf32', 'leaf33');
    const [startR, waitE, startC] = await Promise.all([
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', rejected, '--device', leafR, '--reason', 'reject me', ...q]),
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', expired, '--device', leafE, '--reason', 'nobody looks', '--approval-timeout', '1', '--wait', ...q]),
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', cancelled, '--device', leafC, '--reason', 'cancel me', ...q]),
    ]);
    expect([startR.code, startC.code]).toEqual([0, 0]);
    expect(waitE.code).toBe(1);
    expect(waitE.stdout).toContain(`change ${expired}: expired (1 device: 1 skipped)`);

    await Promise.all([untilPhase(rejected, 'awaiting-approval'), untilPhase(cancelled, 'awaiting-approval')]);
    const reject = await runCli(['change', 'reject', rejected, '--by', 'bob', '--comment', 'not today', ...q]);
    expect(reject.code).toBe(0);
    expect(reject.stdout).toContain(`rejected change ${rejected} (by bob): it ends rejected; nothing was touched`);
    const cancel = await runCli(['change', 'cancel', `change/${cancelled}`, ...q]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`cancel requested for change ${cancelled}: it rolls back every device it deployed, then ends cancelled`);

    const shownR = await eventually(() => showJson(rejected), (s) => s.status === 'completed');
    expect(shownR).toMatchObject({ outcome: 'rejected', result: { outcome: 'rejected', approval: { decision: 'rejected', approver: 'bob', comment: 'not today' }, devices: [{ outcome: 'skipped' }] } });
    const shownC = await eventually(() => runCli(['change', 'show', cancelled, ...q]), (run) => /status\s+cancelled/.test(run.stdout));
    expect(shownC.stdout).toContain(`change ${cancelled} failed: Cancelled`);
    refused(await runCli(['change', 'cancel', cancelled, ...q]), `change ${cancelled} has already ended (cancelled): nothing to cancel`);
    // A device workflow never started: the devices were never locked, let alone touched.
    await expect(client.workflow.getHandle(workflowIds.device(leafC)).describe()).rejects.toThrow();
  });

  it('change plan: the summary table first, then each device; --json the plan; a refused plan exits 1', async () => {
    const [a, spine, insync, problem] = devices('leaf41', 'spine41', 'leaf42-insync', 'leaf43-problem-warn');
    const plan = await runCli(['change', 'plan', '--skip-inventory-check', '--change-id', `plan-${tag}`, '--devices', [a, spine, insync, problem].join(','), '--canary', a, ...q]);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = plan.stdout.split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+ROLE\s+STATUS\s+WAVE\s+PATHS\s+SESSIONS\s+INTERFACES\s+DELETIONS\s+PROBLEMS\s+WARNINGS$/);
    expect(lines[1]).toMatch(new RegExp(`^${a}\\s+leaf\\s+changes\\s+0 \\(canary\\)\\s+\\+0 ~1 -0\\s+1\\s+1\\s+0\\s+0\\s+0$`));
    expect(lines[2]).toMatch(new RegExp(`^${spine}\\s+spine\\s+changes\\s+1\\s+`));
    expect(lines[3]).toMatch(new RegExp(`^${insync}\\s+leaf\\s+in-sync\\s+-\\s+\\+0 ~0 -0`));
    expect(lines[4]).toMatch(new RegExp(`^${problem}\\s+leaf\\s+changes\\s+2\\s+\\+0 ~1 -0\\s+1\\s+1\\s+0\\s+1\\s+1$`));
    expect(lines[5]).toBe('totals: 4 devices, 3 changed, 1 in sync; 3 waves; paths +0 ~3 -0; 0 deletions; 1 pre-existing problems; 1 warnings');
    expect(plan.stdout).toContain(`${a} (leaf, wave 0 (canary)): 0 added, 1 changed, 0 removed\n  ~ /interface[name=ethernet-1/1]/mtu\n  sessions affected: 10.0.0.1\n  interfaces affected: ethernet-1/1`);
    expect(plan.stdout).toContain(`${insync} (leaf): in sync, nothing to do`);
    expect(plan.stdout).toContain('  down before the change (reported, never a reason to roll back):\n    ethernet-1/2 is down');
    expect(plan.stdout).toContain('  warnings:\n    spine99 is outside this change');
    expect(await startedWith(`plan-${tag}`)).toMatchObject({ dryRun: true, reason: 'plan', devices: [a, spine, insync, problem] });

    const [json, refusedPlan] = await Promise.all([
      runCli(['change', 'plan', '--skip-inventory-check', '--devices', a, '--reason', 'preview', '--json', ...q]),
      runCli(['change', 'plan', '--skip-inventory-check', '--devices', a, '--reason', 'broken [explode]', ...q]),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ changeId: expect.stringMatching(/^plan-\d{8}-\d{6}-[0-9a-f]{6}$/), plan: [{ device: a, status: 'changes', wave: 1 }], totals: { devices: 1, changes: 1 } });
    expect(refusedPlan.code).toBe(1);
    expect(refusedPlan.stdout).toContain(`failed: IntentNotFound: no intended state for ${a}`);
  });

  it('start --wait exits 0 on success, 1 when a device was rolled back, 0 for a dry run (with its plan)', async () => {
    const [ok, bad, dry] = [`chg-ok-${tag}`, `chg-rb-${tag}`, `chg-dry-${tag}`];
    const [success, rolledBack, dryRun] = await Promise.all([
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', ok, '--devices', devices('leaf03').join(), '--reason', 'mtu', '--no-approval', '--wait', ...q]),
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', bad, '--devices', devices('leaf04', 'leaf05-rollback').join(), '--reason', 'mtu', '--no-approval', '--failure-budget', '1', '--wait', '--json', ...q]),
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', dry, '--device', devices('leaf06')[0], '--reason', 'preview', '--dry-run', '--wait', ...q]),
    ]);
    expect(success.code).toBe(0);
    expect(success.stdout).toContain(`change ${ok}: succeeded`);
    expect(success.stdout).toMatch(/DEVICE\s+OUTCOME\s+WAVE\s+BACKUP\s+DETAIL/);

    expect(rolledBack.code).toBe(1);
    // --json: one JSON document on stdout and nothing else.
    const result = JSON.parse(rolledBack.stdout);
    expect(result).toMatchObject({ changeId: bad, workflowId: workflowIds.change(bad), status: 'completed', result: { outcome: 'partially-failed' } });
    expect(result.result.devices).toEqual([
      expect.objectContaining({ device: `leaf04-${tag}`, outcome: 'deployed' }),
      expect.objectContaining({ device: `leaf05-rollback-${tag}`, outcome: 'rolled-back', reason: expect.stringContaining('expected established') }),
    ]);

    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).not.toContain('approval  waits');
    expect(dryRun.stdout).toContain(`change ${dry}: dry-run`);
    expect(dryRun.stdout).toMatch(new RegExp(`leaf06-${tag}\\s+leaf\\s+changes\\s+1\\s+\\+0 ~1 -0`));

    const human = await runCli(['change', 'show', bad, ...q]);
    expect(human.stdout).toContain(`change ${bad}: partially-failed`);
    expect(human.stdout).toMatch(new RegExp(`leaf05-rollback-${tag}\\s+rolled-back\\s+1\\s+[0-9a-f]{12}\\s+neighbor 10.0.0.1: session-state active`));
  });

  it('start --watch shows live progress from the start, then the result', async () => {
    const changeId = `chg-startwatch-${tag}`;
    const [leaf] = devices('leaf07');
    const run = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', leaf, '--reason', 'mtu', '--no-approval', '--watch', ...q]);
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out.indexOf(`started change ${changeId}`)).toBeLessThan(out.indexOf(`watching change ${changeId}`));
    expect(out).toContain('approval  not required');
    expect(out).toMatch(new RegExp(`${leaf}  (backup|deploy|validate-bgp)  running`));
    expect(out.indexOf(`wave 1  done  ${leaf}`)).toBeLessThan(out.indexOf(`change ${changeId}: succeeded`));
  });

  it('watch --json: a JSON line per progress change, then the outcome line, for scripts', async () => {
    const changeId = `chg-watchjson-${tag}`;
    const [leaf] = devices('leaf09');
    const start = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', leaf, '--reason', 'mtu', '--no-approval', ...q]);
    expect(start.code).toBe(0);
    const run = await runCli(['change', 'watch', changeId, '--json', ...q]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { event: string; changeId: string; progress?: { phase?: string }; result?: { outcome: string } });
    expect(events.length).toBeGreaterThan(1);
    expect(events.slice(0, -1).every((e) => e.event === 'progress' || e.event === 'note')).toBe(true);
    expect(events.some((e) => e.event === 'progress' && typeof e.progress?.phase === 'string')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'outcome', changeId, status: 'completed', result: { outcome: 'succeeded' } });
  });

  it('a failed change: --wait exits 1 with the failure type and message; show says the same', async () => {
    const changeId = `chg-fail-${tag}`;
    const [leaf] = devices('leaf99');
    const wait = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', leaf, '--reason', 'mtu [explode]', '--wait', ...q]);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`change ${changeId} failed: IntentNotFound: no intended state for ${leaf} in the source of truth`);

    const show = await runCli(['change', 'show', changeId, ...q]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+failed/);
    expect(show.stdout).toContain(`failed: IntentNotFound: no intended state for ${leaf}`);
    const json = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(json).toMatchObject({ status: 'failed', failure: { type: 'IntentNotFound', message: `no intended state for ${leaf} in the source of truth` } });

    // A change id names one change: it is not started again, even after it ended.
    const again = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', leaf, '--reason', 'retry', ...q]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`change id "${changeId}" is already taken`);
  });

  it('a change that failed after its devices ran (rollback failed) still shows every device', async () => {
    const changeId = `chg-rbfail-${tag}`;
    const [a, b] = devices('leaf10', 'leaf11-rollback');
    const wait = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--devices', `${a},${b}`, '--reason', 'mtu [rollback-failed]', '--no-approval', '--failure-budget', '1', '--wait', ...q]);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`change ${changeId} failed: RollbackFailed: change ${changeId}: the rollback failed`);
    expect(wait.stdout).toMatch(new RegExp(`${a}\\s+deployed`));
    expect(wait.stdout).toMatch(new RegExp(`${b}\\s+rolled-back`));
    const json = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(json).toMatchObject({ outcome: 'rollback-failed', failure: { type: 'RollbackFailed', result: { changeId, outcome: 'partially-failed' } } });
  });

  it('with no workflow worker, watch and show say progress is unavailable; watch ends with the change (terminated: exit 1)', async () => {
    const changeId = `chg-orphan-${tag}`;
    const nobody = ['--task-queue', `nobody-polls-${randomUUID()}`];
    const start = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', devices('leaf08')[0], '--reason', 'mtu', ...nobody]);
    expect(start.code).toBe(0);

    const watch = startCli(['change', 'watch', changeId, ...nobody]);
    const show = await runCli(['change', 'show', changeId, ...nobody]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+running/);
    expect(show.stdout).toContain('progress not available:');

    await watch.waitForOutput('progress not available yet:');
    await client.workflow.getHandle(workflowIds.change(changeId)).terminate('operator gave up: no worker');
    const watched = await watch.done;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain(`change ${changeId} failed: Terminated: operator gave up: no worker`);
    // Said once, not once a second.
    expect(watched.stdout.split('progress not available yet:').length - 1).toBe(1);
  });
});
