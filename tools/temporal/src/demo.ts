#!/usr/bin/env node
/**
 * `npm run demo`: the whole stack on throwaway state (free ports, a fresh
 * Temporal database, a temporary backup repository), one standard change
 * taking the reference lab from its initial config to the intended one, the
 * result printed, everything stopped. Exits 0 only when every device was
 * deployed and validated. `SYNAPSE_LAB=brownfield npm run demo` runs it on
 * the brownfield twin: the same devices already running config Synapse
 * does not own, which the change must leave as it is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TASK_QUEUES, WORKFLOW_TYPES, workflowIds, type ChangeRequestInput, type ChangeResult } from '@synapse/contracts';
import { findFreePort } from './free-port';
import { STACK } from './stack/stack';
import { runStack } from './stack/run-stack';
import type { RunningService } from './stack/stack-service';

const DEMO_DEVICES = ['spine01', 'leaf01', 'leaf02'];

async function main(): Promise<number> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'synapse-demo-'));
  Object.assign(process.env, {
    TEMPORAL_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
    TEMPORAL_DB_FILE: path.join(scratch, 'temporal.sqlite'),
    INFRAHUB_SIM_PORT: '0',
    DEVICE_SIM_BASE_PORT: '0',
    SYNAPSE_BACKUP_DIR: path.join(scratch, 'backups'),
  });
  let demoExit = 1;
  const stackExit = await runStack(STACK, {
    onStarting: (service) => console.log(`starting ${service.name}…`),
    onReady: (running) => {
      runChange(running).then(
        (code) => (demoExit = code),
        (error: unknown) => console.error(`demo change failed: ${error instanceof Error ? error.message : String(error)}`),
      ).finally(() => process.kill(process.pid, 'SIGTERM'));
    },
    onStopping: () => console.log('stopping the stack…'),
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  return stackExit === 0 ? demoExit : 1;
}

async function runChange(running: readonly RunningService[]): Promise<number> {
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
    for (const device of result.devices) {
      console.log(`  ${device.device.padEnd(8)} wave ${String(device.wave ?? '-').padEnd(3)} ${device.outcome.padEnd(11)} ${device.diffSummary ?? ''}`);
      console.log(`           backup ${device.backupId ?? '-'}${device.reason ? `; ${device.reason}` : ''}`);
      for (const note of device.notes ?? []) console.log(`           ${note}`);
    }
    console.log(`change ${changeId}: ${result.outcome}\n`);
    return result.outcome === 'succeeded' ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
