import { z } from 'zod';
import { BackupRef, ChangeId, ConfigPatch, DeviceName, GnmiPathString, OwnershipScope, ValidationResult } from './device';
import { ChangeKind } from './deployment';

/**
 * A standard change as an operator asks for it (CLI, API), and what it
 * reports back. The workflow parses its input with ChangeRequest at the
 * boundary, so a bad request fails at once, naming the field.
 */

export const WORKFLOW_TYPES = {
  networkChange: 'NetworkChangeWorkflow',
  deviceChange: 'DeviceChangeWorkflow',
  driftRemediation: 'DriftRemediationWorkflow',
  driftBatch: 'DriftBatchWorkflow',
  emergencyChange: 'EmergencyChangeWorkflow',
} as const;

/** Workflow ids: one change per id, and one change per device at a time (the child's id is the device lock). */
export const workflowIds = {
  change: (changeId: string) => `change/${changeId}`,
  device: (device: string) => `device/${device}`,
  drift: (driftId: string) => `drift/${driftId}`,
  /** One batch of a drift run, under the run's own workflow id. */
  driftBatch: (runWorkflowId: string, batch: number) => `${runWorkflowId}/batch-${batch}`,
  /** One batch of a change's plan (the same batch workflow), under the change's workflow id. */
  planBatch: (changeWorkflowId: string, batch: number) => `${changeWorkflowId}/plan-${batch}`,
  emergency: (changeId: string) => `emergency/${changeId}`,
} as const;

export const QUERIES = { progress: 'progress' } as const;

export const ValidationSettings = z.object({
  /** How long BGP sessions and interfaces get to come up after the deploy. */
  settleTimeoutSeconds: z.number().positive().max(3600).default(60),
  /**
   * Ask the device to revert by itself unless confirmed (commit-confirmed);
   * must outlast validation. Off for devices without the extension.
   */
  commitConfirmed: z.boolean().default(true),
});
export type ValidationSettings = z.infer<typeof ValidationSettings>;

/**
 * How many entries and leaves a change may delete before it is refused
 * whole: deletions are the one irreversible-looking thing a change does to
 * config it once owned, so a small default makes a big one a deliberate act.
 */
export const DeletionBudget = z.number().int().min(0).max(1_000_000);
export const DEFAULT_DELETION_BUDGET = 10;

