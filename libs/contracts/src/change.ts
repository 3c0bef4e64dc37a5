import { z } from 'zod';
import { BackupRef, ChangeId, ConfigPatch, DeviceName, GnmiPathString, OwnershipScope, ValidationResult } from './device';
import { ChangeKind } from './deployment';
import { ApprovalDecision, ApprovalSettings, DevicePlan, RolloutStrategy } from './rollout';

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
  planBatch: 'PlanBatchWorkflow',
  deviceGroup: 'DeviceGroupWorkflow',
  wave: 'WaveWorkflow',
  recordOutcome: 'RecordOutcomeWorkflow',
  /** A read-only look at one device for the operator: intended, running, or the difference. */
  configView: 'ConfigViewWorkflow',
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
  /** The devices of a rollout, up to ROLLOUT_GROUP_SIZE per group: the group takes their locks and is their device workflows' parent. */
  deviceGroup: (changeWorkflowId: string, group: number) => `${changeWorkflowId}/devices-${group}`,
  /** One wave of a rollout (wave 0 is the canary). */
  wave: (changeWorkflowId: string, wave: number) => `${changeWorkflowId}/wave-${wave}`,
  /** The Infrahub record of a device workflow that let go of its device first (pre-empted): written after, by its own workflow. */
  outcomeRecord: (changeId: string, device: string) => `record/${changeId}/${device}`,
  /** An operator's read of one device: unique per request, it changes nothing. */
  configView: (device: string, requestId: string) => `config/${device}/${requestId}`,
} as const;

export const QUERIES = { progress: 'progress', /** A rollout's plan (DevicePlan[]): what the approver approves. */ plan: 'plan' } as const;

/**
 * The longest settle time a change may ask for. Each validation activity
 * waits up to the settle time inside ACTIVITY_PROFILES.deviceValidate's 15
 * minute start-to-close, with the activity's own overhead and a queue wait on
 * top: 10 minutes leaves that room, so a long settle can never be cut by the
 * activity timeout and mistaken for a failed validation.
 */
export const MAX_SETTLE_SECONDS = 600;

export const ValidationSettings = z.object({
  /** How long BGP sessions and interfaces get to come up after the deploy. */
  settleTimeoutSeconds: z.number().positive().max(MAX_SETTLE_SECONDS).default(60),
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
    /** A standard change, or a drift run's remediation going through the same rollout. */
    kind: z.enum(['standard', 'drift-remediation']).default('standard'),
    /** Compute and return the per-device diff; touch nothing. */
    dryRun: z.boolean().default(false),
    /** Devices changed at once. */
    concurrency: z.number().int().min(1).max(100).default(5),
    validation: ValidationSettings.default({ settleTimeoutSeconds: 60, commitConfirmed: true }),
    /** Entries and leaves Synapse once owned that the change may delete, over all its devices. */
    deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
    /** Canary, waves, soak and failure budget. */
    strategy: RolloutStrategy.prefault({}),
    approval: ApprovalSettings.default({ required: true, timeoutSeconds: 86_400 }),
    /** How long to wait for devices another change holds before refusing this one whole. */
    lockTimeoutSeconds: z.number().int().min(0).max(3600).default(60),
  })
  .superRefine(rejectDuplicateDevices)
  .superRefine((request, ctx) => {
    const canary = request.strategy.canary.devices;
    canary.forEach((device, i) => {
      if (!request.devices.includes(device)) ctx.addIssue({ code: 'custom', path: ['strategy', 'canary', 'devices', i], message: `canary ${device} is not one of the change's devices` });
    });
  });
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
  'baseline',
  'deploy',
  'validate-bgp',
  'validate-interfaces',
  'confirm',
  'record-ownership',
  'await-revert',
  'rollback',
  'revalidate',
  'record-status',
  /** A rollout member, deployed and validated, holding the device until its rollout ends. */
  'hold',
  'done',
]);
export type DeviceStep = z.infer<typeof DeviceStep>;

/**
 * `refused`: the device refused the config; its Set was not applied, so
 * nothing was restored. `skipped`: a rollout stopped (budget, abort, a failed
 * canary) before this device's turn; nothing was done to it. `pre-empted`: an emergency change took the device over; what this change
 * had deployed was rolled back first. `reverted`: an emergency change whose
 * time to live ran out; the device runs its backup again.
 */
