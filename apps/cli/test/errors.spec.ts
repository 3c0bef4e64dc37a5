/**
 * What an operator sees when something is wrong: a bad flag (exit 2, the
 * field named, nothing started), a Temporal that is not there (exit 3,
 * quickly, with the way out), an unknown change id or namespace (exit 2),
 * and --help on every command.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { temporalSettingsFromEnv, workflowIds } from '@synapse/contracts';
import { closedPort, runCli, startCli } from './cli';

describe('synapse: errors an operator can act on', () => {
  const temporal = temporalSettingsFromEnv();
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
  });

  async function expectNotStarted(changeId: string): Promise<void> {
    await expect(client.workflow.getHandle(workflowIds.change(changeId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  it('refuses a bad change request with exit 2, naming every bad field by flag, and starts nothing', async () => {
    const changeId = `chg-bad-${randomUUID()}`;
    const run = await runCli([
      'change', 'start', '--skip-inventory-check', '--change-id', changeId,
      '--device', 'leaf 01!', '--reason', '   ', '--concurrency', 'lots', '--settle-seconds', '99999', '--deletion-budget', '-1',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing was started');
    expect(run.stderr).toContain('devices.0 (--device/--devices): device name');
    expect(run.stderr).toContain('reason (--reason): a reason is required');
    expect(run.stderr).toContain('concurrency (--concurrency): not a number');
    expect(run.stderr).not.toMatch(/NaN|received/);
    expect(run.stderr).toContain('validation.settleTimeoutSeconds (--settle-seconds)');
    expect(run.stderr).toMatch(/deletionBudget \(--deletion-budget\): .*>=0/);
    expect(run.stdout).toBe('');
    await expectNotStarted(changeId);
  });

  it("refuses the issue's bad inputs in plain words, naming the flag, and starts no workflow (none listed)", async () => {
    const tag = randomUUID().slice(0, 8);
    const ids = { settle: `chg-nan-${tag}`, noScope: `drift-noscope-${tag}`, role: `drift-role-${tag}` };
    // No Infrahub here: each is refused from its flags alone, before any check that needs one.
    const [settle, noScope, role] = await Promise.all([
      runCli(['change', 'start', '--change-id', ids.settle, '--device', 'leaf01', '--reason', 'r', '--settle-seconds', 'abc']),
      runCli(['drift', 'run', '--drift-id', ids.noScope]),
      runCli(['drift', 'run', '--drift-id', ids.role, '--scope', 'role:router']),
    ]);
    expect(settle.stderr).toContain('validation.settleTimeoutSeconds (--settle-seconds): not a number');
    expect(noScope.stderr).toContain('--scope is required');
    expect(role.stderr).toContain('scope.role (--scope): not a device role');
    for (const run of [settle, noScope, role]) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).not.toMatch(/NaN|received|discriminator|Invalid input|Expected/);
    }
    const refused = [workflowIds.change(ids.settle), workflowIds.drift(ids.noScope), workflowIds.drift(ids.role)];
    for (const id of refused) await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const listed: string[] = [];
    for await (const workflow of client.workflow.list({ query: `WorkflowId IN (${refused.map((id) => `'${id}'`).join(', ')})` })) listed.push(workflow.workflowId);
    expect(listed).toEqual([]);
  });

  it('refuses bad rollout flags with exit 2, naming each by flag, and starts nothing', async () => {
    const changeId = `chg-badrollout-${randomUUID()}`;
    const base = ['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--devices', 'leaf01,leaf02', '--reason', 'mtu'];
    const [numbers, canary, both] = await Promise.all([
      runCli([
        ...base, '--canary-count', 'x', '--canary-role', 'router', '--soak', 'soon', '--failure-budget', '-1', '--failure-budget-percent', '150',
        '--on-budget-exceeded', 'panic', '--lock-timeout', '99999', '--approval-timeout', '0', '--wave-size', '0',
      ]),
      runCli([...base, '--canary', 'leaf09']),
      runCli([...base, '--wave-size', '5', '--wave-percent', '10']),
    ]);
    expect(numbers.code).toBe(2);
    for (const text of [
      'strategy.canary.count (--canary-count)', 'strategy.canary.role (--canary-role)', 'strategy.soakSeconds (--soak)', 'strategy.failureBudget.count (--failure-budget)',
      'strategy.failureBudget.percent (--failure-budget-percent)', 'strategy.onBudgetExceeded (--on-budget-exceeded)', 'lockTimeoutSeconds (--lock-timeout)',
      'approval.timeoutSeconds (--approval-timeout)', 'strategy.waveSize (--wave-size)',
    ]) expect(numbers.stderr).toContain(text);
    expect(canary.code).toBe(2);
    expect(canary.stderr).toContain("strategy.canary.devices.0 (--canary): canary leaf09 is not one of the change's devices");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/option '--wave-size <n>' cannot be used with option '--wave-percent <p>'/);
    expect(numbers.stdout + canary.stdout + both.stdout).toBe('');
    await expectNotStarted(changeId);
  });

  it('refuses an empty approver or operator before connecting, and an unknown change for every control', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const unknown = `chg-nobody-${randomUUID()}`;
    const [approve, abort, ...controls] = await Promise.all([
      runCli(['change', 'approve', 'chg-x', '--by', ' ', '--address', address]),
      runCli(['change', 'abort', 'chg-x', '--by', '', '--address', address]),
      ...['approve', 'reject', 'pause', 'resume', 'abort', 'cancel'].map((command) => runCli(['change', command, unknown, ...(command === 'cancel' ? [] : ['--by', 'bob'])])),
    ]);
    expect([approve.code, abort.code]).toEqual([2, 2]);
    expect(approve.stderr).toContain('--by: an approver is required');
    expect(abort.stderr).toContain('--by: who acts is required');
    for (const run of controls) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`unknown change id "${unknown}"`);
    }
  });

  it('refuses a device listed twice and a request without devices', async () => {
    const twice = `chg-twice-${randomUUID()}`;
    const duplicate = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', twice, '--devices', 'leaf01,leaf02', '--device', 'leaf01', '--reason', 'mtu']);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('devices.2 (--device/--devices): leaf01 is listed twice');
    await expectNotStarted(twice);

    const none = await runCli(['change', 'start', '--skip-inventory-check', '--reason', 'mtu', '--devices', ',']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('devices (--device/--devices): at least one device');
  });

  it('refuses a bad change id and an empty requester by flag', async () => {
    const run = await runCli(['change', 'start', '--skip-inventory-check', '--change-id', '-starts-with-dash', '--device', 'leaf01', '--reason', 'mtu', '--requester', ' ']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('changeId (--change-id): change id');
    expect(run.stderr).toContain('requester (--requester): a requester is required');
  });

  it('says quickly that Temporal is unreachable at a closed port, from the flag and from TEMPORAL_ADDRESS', async () => {
    const port = await closedPort();
    const address = `127.0.0.1:${port}`;
    const changeId = `chg-unreachable-${randomUUID()}`;
    const runs = await Promise.all([
      runCli(['change', 'start', '--skip-inventory-check', '--change-id', changeId, '--device', 'leaf01', '--reason', 'mtu', '--address', address]),
      runCli(['change', 'list'], { env: { TEMPORAL_ADDRESS: address } }),
      runCli(['change', 'show', 'chg-x'], { env: { TEMPORAL_ADDRESS: address } }),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`cannot reach Temporal at ${address}: connection refused — is \`npm start\` running, or set TEMPORAL_ADDRESS`);
      expect(run.durationMs).toBeLessThan(5_000);
    }
    await expectNotStarted(changeId);
  });

  it('gives up within seconds on something at the address that does not speak Temporal', async () => {
    // Accepts TCP and never answers: the case the TCP probe cannot settle, bounded by the connect timeout.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const run = await runCli(['change', 'list', '--address', address]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`cannot reach Temporal at ${address}:`);
      expect(run.stderr).toContain('TEMPORAL_ADDRESS');
      expect(run.durationMs).toBeLessThan(9_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a malformed address before trying to connect', async () => {
    const run = await runCli(['change', 'list', '--address', 'localhost']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TEMPORAL_ADDRESS: host:port');
  });

  it('says an unknown change id is unknown (show and watch) and an unknown namespace does not exist', async () => {
    const unknown = `chg-nobody-${randomUUID()}`;
    const [show, watch, namespace] = await Promise.all([
      runCli(['change', 'show', unknown]),
      runCli(['change', 'watch', unknown]),
      runCli(['change', 'list', '--namespace', `no-such-namespace-${randomUUID().slice(0, 8)}`]),
    ]);
    for (const run of [show, watch]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`unknown change id "${unknown}": no workflow change/${unknown} or emergency/${unknown} in namespace "${temporal.namespace}" at ${temporal.address}`);
    }
    expect(namespace.code).toBe(2);
    expect(namespace.stderr).toMatch(/namespace "no-such-namespace-\w+" does not exist/);
  });

  it('treats usage mistakes as bad input (exit 2): unknown option, missing argument, conflicting flags, bad limit', async () => {
    const runs = await Promise.all([
      runCli(['change', 'list', '--bogus']),
      runCli(['change', 'show']),
      runCli(['change', 'start', '--skip-inventory-check', '--device', 'leaf01', '--reason', 'x', '--wait', '--watch']),
      runCli(['change', 'list', '--limit', '0']),
      runCli(['change', 'list', '--status', 'sleeping']),
      runCli(['change']),
    ]);
    for (const run of runs) expect({ args: run.stderr.split('\n')[0], code: run.code }).toEqual({ args: expect.any(String), code: 2 });
    expect(runs[0].stderr).toContain("unknown option '--bogus'");
    expect(runs[1].stderr).toContain("missing required argument 'change-id'");
    expect(runs[2].stderr).toMatch(/option '--watch' cannot be used with option '--wait'|option '--wait' cannot be used with option '--watch'/);
    expect(runs[3].stderr).toContain('--limit: a whole number from 1 to 1000, got "0"');
    expect(runs[4].stderr).toContain("argument 'sleeping' is invalid");
  });

  it('ends quietly, exit 0, when whoever read its output has gone (synapse … | head -1)', async () => {
    // The reading end closed before the CLI writes a byte: every write meets EPIPE.
    const running = startCli(['change', '--help']);
    running.child.stdout!.destroy();
    const run = await running.done;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('has --help for every command, exiting 0', async () => {
    const commands: [string[], string[]][] = [
      [[], ['Usage: synapse', 'change', 'backups', 'config', 'emergency', 'TEMPORAL_ADDRESS', 'INFRAHUB_ADDRESS', 'Exit codes']],
      [['change'], ['Usage: synapse change', 'plan', 'start', 'approve', 'reject', 'pause', 'resume', 'abort', 'cancel', 'watch', 'show', 'list']],
      [
        ['change', 'start'],
        [
          'Usage: synapse change start', '--device <name>', '--devices <a,b,…>', '--reason', '--requester', '--ticket', '--branch', '--dry-run', '--concurrency', '--settle-seconds',
          '--deletion-budget', '--no-commit-confirmed', '--no-approval', '--approval-timeout <s>', '--canary <device>', '--canary-count <n>', '--canary-role <role>', '--wave-size <n>',
          '--wave-percent <p>', '--soak <s>', '--failure-budget <n>', '--failure-budget-percent <p>', '--on-budget-exceeded <action>', '--lock-timeout <s>', '--change-id', '--wait',
          '--watch', '--json', '--address', '--namespace', '--skip-inventory-check',
        ],
      ],
      [['change', 'plan'], ['Usage: synapse change plan', '--device <name>', '--canary <device>', '--wave-size <n>', '--json', 'first a table', 'nothing is touched']],
      [['change', 'approve'], ['Usage: synapse change approve [options] <change-id>', '--by <name>', '--comment <text>', 'self-approval']],
      [['change', 'reject'], ['Usage: synapse change reject [options] <change-id>', '--by <name>', '--comment <text>']],
      [['change', 'pause'], ['Usage: synapse change pause [options] <change-id>', '--by <name>', '--reason <text>']],
      [['change', 'resume'], ['Usage: synapse change resume [options] <change-id>', '--reason <text>']],
      [['change', 'abort'], ['Usage: synapse change abort [options] <change-id>', '--rollback', '--reason <text>']],
      [['change', 'cancel'], ['Usage: synapse change cancel [options] <change-id>', 'rolls back']],
      [['change', 'watch'], ['Usage: synapse change watch [options] <change-id>', 'progress', '--json', 'JSON Lines']],
      [['change', 'show'], ['Usage: synapse change show [options] <change-id>', '--json']],
      [['change', 'list'], ['Usage: synapse change list', '--device', '--kind', '--outcome', '--limit', "SynapseDevices = 'leaf01'", 'OUTCOME', "SynapseOutcome = 'rolled-back'"]],
      [['drift'], ['Usage: synapse drift', 'run', 'list', 'report', 'schedule']],
      [['drift', 'run'], ['Usage: synapse drift run', '--no-approval', '--max-remediations <n>']],
      [['drift', 'list'], ['Usage: synapse drift list', '--status', '--limit']],
      [['emergency', 'revert'], ['Usage: synapse emergency revert [options] <change-id>', '--by <name>', '--reason <text>', '--revert-after']],
      [['config'], ['Usage: synapse config', 'intended', 'running', 'diff']],
      [['config', 'intended'], ['Usage: synapse config intended [options] <device>', '--branch <name>', '--json', '--skip-inventory-check']],
      [['config', 'running'], ['Usage: synapse config running [options] <device>', 'no device credentials', '--json']],
      [['config', 'diff'], ['Usage: synapse config diff [options] <device>', 'intended -> running', '--branch <name>', 'Exit code (like diff)']],
      [['backups'], ['Usage: synapse backups', 'list', 'diff']],
      [['backups', 'list'], ['Usage: synapse backups list [options] <device>', '--dir', 'SYNAPSE_BACKUP_DIR']],
      [['backups', 'diff'], ['Usage: synapse backups diff [options] <device> <from> <to>', '--unified', 'latest~N']],
    ];
    const runs = await Promise.all(commands.map(([args]) => runCli([...args, '--help'])));
    runs.forEach((run, i) => {
      expect({ command: commands[i][0].join(' '), code: run.code }).toEqual({ command: commands[i][0].join(' '), code: 0 });
      for (const text of commands[i][1]) expect(run.stdout).toContain(text);
    });
    // The task-queue override is for tests and multi-tenant setups, not everyday use.
    expect(runs[2].stdout).not.toContain('--task-queue');
    expect(runs[2].stdout).toContain('Usage: synapse change start');
  });
});
