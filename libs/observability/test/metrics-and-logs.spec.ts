import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '@synapse/temporal-tools';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { WORKFLOW_INTERCEPTORS_MODULE } from '../src';
import type { DeviceChangeWorkflow, DriftRemediationWorkflow, EmergencyChangeWorkflow, NetworkChangeWorkflow } from './fixtures/workflows';
import { scrape, total } from './prometheus';
import { bundleFixtureWorkflows, FIXTURES, startWorkerChild, temporalAddress, temporalNamespace, writeBundle, type WorkerChild } from './worker-child';

/**
 * A worker process set up by installRuntime, with the interceptors, runs
 * workflows and activities named like the product's; what an operator
 * scrapes from its /metrics and reads in its stdout is checked here.
 */
describe('a worker process with metrics and JSON logs', () => {
  let dir: string;
  let bundlePath: string;
  let connection: Connection;
  let client: Client;
  const children: WorkerChild[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'observability-'));
    bundlePath = writeBundle(await bundleFixtureWorkflows(WORKFLOW_INTERCEPTORS_MODULE), path.join(dir, 'workflow-bundle.js'));
    connection = await Connection.connect({ address: temporalAddress() });
    client = new Client({ connection, namespace: temporalNamespace() });
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  afterAll(async () => {
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function worker(env: Record<string, string>): Promise<{ child: WorkerChild; taskQueue: string }> {
    const taskQueue = `observability-${randomUUID()}`;
    const child = await startWorkerChild({ FIXTURE_TASK_QUEUE: taskQueue, FIXTURE_WORKFLOW_BUNDLE: bundlePath, ...env });
    children.push(child);
    return { child, taskQueue };
  }

  it('serves the SDK metrics and the product metrics, counted once per change even when every workflow task replays', async () => {
    const metricsAddress = `127.0.0.1:${await findFreePort()}`;
    // No workflow cache: each workflow task replays the history from the start, so the
    // interceptors run again for every task; only the SDK's replay guard keeps counts right.
    const { taskQueue } = await worker({ SYNAPSE_METRICS_ADDRESS: metricsAddress, FIXTURE_MAX_CACHED_WORKFLOWS: '0' });
    const options = { taskQueue, workflowExecutionTimeout: '60 seconds' };

    await expect(
      client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
        ...options,
        workflowId: `change/m1-${randomUUID()}`,
        args: [{ changeId: 'm1', devices: ['leaf01', 'leaf02'] }],
      }),
    ).resolves.toEqual({ changeId: 'm1', outcome: 'succeeded' });
    await client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
      ...options,
      workflowId: `change/m2-${randomUUID()}`,
      args: [{ changeId: 'm2', devices: ['spine01'] }],
    });
    await expect(
      client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
        ...options,
        workflowId: `change/m3-${randomUUID()}`,
        args: [{ changeId: 'm3', devices: ['leaf03'], fail: true }],
      }),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(
      client.workflow.execute<typeof DeviceChangeWorkflow>('DeviceChangeWorkflow', {
        ...options,
        workflowId: `device/leaf01-${randomUUID()}`,
        args: [{ changeId: 'm4', device: 'leaf01', kind: 'emergency' }],
      }),
    ).resolves.toEqual({ device: 'leaf01', outcome: 'rolled-back' });
    await client.workflow.execute<typeof DriftRemediationWorkflow>('DriftRemediationWorkflow', {
      ...options,
      workflowId: `drift/d1-${randomUUID()}`,
      args: [{ driftId: 'd1', devices: ['a1', 'a2', 'a3', 'a4', 'a5'] }],
    });

    const emergency = await client.workflow.start<typeof EmergencyChangeWorkflow>('EmergencyChangeWorkflow', {
      ...options,
      workflowId: `change/e1-${randomUUID()}`,
      args: [{ changeId: 'e1', devices: ['leaf01'] }],
    });
    await emergency.cancel();
    const cancelled = await emergency.result().catch((err: unknown) => err);
    expect(cancelled).toBeInstanceOf(WorkflowFailedError);
    expect((cancelled as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

    const { text, samples } = await scrape(metricsAddress);
    // The SDK's own runtime metrics, from the same endpoint.
    expect(text).toMatch(/^temporal_workflow_completed\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
    expect(text).toMatch(/^temporal_num_pollers\{/m);

    expect(total(samples, 'synapse_changes_started_total', { kind: 'standard', taskQueue })).toBe(3);
    expect(total(samples, 'synapse_changes_finished_total', { kind: 'standard', outcome: 'succeeded' })).toBe(2);
    expect(total(samples, 'synapse_changes_finished_total', { kind: 'standard', outcome: 'failed' })).toBe(1);
    expect(total(samples, 'synapse_changes_started_total', { kind: 'drift-remediation' })).toBe(1);
    expect(total(samples, 'synapse_changes_finished_total', { kind: 'drift-remediation', outcome: 'completed' })).toBe(1);
    expect(total(samples, 'synapse_changes_started_total', { kind: 'emergency' })).toBe(1);
    expect(total(samples, 'synapse_changes_finished_total', { kind: 'emergency', outcome: 'cancelled' })).toBe(1);
    expect(total(samples, 'synapse_changes_finished_total', { kind: 'emergency' })).toBe(1);
    expect(total(samples, 'synapse_device_changes_total', { kind: 'emergency', outcome: 'rolled-back', workflowType: 'DeviceChangeWorkflow' })).toBe(1);
    expect(total(samples, 'synapse_device_changes_total')).toBe(1);

    expect(total(samples, 'synapse_validation_duration_seconds_count', { check: 'bgp', outcome: 'passed', activityType: 'validateBgp' })).toBe(4);
    const seconds = total(samples, 'synapse_validation_duration_seconds_sum', { check: 'bgp' }) ?? 0;
    // Each fixture validation waits 20 ms: the histogram is in seconds, not milliseconds.
    expect(seconds).toBeGreaterThan(0.06);
    expect(seconds).toBeLessThan(10);
    expect(total(samples, 'synapse_validation_duration_seconds_bucket', { check: 'bgp', le: '600' })).toBe(5);
    // validateAndConfirm records each of its checks with that check's own outcome and settle time.
    expect(total(samples, 'synapse_validation_duration_seconds_count', { check: 'bgp', outcome: 'passed', activityType: 'validateAndConfirm' })).toBe(1);
    expect(total(samples, 'synapse_validation_duration_seconds_count', { check: 'interfaces', outcome: 'failed', activityType: 'validateAndConfirm' })).toBe(1);
    expect(total(samples, 'synapse_validation_duration_seconds_sum', { check: 'interfaces', activityType: 'validateAndConfirm' })).toBeCloseTo(0.04, 5);

    expect(total(samples, 'synapse_gnmi_errors_total', { code: 'UNAVAILABLE', error_type: 'DeviceUnreachable', operation: 'Set', activityType: 'deployConfig' })).toBe(1);
    expect(total(samples, 'synapse_gnmi_errors_total')).toBe(1);

    expect(total(samples, 'synapse_drift_devices_found_total')).toBe(2);
    expect(total(samples, 'synapse_drift_devices_checked_total', { status: 'drifted' })).toBe(2);
    expect(total(samples, 'synapse_drift_devices_checked_total', { status: 'in-sync' })).toBe(2);
    expect(total(samples, 'synapse_drift_devices_checked_total', { status: 'unreachable' })).toBe(1);
  });

  it('writes one JSON object per stdout line, with the workflow id, and the change id and device the input had', async () => {
    const { child, taskQueue } = await worker({ SYNAPSE_LOG_LEVEL: 'info' });
    const changeWorkflowId = `change/l1-${randomUUID()}`;
    const deviceWorkflowId = `device/leaf01-${randomUUID()}`;
    const failingWorkflowId = `change/l3-${randomUUID()}`;
    const options = { taskQueue, workflowExecutionTimeout: '60 seconds' };
    await client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
      ...options,
      workflowId: changeWorkflowId,
      args: [{ changeId: 'l1', devices: ['leaf01', 'leaf02'] }],
    });
    await client.workflow.execute<typeof DeviceChangeWorkflow>('DeviceChangeWorkflow', {
      ...options,
      workflowId: deviceWorkflowId,
      args: [{ changeId: 'l2', device: 'leaf01' }],
    });
    await expect(
      client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
        ...options,
        workflowId: failingWorkflowId,
        args: [{ changeId: 'l3', devices: ['spine01'], fail: true }],
      }),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
    await child.waitFor((r) => r.message === 'Workflow failed' && r.workflowId === failingWorkflowId, 'the failed workflow logged');

    // Every line is JSON, the ready line included; log lines share one shape.
    for (const line of child.lines()) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const logs = child.records().filter((r) => r !== child.ready);
    expect(logs.length).toBeGreaterThan(5);
    for (const log of logs) {
      expect(log).toEqual(expect.objectContaining({ app: 'fixture-worker', level: expect.stringMatching(/^(debug|info|warn|error)$/), message: expect.any(String) }));
      expect(new Date(String(log.time)).toISOString()).toBe(log.time);
    }

    const fromCode = logs.filter((r) => r.sdkComponent === 'workflow' || r.sdkComponent === 'activity');
    for (const log of fromCode) expect(log.workflowId).toEqual(expect.any(String));

    // The change workflow's own lines: its change id and devices.
    const changeLines = fromCode.filter((r) => r.workflowId === changeWorkflowId && r.sdkComponent === 'workflow');
    expect(changeLines.map((r) => r.message)).toEqual(['change started', 'device validated', 'device validated']);
    for (const log of changeLines) expect(log).toEqual(expect.objectContaining({ changeId: 'l1', devices: ['leaf01', 'leaf02'] }));
    // Its validateBgp activities were given a device and no change id: the lines say exactly that.
    const validationLines = fromCode.filter((r) => r.workflowId === changeWorkflowId && r.sdkComponent === 'activity');
    expect(validationLines.map((r) => [r.message, r.activityType, r.device])).toEqual([
      ['checking BGP neighbors', 'validateBgp', 'leaf01'],
      ['checking BGP neighbors', 'validateBgp', 'leaf02'],
    ]);
    for (const log of validationLines) expect(log).not.toHaveProperty('changeId');

    // The device workflow: its code, its activity and the SDK's failure line all name change and device.
    const deviceLines = logs.filter((r) => r.workflowId === deviceWorkflowId);
    expect(deviceLines.map((r) => r.message)).toEqual(expect.arrayContaining(['deploying', 'Activity failed', 'deploy failed, rolling back']));
    for (const log of deviceLines.filter((r) => r.sdkComponent !== 'worker' || r.message === 'Activity failed')) {
      expect(log).toEqual(expect.objectContaining({ changeId: 'l2', device: 'leaf01' }));
    }
    const activityFailed = deviceLines.find((r) => r.message === 'Activity failed');
    expect(activityFailed).toEqual(
      expect.objectContaining({
        level: 'warn',
        activityType: 'deployConfig',
        error: expect.objectContaining({ type: 'DeviceUnreachable', nonRetryable: false, message: expect.stringContaining('UNAVAILABLE') }),
      }),
    );

    // The SDK's line for a failed workflow is emitted after the input was read: it carries the change too.
    const workflowFailed = logs.find((r) => r.message === 'Workflow failed' && r.workflowId === failingWorkflowId);
    expect(workflowFailed).toEqual(expect.objectContaining({ level: 'warn', changeId: 'l3', devices: ['spine01'] }));
  });

  it('drops lines below SYNAPSE_LOG_LEVEL', async () => {
    const { child, taskQueue } = await worker({ SYNAPSE_LOG_LEVEL: 'warn' });
    const workflowId = `device/leaf02-${randomUUID()}`;
    await client.workflow.execute<typeof DeviceChangeWorkflow>('DeviceChangeWorkflow', {
      taskQueue,
      workflowId,
      workflowExecutionTimeout: '60 seconds',
      args: [{ changeId: 'w1', device: 'leaf02' }],
    });
    await child.waitFor((r) => r.message === 'deploy failed, rolling back' && r.workflowId === workflowId, 'the workflow warning');
    const logs = child.records().filter((r) => r !== child.ready);
    expect(logs.map((r) => r.level)).not.toContain('info');
    expect(logs.map((r) => r.level)).not.toContain('debug');
    // The activity's info line ('deploying') is gone; its failure (a warning) is not.
    expect(logs.map((r) => r.message)).not.toContain('deploying');
    expect(logs).toContainEqual(expect.objectContaining({ message: 'Activity failed', level: 'warn', changeId: 'w1', device: 'leaf02' }));
  });

  it('writes readable lines with SYNAPSE_LOG_FORMAT=text', async () => {
    const { child, taskQueue } = await worker({ SYNAPSE_LOG_FORMAT: 'text' });
    const workflowId = `change/t1-${randomUUID()}`;
    await client.workflow.execute<typeof NetworkChangeWorkflow>('NetworkChangeWorkflow', {
      taskQueue,
      workflowId,
      workflowExecutionTimeout: '60 seconds',
      args: [{ changeId: 't1', devices: ['leaf01'] }],
    });
    const line = await waitForLine(child, (l) => l.includes('change started') && l.includes(workflowId));
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z INFO {2}fixture-worker: change started /);
    expect(line).toContain(`workflowId=${workflowId}`);
    expect(line).toContain('changeId=t1');
    expect(line).toContain('devices=["leaf01"]');
    // Only the ready line is JSON: the `npm start` supervisor shows the others to a person as they are.
    expect(child.lines().filter((l) => l.startsWith('{'))).toEqual([JSON.stringify(child.ready)]);
  });

  it('refuses to start on a bad setting, naming the variable', async () => {
    const result = await runToExit({ SYNAPSE_METRICS_ADDRESS: 'localhost:9464', SYNAPSE_LOG_LEVEL: 'verbose' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SYNAPSE_METRICS_ADDRESS must be ip:port');
    expect(result.stderr).toContain('(got "localhost:9464")');
    expect(result.stderr).toContain('SYNAPSE_LOG_LEVEL must be one of debug, info, warn, error (got "verbose")');
  });

  it('refuses to start when the metrics port is taken, naming the variable', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
    try {
      const result = await runToExit({ SYNAPSE_METRICS_ADDRESS: address });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`SYNAPSE_METRICS_ADDRESS ${address} cannot be served`);
      expect(result.stderr).toMatch(/address already in use/i);
    } finally {
      blocker.close();
    }
  });
});

function waitForLine(child: WorkerChild, match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const line = child.lines().find(match);
      if (line) return resolve(line);
      if (Date.now() > deadline) return reject(new Error(`no such line within ${timeoutMs / 1000} s:\n${child.lines().join('\n')}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(FIXTURES, 'worker-process.js')], {
    env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: temporalAddress(), FIXTURE_TASK_QUEUE: `unused-${randomUUID()}`, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}