export const DeviceOutcome = z.enum(['deployed', 'in-sync', 'dry-run', 'rolled-back', 'refused', 'failed', 'pre-empted', 'reverted', 'skipped']);
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
  /** skipped: a rollout ended before the device's turn; nothing was done to it. */
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'rolled-back', 'skipped']),
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
  /**
   * A rollout member: started when the rollout takes its locks, it waits for
   * its wave, then holds the device after its runbook until the rollout
   * releases it (or asks it to roll back).
   */
  member: z.boolean().default(false),
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
  /**
   * What validation did not check now, and why: sessions and links whose far
   * end is still to be deployed in this rollout (checked after its wave), or
   * outside the change and not up before (waiting for that device).
   */
  notes: z.array(z.string()).optional(),
  timings: z.array(StepTiming),
});
export type DeviceChangeResult = z.infer<typeof DeviceChangeResult>;

/** One device in a change's result: enough to read the outcome; the details are the device workflow's result. */
export const DeviceResultSummary = z.object({
  device: DeviceName,
  outcome: DeviceOutcome,
  /** The wave it ran in (0 is the canary wave). */
  wave: z.number().int().nonnegative().optional(),
  diffSummary: z.string().max(300).optional(),
  reason: z.string().max(600).optional(),
  backupId: z.string().optional(),
  /** The change an emergency took the device from (it rolled back first). */
  preempted: z.object({ changeId: ChangeId, workflowId: z.string() }).optional(),
  /** The first of the device's validation notes (waiting for a far end outside the change, …). */
  notes: z.array(z.string().max(300)).max(5).optional(),
});
export type DeviceResultSummary = z.infer<typeof DeviceResultSummary>;

export const ChangeOutcomeSummary = z.enum([
  'succeeded',
  'partially-failed',
  'failed',
  'dry-run',
  /** Not approved in time: nothing touched. */
  'expired',
  /** An approver said no: nothing touched. */
  'rejected',
  /** An operator aborted it. */
  'aborted',
  /** The failure budget ran out (or a canary failed): the rollout stopped starting devices. */
  'stopped',
]);
export type ChangeOutcomeSummary = z.infer<typeof ChangeOutcomeSummary>;

/**
 * How a change ended as the Temporal UI's list shows it (the SynapseOutcome
 * search attribute, `synapse change list --outcome`): the result's outcome,
 * plus three that only the list needs. "rolled-back": it did not succeed and
 * nothing it deployed is left deployed (each device it touched was put back
 * to its backup): the fabric is as before. "rollback-failed": a rollback did
 * not restore a backup and a person must look. "cancelled": an operator
 * cancelled it and it rolled back what it had deployed.
 */
export const ListedOutcome = z.enum([...ChangeOutcomeSummary.options, 'rolled-back', 'rollback-failed', 'cancelled']);
export type ListedOutcome = z.infer<typeof ListedOutcome>;

export function listedOutcome(result: { outcome: ChangeOutcomeSummary; counts: Record<string, number> }): ListedOutcome {
  const rolledBack = result.counts['rolled-back'] ?? 0;
  const stillChanged = (result.counts.deployed ?? 0) + (result.counts.reverted ?? 0);
  if (result.outcome !== 'succeeded' && result.outcome !== 'dry-run' && rolledBack > 0 && stillChanged === 0) return 'rolled-back';
  return result.outcome;
}

/** Device names a change's list memo spells out; the rest are counted. */
export const LIST_MEMO_DEVICES = 5;

/**
 * What the list views (the Temporal UI's, `synapse change list`) show of a
 * change beyond its search attributes, kept in the workflow's memo: its
 * devices (a fleet's names outgrow a search attribute, so the first few and
 * a count), ticket and reason, and once it ends a one-line summary.
 */
export const ChangeListMemo = z.object({
  devices: z.string(),
  deviceCount: z.number().int().nonnegative(),
  ticket: z.string().optional(),
  reason: z.string().optional(),
  /** Once ended: "rolled-back: 2 devices (2 rolled-back)". */
  summary: z.string().optional(),
});
export type ChangeListMemo = z.infer<typeof ChangeListMemo>;

