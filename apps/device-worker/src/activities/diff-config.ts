import type { z } from 'zod';
import { DiffConfigInput, parseInput, SynapseError, type DiffResult, type ManagedConfig, type OwnershipScope } from '@synapse/contracts';
import { planChange, type Plan } from '@synapse/device-config';
import { parseBackup } from '../backup-store/backup-document';
import { BackupIntegrityError } from '../backup-store/backup-store';
import type { ActivityRuntime } from './deps';

/** Unmanaged paths a plan names (all are counted). */
const UNMANAGED_LISTED = 20;

/**
 * Step 3 of a change, the plan: the rendered config against the backup just
 * taken, on what Synapse owns (device-config's planChange). Added means the
 * deploy adds it, removed that it deletes it, changed shows before -> after;
 * leaves and entries Synapse does not own are not in it, only counted as
 * unmanaged. What the deploy deletes comes from the device's ownership
 * record (what the last confirmed deploy owned and the intent dropped) and
 * leads the diff.
 *
 * Refused (InvalidInput, before anything is deployed): a policy the intent
 * names but does not define that the device does not have (the deploy
 * would be refused, or worse, bind a group to nothing), and more deletions
 * than the change's budget.
 *
 * Compared against the backup rather than a fresh read, so the plan, the
 * deploy and a rollback all refer to the same snapshot. Reads only the
 * backup store: nothing on the device.
 */
export function diffConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof DiffConfigInput>): Promise<DiffResult> => {
    const { device, backup, config, scope, deletionBudget } = parseInput(DiffConfigInput, input, 'diffConfig input');
    if (backup.device !== device) {
      throw new SynapseError('InvalidInput', `diffConfig input: backup.device is ${backup.device}, not ${device}`, { device, fields: ['backup.device'] });
    }
    if (Object.keys(config).length === 0) {
      throw new SynapseError('InvalidInput', 'diffConfig input: config: at least one managed path', { device, fields: ['config'] });
    }
    let running: unknown;
    try {
      running = parseBackup(await runtime.backups.readBackup(backup));
    } catch (err) {
      if (err instanceof BackupIntegrityError || err instanceof SyntaxError) {
        throw new SynapseError('InvalidInput', `diffConfig: ${err.message}`, { device, backupId: backup.id, fields: ['backup'] });
      }
      throw err;
    }
    const plan = await planDeploy(runtime, { device, running, config, scope, deletionBudget });
    return { device, diff: plan.diff, stalePaths: plan.deletions, summary: plan.summary, inSync: plan.inSync, unmanaged: plan.unmanaged };
  };
}

/** The plan against what the device runs, on what Synapse owns, with the refusals applied: diffConfig's and prepareDeploy's. */
export async function planDeploy(
  runtime: ActivityRuntime,
  { device, running, config, scope, deletionBudget }: { device: string; running: unknown; config: ManagedConfig; scope: OwnershipScope; deletionBudget: number },
): Promise<Plan> {
  const previous = (await runtime.backups.readOwnership(device))?.config as ManagedConfig | undefined;
  const plan = planChange({ running, config, scope, previous, unmanagedLimit: UNMANAGED_LISTED });
  refuseUnsafePlan(device, plan.missingPolicies, plan.deletions, deletionBudget);
  return plan;
}

/** The refusals a plan can carry, in one place for the change's plan and each device's. */
export function refuseUnsafePlan(device: string, missing: ReturnType<typeof planChange>['missingPolicies'], deletions: string[], budget: number): void {
  if (missing.length > 0) {
    const named = missing.map((m) => `peer group "${m.group}" ${m.direction}-policy "${m.policy}"`);
    throw new SynapseError(
      'InvalidInput',
      `${device}: ${named.join('; ')}: the policy is neither defined in Infrahub nor present on the device; define it in Infrahub or create it on the device first. Nothing was deployed`,
      { device, fields: missing.map((m) => `bgp.groups.${m.group}.${m.direction}Policies`), missingPolicies: missing },
    );
  }
  if (deletions.length > budget) {
    const shown = deletions.slice(0, 10).join(', ') + (deletions.length > 10 ? `, … (${deletions.length} in all)` : '');
    throw new SynapseError(
      'InvalidInput',
      `${device}: the plan deletes ${deletions.length} entries or leaves Synapse owned, more than the change's deletion budget of ${budget}: ${shown}. Nothing was deployed; raise deletionBudget if this is intended`,
      { device, fields: ['deletionBudget'], deletions: deletions.length, budget },
    );
  }
}
