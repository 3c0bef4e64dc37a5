import type { z } from 'zod';
import { DiffConfigInput, parseInput, SynapseError, type DiffResult } from '@synapse/contracts';
import { deployOperations, diffConfigs, isEmptyDiff, managedView, summarizeDiff } from '@synapse/device-config';
import { parseBackup } from '../backup-store/backup-document';
import { BackupIntegrityError } from '../backup-store/backup-store';
import type { ActivityRuntime } from './deps';

/**
 * The plan of a change: the rendered config against the backup just taken,
 * in canonical form, on exactly the paths the deploy will replace. Added
 * means the deploy adds it, removed that the deploy removes it (inside a
 * replaced subtree), changed shows before -> after. `inSync` means the
 * deploy would change nothing, so the workflow can skip it.
 *
 * Compared against the backup rather than a fresh read, so the plan, the
 * deploy and a rollback all refer to the same snapshot. Managed entries
 * outside the rendered paths (an interface the intent no longer has) are
 * stale: listed in stalePaths and diff.removed, and deleted by the deploy.
 * Reads only the backup store: nothing on the device.
 */
export function diffConfig(runtime: ActivityRuntime) {
  return async (input: z.input<typeof DiffConfigInput>): Promise<DiffResult> => {
    const { device, backup, config } = parseInput(DiffConfigInput, input, 'diffConfig input');
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
    const runningView = managedView(running);
    const stalePaths = deployOperations(config, runningView).delete;
    const rendered = diffConfigs(config, running, { paths: Object.keys(config) });
    const diff = { ...rendered, removed: [...rendered.removed, ...stalePaths.map((path) => ({ path, value: runningView[path] }))] };
    return { device, diff, stalePaths, summary: summarizeDiff(diff), inSync: isEmptyDiff(diff) };
  };
}
