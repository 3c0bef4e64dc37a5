/**
 * A change's life through the CLI on a real Temporal server: start, show
 * while it runs, find it with list, watch it finish, show the result; the
 * failure paths (a rolled-back device, a failed workflow, a reused change
 * id, no workflow worker) with the exit codes scripts rely on.
 *
 * The workflow is a stand-in with the real one's contract (test/workflows),
 * registered as NetworkChangeWorkflow on this file's own task queue, which
 * the CLI is pointed at with its hidden --task-queue.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ChangeRequest, temporalSettingsFromEnv, workflowIds, type ChangeResult } from '@synapse/contracts';
import { startStandInWorker, type StandInWorker } from './stand-in-worker';
import { eventually, runCli, startCli } from './cli';
import { releaseSignal } from './workflows/stand-in-change';


describe('synapse change: start, show, list, watch against a NetworkChangeWorkflow', () => {
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

  it('starts a change, shows its progress, lists it by device, watches it finish and shows the result', async () => {
    const changeId = `chg-life-${tag}`;
    const [leafA, leafB] = devices('leaf01', 'leaf02');
    const start = await runCli([
      'change', 'start', '--change-id', changeId, '--device', leafA, '--devices', leafB,
      '--reason', 'MTU 9214 on fabric links [hold]', '--ticket', 'NET-1', '--settle-seconds', '30', '--no-commit-confirmed', '--concurrency', '2', ...q,
    ]);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain(`started change ${changeId} on ${leafA}, ${leafB}`);
    expect(start.stdout).toContain(`synapse change watch ${changeId}`);
    const [, port] = temporal.address.split(':');
    expect(start.stdout).toContain(`:${Number(port) + 1000}/namespaces/${temporal.namespace}/workflows/change%2F${changeId}`);

    // The workflow got the request as contracts define it, defaults filled in, requester from $USER.
    expect(await startedWith(changeId)).toEqual({
      changeId, devices: [leafA, leafB], reason: 'MTU 9214 on fabric links [hold]', requester: 'alice', ticket: 'NET-1',
      dryRun: false, concurrency: 2, validation: { settleTimeoutSeconds: 30, commitConfirmed: false }, deletionBudget: 10,
    });

    // Held: running, every device queued.
    const show = await runCli(['change', 'show', changeId, ...q]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+running/);
    expect(show.stdout).toMatch(/requester\s+alice/);
    expect(show.stdout).toMatch(/reason\s+MTU 9214 on fabric links \[hold\]/);
    expect(show.stdout).toMatch(/ticket\s+NET-1/);
    expect(show.stdout).toMatch(new RegExp(`${leafA}\\s+queued\\s+pending`));
    const showJson = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(showJson).toMatchObject({ changeId, status: 'running', requester: 'alice', devices: [leafA, leafB], progress: { changeId }, request: { ticket: 'NET-1', concurrency: 2 } });
    expect(showJson.progress.devices.map((d: { state: string }) => d.state)).toEqual(['pending', 'pending']);

    // Found by device, as in the Temporal UI; another device's changes do not show it.
    const listed = await eventually(
      () => runCli(['change', 'list', '--device', leafB, '--json', ...q]),
      (run) => run.code === 0 && JSON.parse(run.stdout).length > 0,
    );
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ changeId, workflowId: workflowIds.change(changeId), status: 'running', requester: 'alice', devices: [leafA, leafB] }),
    ]);
    const table = await runCli(['change', 'list', '--device', leafA, ...q]);
    expect(table.stdout).toMatch(/^CHANGE\s+STATUS\s+STARTED\s+REQUESTER\s+DEVICES/);
    expect(table.stdout).toMatch(new RegExp(`${changeId}\\s+running\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+alice\\s+${leafA},${leafB}`));
    const other = await runCli(['change', 'list', '--device', `spine99-${tag}`, ...q]);
    expect(other.stdout.trim()).toBe(`no changes on spine99-${tag}`);

    // Watch from before the release to the end: every device's steps as they happen, then the result.
    const watch = startCli(['change', 'watch', changeId, ...q]);
    await watch.waitForOutput(`${leafB}  queued  pending`);
    await client.workflow.getHandle(workflowIds.change(changeId)).signal(releaseSignal);
    const watched = await watch.done;
    expect(watched.code).toBe(0);
    const lines = watched.stdout.split('\n');
    for (const device of [leafA, leafB]) {
      const seen = lines.filter((line) => line.startsWith(`${device}  `));
      expect(seen.some((line) => / (backup|deploy|validate-bgp)  running/.test(line))).toBe(true);
      expect(seen.at(-1)).toBe(`${device}  done  succeeded`);
      // Not a TTY: a line only when something changed.
      seen.slice(1).forEach((line, i) => expect(line).not.toBe(seen[i]));
    }
    expect(watched.stdout).toContain(`change ${changeId}: succeeded`);
    expect(watched.stdout).toMatch(new RegExp(`${leafA}\\s+deployed\\s+-\\s+1 changed, 0 added, 0 removed`));

    const after = await runCli(['change', 'show', changeId, ...q]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/status\s+completed/);
    expect(after.stdout).toContain(`change ${changeId}: succeeded`);
    const afterJson = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(afterJson).toMatchObject({ status: 'completed', result: { changeId, outcome: 'succeeded' } });
    expect(afterJson.result.devices.map((d: ChangeResult['devices'][number]) => d.outcome)).toEqual(['deployed', 'deployed']);
  });

  it('start --wait exits 0 on success, 1 when a device was rolled back, 0 for a dry run', async () => {
    const [ok, bad, dry] = [`chg-ok-${tag}`, `chg-rb-${tag}`, `chg-dry-${tag}`];
    const [success, rolledBack, dryRun] = await Promise.all([
      runCli(['change', 'start', '--change-id', ok, '--devices', devices('leaf03').join(), '--reason', 'mtu', '--wait', ...q]),
      runCli(['change', 'start', '--change-id', bad, '--devices', devices('leaf04', 'leaf05-rollback').join(), '--reason', 'mtu', '--wait', '--json', ...q]),
      runCli(['change', 'start', '--change-id', dry, '--device', devices('leaf06')[0], '--reason', 'preview', '--dry-run', '--wait', '--json', ...q]),
    ]);
    expect(success.code).toBe(0);
    expect(success.stdout).toContain(`change ${ok}: succeeded`);
    expect(success.stdout).toMatch(/DEVICE\s+OUTCOME\s+BACKUP\s+DETAIL/);

    expect(rolledBack.code).toBe(1);
    // --json: one JSON document on stdout and nothing else.
    const result = JSON.parse(rolledBack.stdout);
    expect(result).toMatchObject({ changeId: bad, workflowId: workflowIds.change(bad), status: 'completed', result: { outcome: 'partially-failed' } });
    expect(result.result.devices).toEqual([
      expect.objectContaining({ device: `leaf04-${tag}`, outcome: 'deployed' }),
      expect.objectContaining({ device: `leaf05-rollback-${tag}`, outcome: 'rolled-back', reason: expect.stringContaining('expected established') }),
    ]);

    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ request: { dryRun: true }, result: { outcome: 'dry-run', devices: [{ outcome: 'dry-run' }] } });

    const human = await runCli(['change', 'show', bad, ...q]);
    expect(human.stdout).toContain(`change ${bad}: partially-failed`);
    expect(human.stdout).toMatch(new RegExp(`leaf05-rollback-${tag}\\s+rolled-back\\s+-\\s+neighbor 10.0.0.1: session-state active`));
  });

  it('start --watch shows live progress from the start, then the result', async () => {
    const changeId = `chg-startwatch-${tag}`;
    const [leaf] = devices('leaf07');
    const run = startCli(['change', 'start', '--change-id', changeId, '--device', leaf, '--reason', 'mtu [hold]', '--watch', ...q]);
    await run.waitForOutput(`${leaf}  queued  pending`);
    await client.workflow.getHandle(workflowIds.change(changeId)).signal(releaseSignal);
    const done = await run.done;
    expect(done.code).toBe(0);
    const out = done.stdout;
    expect(out.indexOf(`started change ${changeId}`)).toBeLessThan(out.indexOf(`watching change ${changeId}`));
    expect(out).toMatch(new RegExp(`${leaf}  (backup|deploy|validate-bgp)  running`));
    expect(out.indexOf(`${leaf}  done  succeeded`)).toBeLessThan(out.indexOf(`change ${changeId}: succeeded`));
  });

  it('a failed change: --wait exits 1 with the failure type and message; show says the same', async () => {
    const changeId = `chg-fail-${tag}`;
    const [leaf] = devices('leaf99');
    const wait = await runCli(['change', 'start', '--change-id', changeId, '--device', leaf, '--reason', 'mtu [explode]', '--wait', ...q]);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`change ${changeId} failed: IntentNotFound: no intended state for ${leaf} in the source of truth`);

    const show = await runCli(['change', 'show', changeId, ...q]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+failed/);
    expect(show.stdout).toContain(`failed: IntentNotFound: no intended state for ${leaf}`);
    const json = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(json).toMatchObject({ status: 'failed', failure: { type: 'IntentNotFound', message: `no intended state for ${leaf} in the source of truth` } });

    // A change id names one change: it is not started again, even after it ended.
    const again = await runCli(['change', 'start', '--change-id', changeId, '--device', leaf, '--reason', 'retry', ...q]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`change id "${changeId}" is already taken`);
  });

  it('a change that failed after its devices ran (rollback failed) still shows every device', async () => {
    const changeId = `chg-rbfail-${tag}`;
    const [a, b] = devices('leaf10', 'leaf11-rollback');
    const wait = await runCli(['change', 'start', '--change-id', changeId, '--devices', `${a},${b}`, '--reason', 'mtu [rollback-failed]', '--wait', ...q]);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`change ${changeId} failed: RollbackFailed: change ${changeId}: the rollback failed`);
    expect(wait.stdout).toMatch(new RegExp(`${a}\\s+deployed`));
    expect(wait.stdout).toMatch(new RegExp(`${b}\\s+rolled-back`));
    const json = JSON.parse((await runCli(['change', 'show', changeId, '--json', ...q])).stdout);
    expect(json.failure).toMatchObject({ type: 'RollbackFailed', result: { changeId, outcome: 'partially-failed' } });
  });

  it('with no workflow worker, watch and show say progress is unavailable; watch ends with the change (terminated: exit 1)', async () => {
    const changeId = `chg-orphan-${tag}`;
    const nobody = ['--task-queue', `nobody-polls-${randomUUID()}`];
    const start = await runCli(['change', 'start', '--change-id', changeId, '--device', devices('leaf08')[0], '--reason', 'mtu', ...nobody]);
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
