import type { z } from 'zod';
import { isSynapseError, parseInput, PrepareDeployInput, SynapseError, type DeviceStates, type PlannedChange, type PrepareDeployResult, type SubStepTiming } from '@synapse/contracts';
import type { Plan } from '@synapse/device-config';
import { progressHeartbeat } from '@synapse/observability';
import { takeBackup } from './backup-running-config';
import type { ActivityRuntime } from './deps';
import { planDeploy } from './diff-config';
import { loadConfig } from './documents';
import { statesOf } from './read-device-states';
import { archive } from './store-backup';

/**
 * Back up, plan and archive in one round trip to the device (what
 * backupRunningConfig, diffConfig and storeBackup do as three activities):
 * a commit pending on the device is refused, the running config read once
 * goes into the backup store and is planned against (the same snapshot a
 * rollback restores), with diffConfig's refusals. The backup is archived
 * only when something will be deployed (not for a dry run, nor a plan in
 * sync). With `baseline`, the sessions and interfaces as they are before
 * the deploy; a device that cannot tell leaves it absent, since a
 * validation without a baseline is still a validation.
 *
 * The plan goes back without the config values (only a dry run, which
 * exists to show them, gets the whole diff). A retry takes a fresh backup
 * (content-addressed) and finds the archive it already made for this change.
 */
const RUNBOOK_ORDER: readonly SubStepTiming['step'][] = ['backup', 'diff', 'store-backup', 'baseline'];

export function prepareDeploy(runtime: ActivityRuntime) {
  return async (input: z.input<typeof PrepareDeployInput>): Promise<PrepareDeployResult> => {
    const { device, changeId, workflowId, reason, config: ref, scope, deletionBudget, dryRun, backupOnly, baseline } = parseInput(PrepareDeployInput, input, 'prepareDeploy input');
    // Read before the device is touched: a document that is missing or altered stops here.
    const config = backupOnly ? undefined : await loadConfig(runtime, device, ref, 'config');
    if (config && Object.keys(config).length === 0) {
      throw new SynapseError('InvalidInput', 'prepareDeploy input: config: at least one managed path', { device, fields: ['config'] });
    }
    return runtime.withDevice(device, (client) => {
      const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { device, phase: 'check-pending-commit' });
      return progress.during(async (): Promise<PrepareDeployResult> => {
        const steps: SubStepTiming[] = [];
        const timed = async <T>(step: SubStepTiming['step'], work: () => Promise<T>): Promise<T> => {
          const startedAt = runtime.clock().toISOString();
          const result = await work();
          steps.push({ step, startedAt, finishedAt: runtime.clock().toISOString() });
          return result;
        };
        const taken = await timed('backup', () => takeBackup(runtime, client, device, progress));
        let plan: Plan | undefined;
        if (config) {
          progress.update({ phase: 'plan' });
          plan = await timed('diff', () => planDeploy(runtime, { device, running: taken.running, config, scope, deletionBudget }));
        }
        // Only the backup ref and the plan are needed from here on.
        taken.running = undefined;
        const deploys = !dryRun && (backupOnly || !plan!.inSync);
        progress.update({ phase: deploys ? 'archive' : baseline ? 'baseline' : 'done' });
        const [backup, states] = await Promise.all([
          deploys ? timed('store-backup', () => archive(runtime, taken.backup, { changeId, workflowId, ...(reason ? { reason } : {}) }, 'prepareDeploy')) : taken.backup,
          baseline ? timed('baseline', () => baselineOf(client, device)) : undefined,
        ]);
        // The archive and the baseline run at once: listed in runbook order, not in the order they ended.
        steps.sort((a, b) => RUNBOOK_ORDER.indexOf(a.step) - RUNBOOK_ORDER.indexOf(b.step));
        return {
          device,
          backup: { device: backup.device, id: backup.id, sha256: backup.sha256, sizeBytes: backup.sizeBytes, takenAt: backup.takenAt },
          archived: deploys,
          ...(plan ? { plan: plannedChange(plan, dryRun) } : {}),
          ...(states ? { baseline: states } : {}),
          steps,
        };
      });
    });
  };
}

function plannedChange(plan: Plan, dryRun: boolean): PlannedChange {
  const { diff } = plan;
  return {
    summary: plan.summary,
    inSync: plan.inSync,
    counts: { added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length },
    stalePaths: plan.deletions,
    unmanaged: { count: plan.unmanaged.count, paths: plan.unmanaged.paths },
    ...(dryRun ? { diff } : {}),
  };
}

/** A baseline the device could not give is absent, not a failure: validation then judges without one. */
async function baselineOf(client: Parameters<typeof statesOf>[0], device: string): Promise<DeviceStates | undefined> {
  try {
    return await statesOf(client, device);
  } catch (err) {
    if (!isSynapseError(err)) throw err;
    return undefined;
  }
}
