import { CancelledFailure } from '@temporalio/common';
import { arrangeDeployed, expected, failureOf, rendered, resultOf, runActivity, sleep, startTestLab, type TestLab } from './lab';

const SETTLE_S = 0.8;

const bgpInput = (settleTimeoutSeconds = SETTLE_S) => ({ device: 'leaf01', neighbors: expected('leaf01').neighbors, settleTimeoutSeconds });
const interfacesInput = (settleTimeoutSeconds = SETTLE_S) => ({ device: 'leaf01', interfaces: expected('leaf01').interfaces, settleTimeoutSeconds });

describe('validateBgp and validateInterfaces: the device reaches its intended state, or the result says why not', () => {
  let lab: TestLab;

  beforeEach(async () => {
    lab = await startTestLab({ timeoutMs: 1500 });
  });

  afterEach(async () => {
    await lab.stop();
  });

  it('pass once the fabric is deployed: every neighbor established, every interface up', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
    const bgp = resultOf(await runActivity(lab.activities.validateBgp, [bgpInput(10)]));
    expect(bgp).toMatchObject({ device: 'leaf01', kind: 'bgp', passed: true });
    expect(bgp.checks).toEqual([
      { subject: 'neighbor 10.0.0.0', expected: 'session-state established, peer-as 65000', actual: 'session-state established, peer-as 65000', ok: true },
      { subject: 'neighbor 10.0.0.4', expected: 'session-state established, peer-as 65000', actual: 'session-state established, peer-as 65000', ok: true },
    ]);
    const interfaces = resultOf(await runActivity(lab.activities.validateInterfaces, [interfacesInput(10)]));
    expect(interfaces).toMatchObject({ kind: 'interfaces', passed: true });
    expect(interfaces.checks.map((c) => [c.subject, c.ok])).toEqual([
      ['interface ethernet-1/49', true],
      ['interface ethernet-1/50', true],
      ['interface system0', true],
    ]);
  });

  it('waits for sessions that come up during the settle window, reacting to the change rather than to a poll', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const validation = runActivity(lab.activities.validateBgp, [bgpInput(10)]);
    await sleep(400);
    await arrangeDeployed(lab, 'spine01');
    const run = await validation;
    const result = resultOf(run);
    expect(result.passed).toBe(true);
    // Established ~100 ms (convergence) after the spine's config: well before the 10 s window.
    expect(result.durationMs).toBeGreaterThanOrEqual(400);
    expect(result.durationMs).toBeLessThan(5000);
    expect(run.heartbeats[0]).toMatchObject({ kind: 'bgp', device: 'leaf01', total: 2 });
  });

  it('BGP held down: each failing neighbor is named with its state after the settle time, and the window is respected', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
    lab.sim.faults('leaf01').set({ holdBgpDown: true });
    const started = Date.now();
    const run = await runActivity(lab.activities.validateBgp, [bgpInput()]);
    const elapsed = Date.now() - started;
    const result = resultOf(run);
    expect(result.passed).toBe(false);
    expect(result.checks.map((c) => c.reason)).toEqual([
      expect.stringMatching(/^neighbor 10\.0\.0\.0: session-state (active|idle|connect), expected established after 0\.8 s$/),
      expect.stringMatching(/^neighbor 10\.0\.0\.4: session-state (active|idle|connect), expected established after 0\.8 s$/),
    ]);
    expect(result.durationMs).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeGreaterThanOrEqual(800);
    // Generous for a loaded 2-core machine, far below a window that was not respected.
    expect(elapsed).toBeLessThan(4000);
    // Heartbeats every 100 ms while waiting, each saying what is still pending.
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(5);
    expect(run.heartbeats[run.heartbeats.length - 1]).toMatchObject({ observing: true, satisfied: 0, total: 2, pending: ['neighbor 10.0.0.0', 'neighbor 10.0.0.4'] });
  });

  it('a wrong peer-as never establishes: the neighbor is named with both what the session and the config show', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf02');
    const wrong = JSON.parse(JSON.stringify(rendered('leaf01')).replace(/"peer-as":65000/g, '"peer-as":65099')) as Record<string, unknown>;
    await lab.admin.leaf01.set({ replace: Object.entries(wrong).map(([path, value]) => ({ path, value })) });
    const result = resultOf(await runActivity(lab.activities.validateBgp, [bgpInput()]));
    expect(result.passed).toBe(false);
    expect(result.checks[0]).toMatchObject({
      subject: 'neighbor 10.0.0.0',
      actual: expect.stringMatching(/^session-state \w+, peer-as 65099$/),
      ok: false,
      reason: expect.stringMatching(/^neighbor 10\.0\.0\.0: session-state \w+, expected established; peer-as 65099, expected 65000 after 0\.8 s$/),
    });
  });

  it('a neighbor the device does not have is reported as not configured', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01');
    const result = resultOf(await runActivity(lab.activities.validateBgp, [{ ...bgpInput(), neighbors: [...expected('leaf01').neighbors, { peerAddress: '10.0.0.99' }] }]));
    expect(result.passed).toBe(false);
    expect(result.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({ subject: 'neighbor 10.0.0.99', reason: 'neighbor 10.0.0.99: not configured in network-instance default after 0.8 s' }),
    ]);
  });

  it('an interface whose far end is not configured stays down and is named', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const result = resultOf(await runActivity(lab.activities.validateInterfaces, [interfacesInput()]));
    expect(result.passed).toBe(false);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.reason)).toEqual([
      'interface ethernet-1/49: oper-state down, expected up after 0.8 s',
      'interface ethernet-1/50: oper-state down, expected up after 0.8 s',
    ]);
    expect(result.checks.find((c) => c.subject === 'interface system0')).toMatchObject({ ok: true });
  });

  it('an interface that flaps back up within the settle window passes', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01');
    lab.sim.faults('leaf01').flapInterface('ethernet-1/49', 500);
    const result = resultOf(await runActivity(lab.activities.validateInterfaces, [interfacesInput(5)]));
    expect(result.passed).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
  });

  it('an interface missing from the device, or admin-disabled against the intent, is named with what is wrong', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01');
    await lab.admin.leaf01.set({ update: [{ path: '/interface[name=ethernet-1/50]/admin-state', value: 'disable' }] });
    const result = resultOf(
      await runActivity(lab.activities.validateInterfaces, [
        { ...interfacesInput(0.3), interfaces: [...expected('leaf01').interfaces, { name: 'ethernet-1/7', adminState: 'enable', operState: 'up' }] },
      ]),
    );
    expect(result.checks.filter((c) => !c.ok).map((c) => c.reason)).toEqual([
      'interface ethernet-1/50: admin-state disable, expected enable; oper-state down, expected up after 0.3 s',
      'interface ethernet-1/7: not present on the device after 0.3 s',
    ]);
  });

  it('honours cancellation: the activity ends with CancelledFailure at once instead of waiting out the window', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const started = Date.now();
    const run = await runActivity(lab.activities.validateBgp, [bgpInput(30)], {}, (env) => {
      setTimeout(() => env.cancel(), 300);
    });
    expect(run.error).toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run.heartbeats.length).toBeGreaterThanOrEqual(2);
  });

  it('a retry keeps the settle window of the first attempt (from its heartbeat) instead of starting a new one', async () => {
    await arrangeDeployed(lab, 'leaf01');
    const started = Date.now();
    const run = await runActivity(lab.activities.validateBgp, [bgpInput(20)], { attempt: 2, heartbeatDetails: { startedAtMs: Date.now() - 19_700 } });
    const result = resultOf(run);
    expect(result.passed).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.durationMs).toBeGreaterThanOrEqual(20_000);
    expect(run.heartbeats[0]).toMatchObject({ startedAtMs: expect.any(Number) });
  });

  it('a device restart during validation: the subscription is re-opened and the sessions that come back are seen', async () => {
    await arrangeDeployed(lab, 'spine01', 'leaf01', 'leaf02');
    lab.sim.faults('leaf01').set({ holdBgpDown: true });
    const validation = runActivity(lab.activities.validateBgp, [bgpInput(8)]);
    await sleep(300);
    await lab.sim.faults('leaf01').restart(200);
    lab.sim.faults('leaf01').set({ holdBgpDown: false });
    const run = await validation;
    expect(resultOf(run).passed).toBe(true);
    // It was observing, lost the device for the restart, and observed again.
    const observing = run.heartbeats.map((h) => (h as { observing: boolean }).observing);
    expect(observing.indexOf(false, observing.indexOf(true))).toBeGreaterThan(0);
  });

  it('a device that cannot be observed fails retryably (DeviceUnreachable) rather than judging from no state', async () => {
    lab.sim.faults('leaf01').set({ refuseConnections: true });
    const failure = failureOf(await runActivity(lab.activities.validateInterfaces, [interfacesInput(0.5)]));
    expect(failure.type).toBe('DeviceUnreachable');
    expect(failure.nonRetryable).toBe(false);
  });

  it('nothing expected passes at once, and a malformed expectation is refused naming the field', async () => {
    expect(resultOf(await runActivity(lab.activities.validateBgp, [{ device: 'leaf01', neighbors: [], settleTimeoutSeconds: 5 }]))).toMatchObject({ passed: true, checks: [] });
    const failure = failureOf(await runActivity(lab.activities.validateInterfaces, [{ device: 'leaf01', interfaces: [{ name: 'ethernet-1/49', adminState: 'on', operState: 'up' }], settleTimeoutSeconds: 5 } as never]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toMatch(/interfaces\.0\.adminState/);
  });
});