/** A device listed twice in a request is a typo: refused, naming the second mention. */
export function rejectDuplicateDevices(request: { devices: string[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  request.devices.forEach((device, i) => {
    if (seen.has(device)) ctx.addIssue({ code: 'custom', path: ['devices', i], message: `${device} is listed twice` });
    seen.add(device);
  });
}

export const ChangeRequest = z
  .object({
    changeId: ChangeId,
    devices: z.array(DeviceName).min(1, 'at least one device'),
    reason: z.string().trim().min(1, 'a reason is required'),
    requester: z.string().trim().min(1, 'a requester is required'),
    ticket: z.string().trim().min(1).optional(),
    /** Infrahub branch holding the intent; its default branch when absent. */
    branch: z.string().min(1).optional(),
    /** Compute and return the per-device diff; touch nothing. */
    dryRun: z.boolean().default(false),
    /** Devices changed at once. */
    concurrency: z.number().int().min(1).max(100).default(5),
    validation: ValidationSettings.default({ settleTimeoutSeconds: 60, commitConfirmed: true }),
    /** Entries and leaves Synapse once owned that the change may delete, over all its devices. */
    deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
  })
  .superRefine(rejectDuplicateDevices);
export type ChangeRequest = z.infer<typeof ChangeRequest>;
export type ChangeRequestInput = z.input<typeof ChangeRequest>;

/** A path-level difference between intended and running config (paths are gNMI paths). */
export const ConfigDiff = z.object({
  added: z.array(z.object({ path: GnmiPathString, value: z.unknown() })),
  removed: z.array(z.object({ path: GnmiPathString, value: z.unknown() })),
  changed: z.array(z.object({ path: GnmiPathString, before: z.unknown(), after: z.unknown() })),
});
export type ConfigDiff = z.infer<typeof ConfigDiff>;

export const DiffConfigInput = z.object({
  device: DeviceName,
  /** The snapshot to compare against: the backup just taken, so diff and rollback agree. */
  backup: BackupRef,
  config: z.record(GnmiPathString, z.unknown()),
  scope: OwnershipScope.default({ protectedInterfaces: [], requiredPolicies: [] }),
  /** More deletions than this refuse the plan (InvalidInput) before anything is deployed. */
  deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
});
export type DiffConfigInput = z.infer<typeof DiffConfigInput>;

/** Config on the device that Synapse does not own: counted, some of it named; never changed. */
export const UnmanagedConfig = z.object({
  count: z.number().int().nonnegative(),
  /** The first few, outermost first (a whole entry rather than its leaves). */
  paths: z.array(GnmiPathString).default([]),
});
export type UnmanagedConfig = z.infer<typeof UnmanagedConfig>;

export const DiffResult = z.object({
  device: DeviceName,
  diff: ConfigDiff,
  /**
   * What the deploy deletes: entries and leaves Synapse created or adopted
   * in an earlier change that the intent no longer has (an interface or a
   * description removed from Infrahub), as recorded in the device's
   * ownership record. Listed first in diff.removed too.
   */
  stalePaths: z.array(GnmiPathString).default([]),
  /** e.g. "1 changed, 2 added, 0 removed: /interface[name=ethernet-1/1]/mtu, …" */
  summary: z.string(),
  inSync: z.boolean(),
  unmanaged: UnmanagedConfig.default({ count: 0, paths: [] }),
});
export type DiffResult = z.infer<typeof DiffResult>;

/** The steps of one device's change, in runbook order. */
export const DeviceStep = z.enum([
  'queued',
  'fetch-intent',
  'backup',
  'store-backup',
  'diff',
  'deploy',
  'validate-bgp',
  'validate-interfaces',
  'confirm',
  'record-ownership',
  'await-revert',
  'rollback',
  'revalidate',
  'record-status',
  'done',
]);
export type DeviceStep = z.infer<typeof DeviceStep>;

/**
 * `refused`: the device refused the config; its Set was not applied, so
 * nothing was restored. `pre-empted`: an emergency change took the device over; what this change
 * had deployed was rolled back first. `reverted`: an emergency change whose
 * time to live ran out; the device runs its backup again.
 */
export const DeviceOutcome = z.enum(['deployed', 'in-sync', 'dry-run', 'rolled-back', 'refused', 'failed', 'pre-empted', 'reverted']);
export type DeviceOutcome = z.infer<typeof DeviceOutcome>;

export const StepTiming = z.object({
  step: DeviceStep,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type StepTiming = z.infer<typeof StepTiming>;

export const DeviceProgress = z.object({
  device: DeviceName,
  step: DeviceStep,
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'rolled-back']),
  steps: z.array(StepTiming),
  detail: z.string().optional(),
});
export type DeviceProgress = z.infer<typeof DeviceProgress>;

export const ChangeProgress = z.object({
  changeId: ChangeId,
  devices: z.array(DeviceProgress),
});
export type ChangeProgress = z.infer<typeof ChangeProgress>;

/** What a per-device child workflow is given: the request's facts, one device. */
export const DeviceChangeInput = z.object({
  changeId: ChangeId,
  kind: ChangeKind.default('standard'),
  device: DeviceName,
  reason: z.string().min(1),
  requester: z.string().min(1),
  ticket: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  validation: ValidationSettings,
  /** An emergency's explicit patch, deployed instead of the rendered intent (which then only says what to validate). */
  patch: ConfigPatch.optional(),
  /** An emergency's time to live: once it has run out, the backup is put back. */
  revertAfterSeconds: z.number().int().positive().optional(),
  /** Deletions this device's plan may hold (the change's budget; the parent already checked the change as a whole). */
  deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
});
export type DeviceChangeInput = z.infer<typeof DeviceChangeInput>;

export const DeviceChangeResult = z.object({
  device: DeviceName,
  outcome: DeviceOutcome,
  diffSummary: z.string().optional(),
  diff: ConfigDiff.optional(),
  backup: BackupRef.optional(),
  validation: z.object({ bgp: ValidationResult.optional(), interfaces: ValidationResult.optional() }).default({}),
  /** Why it failed or rolled back, in an operator's words. */
  reason: z.string().optional(),
  /** The change an emergency took the device from (it rolled back first). */
  preempted: z.object({ changeId: ChangeId, workflowId: z.string() }).optional(),
  timings: z.array(StepTiming),
});
export type DeviceChangeResult = z.infer<typeof DeviceChangeResult>;

export const ChangeResult = z.object({
  changeId: ChangeId,
  outcome: z.enum(['succeeded', 'partially-failed', 'failed', 'dry-run']),
  devices: z.array(DeviceChangeResult),
});
export type ChangeResult = z.infer<typeof ChangeResult>;

/**
 * Where a change's activities run. Production leaves this out and the queues
 * come from contracts' TASK_QUEUES. It is there for two cases: tests, where
 * every test file polls its own queues on one shared Temporal server, and a
 * deployment that runs a device worker per site on its own queue. It is a
 * second workflow argument rather than a ChangeRequest field because it is
 * about the deployment, not about the change an operator asks for.
 */
export const ActivityRouting = z
  .object({
    taskQueues: z
      .object({
        device: z.string().trim().min(1).optional(),
        infrahub: z.string().trim().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type ActivityRouting = z.infer<typeof ActivityRouting>;
export type ActivityRoutingInput = z.input<typeof ActivityRouting>;
