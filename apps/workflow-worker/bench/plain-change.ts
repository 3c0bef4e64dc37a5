/**
 * The baseline: the change NetworkChangeWorkflow makes, as a plain script
 * with no Temporal server, no workers, no workflow history.
 *
 * It calls the very activity functions the workers serve (the same objects,
 * so the same gNMI client pool, backup store and Infrahub client), in the
 * order and with the inputs DeviceChangeWorkflow gives them:
 *
 *   plan: renderIntents and checkDrift in batches of 50 (the workflow's plan of the whole change)
 *   per device, at most `concurrency` at a time:
 *     renderDeviceIntent, prepareDeploy (backup, plan, archive),
 *     updateDeviceStatus(deploying), deployConfig (commit-confirmed, by reference),
 *     validateAndConfirm (BGP + interfaces, confirm, ownership), updateDeviceStatus(deployed + record)
 *
 * so the two sides do the same gNMI and HTTP calls and the same git commits,
 * and what differs is orchestration alone. The activities read Temporal's
 * activity context (heartbeats, attempt number, cancellation); here each
 * call gets a MockActivityEnvironment, the SDK's in-process stand-in, which
 * talks to no server: its heartbeats go nowhere.
 *
 * What it leaves out is what Temporal gives: durability, retries, the
 * progress query, the device lock. A failure stops the device with an
 * error (the benchmark then refuses the run); it does not roll back.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  commitConfirmWindowSeconds,
  mapWithConcurrency,
  workflowIds,
  type BackupRef,
  type ChangeRecord,
  type DeviceActivities,
  type DiffResult,
  type FetchDeviceConfigResult,
  type InfrahubActivities,
  type ValidationResult,
} from '@synapse/contracts';

export interface PlainChangeRequest {
  changeId: string;
  devices: string[];
  reason: string;
  requester: string;
  concurrency: number;
  settleTimeoutSeconds: number;
}

export interface PlainDeviceResult {
  device: string;
  outcome: 'deployed' | 'in-sync';
  steps: Array<{ step: string; ms: number }>;
}

export interface ChangeActivityFunctions {
  device: DeviceActivities;
  infrahub: InfrahubActivities;
}

const silent = () => undefined;
const SILENT_LOGGER: Logger = { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent };

/** One activity call in its own activity context, as a worker would run it (attempt 1), but in-process. */
export function call<I, R>(activityType: string, fn: (input: I) => Promise<R>, input: I): Promise<R> {
  return new MockActivityEnvironment({ activityType }, { logger: SILENT_LOGGER }).run(fn, input);
}

/** What a device's deployment record says, as DeviceChangeWorkflow writes it to Infrahub. */
export function plainChangeRecord(
  change: { changeId: string; device: string; requester: string; reason: string; workflowId: string; startedAt: Date },
  plan: Pick<DiffResult, 'summary'>,
  backup: BackupRef,
  intended: Pick<FetchDeviceConfigResult, 'source'>,
  outcome: ChangeRecord['outcome'],
  detail: string,
): ChangeRecord {
  return {
    changeId: change.changeId,
    kind: 'standard',
    device: change.device,
    requester: change.requester,
    reason: change.reason,
    outcome,
    diffSummary: plan.summary,
    backup,
    detail,
    workflowId: change.workflowId,
    intent: intended.source,
    startedAt: change.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

export async function runPlainChange(activities: ChangeActivityFunctions, request: PlainChangeRequest): Promise<PlainDeviceResult[]> {
  const { infrahub, device: dev } = activities;
  const { changeId, reason, requester } = request;

  // The workflow plans the whole change first, in batches, and refuses it on a device's problem.
  const batches: string[][] = [];
  for (let start = 0; start < request.devices.length; start += 50) batches.push(request.devices.slice(start, start + 50));
  await mapWithConcurrency(batches, 2, async (devices) => {
    const rendered = await call('renderIntents', infrahub.renderIntents, { devices, concurrency: request.concurrency, byReference: true });
    const targets = rendered.devices.flatMap((d) => ('problem' in d || !d.configRef ? [] : [{ device: d.device, configRef: d.configRef, scope: d.scope }]));
    if (targets.length > 0) await call('checkDrift', dev.checkDrift, { devices: targets, concurrency: request.concurrency });
  });

  return mapWithConcurrency(request.devices, request.concurrency, async (device) => {
    const workflowId = workflowIds.device(device);
    const startedAt = new Date();
    const steps: PlainDeviceResult['steps'] = [];
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await run();
      } finally {
        steps.push({ step: name, ms: performance.now() - start });
      }
    };

    const intended = await step('fetch-intent', () => call('renderDeviceIntent', infrahub.renderDeviceIntent, { device }));
    const prepared = await step('backup', () =>
      call('prepareDeploy', dev.prepareDeploy, { device, changeId, workflowId, reason, config: intended.config, scope: intended.scope }),
    );
    const plan = prepared.plan!;
    const backup = prepared.backup;

    const record = (outcome: ChangeRecord['outcome'], detail: string) => plainChangeRecord({ changeId, device, requester, reason, workflowId, startedAt }, plan, backup, intended, outcome, detail);

    if (plan.inSync) {
      await step('record-status', () =>
        call('updateDeviceStatus', infrahub.updateDeviceStatus, { device, state: 'in-sync', changeId, record: record('in-sync', 'the device already runs its intended config; nothing was deployed') }),
      );
      return { device, outcome: 'in-sync', steps };
    }

    await step('record-status', () => call('updateDeviceStatus', infrahub.updateDeviceStatus, { device, state: 'deploying', changeId }));
    const change = { configRef: intended.config, delete: plan.stalePaths };
    const deployed = await step('deploy', () =>
      call('deployConfig', dev.deployConfig, {
        device,
        changeId,
        ...change,
        commitConfirmed: { rollbackDurationSeconds: commitConfirmWindowSeconds(request.settleTimeoutSeconds) },
      }),
    );
    const commitId = deployed.commitId;
    const checked = await step('validate-bgp', () =>
      call('validateAndConfirm', dev.validateAndConfirm, {
        device,
        changeId,
        workflowId,
        neighbors: intended.expectations.neighbors,
        interfaces: intended.expectations.interfaces,
        settleTimeoutSeconds: request.settleTimeoutSeconds,
        ...(commitId ? { confirm: { commitId, deployed: change } } : {}),
        recordOwnership: intended.config,
      }),
    );
    requirePassed(checked.bgp);
    requirePassed(checked.interfaces);

    await step('record-status', () =>
      call('updateDeviceStatus', infrahub.updateDeviceStatus, {
        device,
        state: 'deployed',
        changeId,
        record: record('deployed', `deployed: ${plan.summary}`),
        configChecksum: intended.checksum,
      }),
    );
    return { device, outcome: 'deployed', steps };
  });
}

function requirePassed(result: ValidationResult): void {
  if (result.passed) return;
  const failing = result.checks.filter((c) => !c.ok).map((c) => c.reason ?? `${c.subject}: ${c.actual}, expected ${c.expected}`);
  throw new Error(`${result.kind} validation failed on ${result.device}: ${failing.join('; ')}`);
}
