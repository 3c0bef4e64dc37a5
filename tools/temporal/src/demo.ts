#!/usr/bin/env node
/**
 * `npm run demo`: the whole stack on throwaway state (free ports, a fresh
 * Temporal database, fresh device configs, a temporary backup repository),
 * one standard change taking the reference lab from its initial config to
 * the intended one, everything stopped, and then the result, printed last.
 * Exits 0 only when every device was deployed and validated.
 * `SYNAPSE_LAB=brownfield npm run demo` runs it on
 * the brownfield twin: the same devices already running config Synapse
 * does not own, which the change must leave as it is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TASK_QUEUES, WORKFLOW_TYPES, workflowIds, type ChangeRequestInput, type ChangeResult } from '@synapse/contracts';
import { findFreePort } from './free-port';
import { watchLauncher } from './launcher-watch';
import { STACK } from './stack/stack';
import { runStack } from './stack/run-stack';
import type { RunningService } from './stack/stack-service';

const DEMO_DEVICES = ['spine01', 'leaf01', 'leaf02'];
const RULE = '─'.repeat(72);

interface DemoResult {
  exitCode: number;
  /** What the person came for, printed last, once everything has stopped. */
  lines: string[];
}

async function main(): Promise<number> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'synapse-demo-'));
  // The whole stack's state (Temporal's database, device configs, backups) in the scratch
  // directory: the demo neither sees nor changes what `npm start` keeps in .data/.
  Object.assign(process.env, {
    SYNAPSE_STACK_DATA_DIR: scratch,
    TEMPORAL_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
    INFRAHUB_SIM_PORT: '0',
    DEVICE_SIM_BASE_PORT: '0',
  });
  delete process.env.TEMPORAL_DB_FILE;
  delete process.env.SYNAPSE_BACKUP_DIR;

  let result: DemoResult = { exitCode: 1, lines: ['the demo change did not run'] };
  let stopReason = '';
  const launcher = watchLauncher();
  const stackExit = await runStack(
    STACK,
    {
      onStarting: (service) => console.log(`starting ${service.name}…`),
      onReady: (running) => {
        runChange(running)
          .then(
            (outcome) => (result = outcome),
            (error: unknown) => (result = { exitCode: 1, lines: [`the demo change failed: ${error instanceof Error ? error.message : String(error)}`] }),
          )
          .finally(() => process.kill(process.pid, 'SIGTERM'));
      },
      onStopping: (reason) => {
        stopReason = reason;
        console.log(`stopping the stack (${reason})…`);
      },
    },
    { stopWhen: launcher.gone },
  );
  launcher.stop();
  fs.rmSync(scratch, { recursive: true, force: true });

  const lines = [...result.lines];
  if (stackExit !== 0) lines.push(`the stack stopped after a failure: ${stopReason}`);
  console.log(['', RULE, ...lines, RULE].join('\n'));
  return stackExit === 0 ? result.exitCode : 1;
}

async function runChange(running: readonly RunningService[]): Promise<DemoResult> {
  const exported = Object.assign({}, ...running.map((service) => service.exports)) as Record<string, string>;
  const connection = await Connection.connect({ address: exported.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: exported.TEMPORAL_NAMESPACE });
    const changeId = `demo-${Date.now()}`;
    const request: ChangeRequestInput = {
      changeId,
      devices: DEMO_DEVICES,
      reason: `demo: bring the ${process.env.SYNAPSE_LAB === 'brownfield' ? 'brownfield' : 'reference'} lab to its intended underlay`,
      requester: 'demo',
      validation: { settleTimeoutSeconds: 30, commitConfirmed: true },
      // The demo's stack runs with SYNAPSE_REQUIRE_APPROVAL=false: a lab change needs no approver.
      approval: { required: false },
    };
    console.log(`\nchange ${changeId}: ${DEMO_DEVICES.join(', ')} (reason: ${request.reason})`);
    const result = await client.workflow.execute<(r: ChangeRequestInput) => Promise<ChangeResult>>(WORKFLOW_TYPES.networkChange, {
      taskQueue: TASK_QUEUES.workflows,
      workflowId: workflowIds.change(changeId),
      args: [request],
    });
    const lines = [`change ${changeId}: ${DEMO_DEVICES.join(', ')} (reason: ${request.reason})`];
    for (const device of result.devices) {
      lines.push(`  ${device.device.padEnd(8)} wave ${String(device.wave ?? '-').padEnd(3)} ${device.outcome.padEnd(11)} ${device.diffSummary ?? ''}`.trimEnd());
      lines.push(`           backup ${device.backupId ?? '-'}${device.reason ? `; ${device.reason}` : ''}`);
      for (const note of device.notes ?? []) lines.push(`           ${note}`);
    }
    lines.push(`change ${changeId}: ${result.outcome}`);
    return { exitCode: result.outcome === 'succeeded' ? 0 : 1, lines };
  } finally {
    await connection.close();
  }
}

process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