export function changeListMemo(change: { devices: readonly string[]; ticket?: string; reason?: string }): ChangeListMemo {
  const listed = change.devices.slice(0, LIST_MEMO_DEVICES).join(', ');
  const more = change.devices.length - LIST_MEMO_DEVICES;
  return {
    devices: more > 0 ? `${listed} +${more} more` : listed,
    deviceCount: change.devices.length,
    ...(change.ticket ? { ticket: change.ticket } : {}),
    ...(change.reason ? { reason: change.reason.slice(0, 200) } : {}),
  };
}

export function changeListSummary(result: { outcome: ChangeOutcomeSummary; counts: Record<string, number> }): string {
  const total = Object.values(result.counts).reduce((n, c) => n + c, 0);
  const counts = Object.entries(result.counts)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  return `${listedOutcome(result)}: ${total} ${total === 1 ? 'device' : 'devices'}${counts ? ` (${counts})` : ''}`;
}

export const WaveSummary = z.object({
  index: z.number().int().nonnegative(),
  canary: z.boolean().default(false),
  devices: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Devices the fabric check after this wave found broken (sessions or links down that should be up). */
  fabricProblems: z.number().int().nonnegative().default(0),
});
export type WaveSummary = z.infer<typeof WaveSummary>;

/**
 * A change's result: a summary, bounded whatever the fleet's size. Each
 * device's validations, timings and full reasons stay on its device workflow
 * (`device/<name>`, found by SynapseChangeId).
 */
export const ChangeResult = z.object({
  changeId: ChangeId,
  outcome: ChangeOutcomeSummary,
  /** Devices per outcome. */
  counts: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /**
   * One line per device, up to RESULT_DEVICES_LISTED; a larger change lists
   * only the devices that did not deploy (the first RESULT_DEVICES_LISTED of
   * them) and counts the rest in `devicesNotListed`: the counts stay whole.
   */
  devices: z.array(DeviceResultSummary),
  devicesNotListed: z.number().int().nonnegative().optional(),
  waves: z.array(WaveSummary).default([]),
  approval: ApprovalDecision.extend({ decision: z.enum(['approved', 'rejected', 'not required']), at: z.string().optional() }).optional(),
  /** What an operator should know about the rollout as a whole (why it stopped, re-planned devices, …). */
  notes: z.array(z.string()).default([]),
  /** The plan (a dry run's answer; a change's is its `plan` query): per device, what it would do and its wave. */
  plan: z.array(DevicePlan).optional(),
});
export type ChangeResult = z.infer<typeof ChangeResult>;

/** Devices a change's result lists one by one (see ChangeResult.devices). */
export const RESULT_DEVICES_LISTED = 200;

/** A device's result cut down for the change's summary: long texts shortened, details left on the device workflow. */
export function summarizeDeviceResult(result: DeviceChangeResult, wave?: number): DeviceResultSummary {
  const cut = (text: string | undefined, max: number) => (text === undefined ? undefined : text.length <= max ? text : `${text.slice(0, max - 1)}…`);
  const diffSummary = cut(result.diffSummary, 300);
  const reason = cut(result.reason, 600);
  return {
    device: result.device,
    outcome: result.outcome,
    ...(wave !== undefined ? { wave } : {}),
    ...(diffSummary ? { diffSummary } : {}),
    ...(reason ? { reason } : {}),
    ...(result.backup ? { backupId: result.backup.id } : {}),
    ...(result.preempted ? { preempted: result.preempted } : {}),
    ...(result.notes?.length ? { notes: result.notes.slice(0, 5).map((note) => cut(note, 300)!) } : {}),
  };
}

/**
 * Where a change's activities run. Production leaves this out and the queues
 * come from contracts' TASK_QUEUES. It is there for two cases: tests, where
 * every test file polls its own queues on one shared Temporal server, and a
 * deployment that runs a device worker per site on its own queue. It is a
 * second workflow argument rather than a ChangeRequest field because it is
 * about the deployment, not about the change an operator asks for. It only
 * picks: a queue outside contracts' own and the workflow worker's allow-list
 * (SYNAPSE_ACTIVITY_TASK_QUEUES, see unlistedActivityQueues) is refused.
 */
export const ActivityRouting = z
  .object({
    taskQueues: z
      .object({
        device: z.string().trim().min(1).optional(),
        /** Confirms and rollbacks, which must never wait behind long validations or scans. */
        deviceUrgent: z.string().trim().min(1).optional(),
        infrahub: z.string().trim().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type ActivityRouting = z.infer<typeof ActivityRouting>;
export type ActivityRoutingInput = z.input<typeof ActivityRouting>;
