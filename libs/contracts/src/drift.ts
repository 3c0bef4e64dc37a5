import { z } from 'zod';
import { ChangeId, DeviceName, DocumentRef, GnmiPathString, ManagedConfig, OwnershipScope } from './device';
import { DeviceRole } from './intent';
import { DEFAULT_DELETION_BUDGET, DeletionBudget, UnmanagedConfig, ValidationSettings } from './change';
import { ApprovalSettings, DeviceFactsSchema, RolloutStrategy } from './rollout';

/**
 * Drift: the managed paths of a device, intended (Infrahub, rendered) against
 * running (gNMI Get CONFIG at the root), in canonical form. A drift run reports
 * it, or remediates it through the same per-device change path as a standard
 * change (backup, deploy, validate, rollback).
 */

/** Which devices a drift run looks at. */
export const DriftScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('devices'), devices: z.array(DeviceName).min(1, 'at least one device') }),
  z.object({
    kind: z.literal('role'),
    role: z
      .string()
      .trim()
      .min(1, 'a role is required')
      .refine((role) => (DeviceRole.options as readonly string[]).includes(role), `not a device role (one of ${DeviceRole.options.join(', ')})`),
  }),
  z.object({ kind: z.literal('all') }),
]);
export type DriftScope = z.infer<typeof DriftScope>;

export const DriftMode = z.enum(['report', 'remediate']);
export type DriftMode = z.infer<typeof DriftMode>;

export const DriftRequest = z.object({
  /**
   * Names this run in Infrahub (deployment state's last change id, change
   * records of remediations). Derived from the workflow id when absent, so a
   * scheduled run needs none.
   */
  driftId: ChangeId.optional(),
  scope: DriftScope,
  mode: DriftMode.default('report'),
  /** Devices per batch (one child workflow: one render and one checkDrift call): bounds each history. */
  batchSize: z.number().int().min(1).max(200).default(25),
  /** Devices read (within a batch) or remediated at once. */
  concurrency: z.number().int().min(1).max(100).default(5),
  /** Batches checked at once: devices read at once across the run = parallelBatches x concurrency. */
  parallelBatches: z.number().int().min(1).max(50).default(2),
  requester: z.string().trim().min(1, 'a requester is required'),
  reason: z.string().trim().min(1, 'a reason is required'),
  /** Infrahub branch holding the intent; its default branch when absent. */
  branch: z.string().min(1).optional(),
  /** Validation of a remediation, as for a standard change. */
  validation: ValidationSettings.default({ settleTimeoutSeconds: 60, commitConfirmed: true }),
  /** Deletions a remediation of one device may make (stale owned entries put right). */
  deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
  /** Name the config Synapse does not own on each device (always counted; listed only on request). */
  listUnmanaged: z.boolean().default(false),
  /** Remediate at most this many drifted devices per run; the rest are reported drifted for the next. */
  maxRemediations: z.number().int().min(1).max(10_000).default(50),
  /**
   * A remediation is a rollout and waits for approval unless this schedule
   * is allowed to remediate what it finds (`required: false`, where the
   * server's policy lets requests waive approval).
   */
  approval: ApprovalSettings.default({ required: true, timeoutSeconds: 86_400 }),
  /** Waves and failure budget of the remediation rollout. */
  strategy: RolloutStrategy.prefault({}),
});
export type DriftRequest = z.infer<typeof DriftRequest>;
export type DriftRequestInput = z.input<typeof DriftRequest>;

/**
 * One drifted leaf or entry. `before` is the intended value (what the device
 * had before someone drifted it), `after` what the device runs now; a side
 * that does not exist is absent (a neighbor removed on the device has no
 * `after`, an entry added out of band no `before`).
 */
export const DriftedPath = z.object({
  path: GnmiPathString,
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type DriftedPath = z.infer<typeof DriftedPath>;

/**
 * `unchecked`: its intent could not be read or rendered (not in Infrahub any
 * more, invalid); the device was not read, and the rest of the run went on.
 */
/**
 * How much of one device's drift a report carries. Workflow payloads are
 * limited (2 MB each, warned from 512 KB), and a batch of devices that never
 * got their intent would otherwise list every managed subtree in full.
 */
export const DRIFT_REPORT_LIMITS = {
  /** Drifted paths listed per device; the rest are counted in omittedPaths. */
  paths: 50,
  /** A before/after value whose JSON is longer than this is replaced by a note of its size. */
  valueChars: 1024,
} as const;

export const DeviceDriftState = z.enum(['in-sync', 'drifted', 'unreachable', 'unchecked', 'suppressed', 'remediated', 'remediation-failed']);
export type DeviceDriftState = z.infer<typeof DeviceDriftState>;

export const DeviceDriftStatus = z.object({
  device: DeviceName,
  status: DeviceDriftState,
  /** What differed when checked (kept for `remediated` too, so the report says what was put back); the first DRIFT_REPORT_LIMITS.paths. */
  drifted: z.array(DriftedPath).default([]),
  /** Drifted paths beyond those listed: a device far from its intent (never configured, wiped) is summarised, not listed whole. */
  omittedPaths: z.number().int().nonnegative().optional(),
  /** e.g. "1 changed, 0 added, 1 removed: …" (device-config's summarizeDiff). */
  summary: z.string().optional(),
  /** Why: the transport error, the maintenance status, the remediation's reason. */
  detail: z.string().optional(),
  /** The device workflow that remediated it (`device/<name>`). */
  remediationWorkflowId: z.string().optional(),
  /** What a deploy would add, change and remove, every path counted (a plan's summary table). */
  counts: z.object({ added: z.number().int().nonnegative(), changed: z.number().int().nonnegative(), removed: z.number().int().nonnegative() }).optional(),
  /** Peer addresses and interfaces whose owned config differs (every one, not just those listed in `drifted`). */
  affected: z.object({ sessions: z.array(z.string()), interfaces: z.array(z.string()) }).optional(),
  /** Policies the intent names without defining that the device does not have: a deploy would be refused. */
  missingPolicies: z.array(z.object({ group: z.string(), direction: z.enum(['import', 'export']), policy: z.string() })).optional(),
  /** What a deploy would delete (stale owned entries and leaves); also among the drifted paths. */
  deletions: z.number().int().nonnegative().optional(),
  /** Config present on the device that Synapse does not own: never drift, never remediated. */
  unmanaged: UnmanagedConfig.optional(),
});
export type DeviceDriftStatus = z.infer<typeof DeviceDriftStatus>;

/** One device to check: its intended config, rendered from Infrahub. */
export const DriftCheckTarget = z
  .object({
    device: DeviceName,
    config: ManagedConfig.optional(),
    /**
     * The rendered config by reference (the document store): no config
     * crosses Temporal. The device worker compares the checksum of what the
     * device runs on the owned paths with this digest first, and diffs only
     * a device that differs.
     */
    configRef: DocumentRef.optional(),
    scope: OwnershipScope.default({ protectedInterfaces: [], requiredPolicies: [] }),
  })
  .refine((t) => (t.config === undefined) !== (t.configRef === undefined), { message: 'give the rendered config or its configRef, one of them', path: ['config'] });
export type DriftCheckTarget = z.infer<typeof DriftCheckTarget>;

/**
 * A batch for the device worker, which has no Infrahub access: the rendered
 * configs travel with it. Batches keep each of these history events small.
 */
export const CheckDriftInput = z.object({
  devices: z.array(DriftCheckTarget).min(1, 'at least one device').max(200),
  /** Devices read at once. */
  concurrency: z.number().int().min(1).max(100).default(5),
  /** Name the unmanaged config (it is always counted). */
  listUnmanaged: z.boolean().default(false),
});
export type CheckDriftInput = z.infer<typeof CheckDriftInput>;

/** Per device, in the input's order: `in-sync`, `drifted` or `unreachable`. */
export const CheckDriftResult = z.object({
  devices: z.array(DeviceDriftStatus),
});
export type CheckDriftResult = z.infer<typeof CheckDriftResult>;

/** A batch of devices whose intents the infrahub worker reads and renders for a drift check. */
export const RenderIntentsInput = z.object({
  devices: z.array(DeviceName).min(1, 'at least one device').max(200),
  branch: z.string().min(1).optional(),
  /** Read every intent as it was at this instant (Infrahub's time travel): a rollout's plan is one point in time. */
  at: z.string().datetime({ offset: true }).optional(),
  /** Intents read from Infrahub at once. */
  concurrency: z.number().int().min(1).max(100).default(5),
  /** Store each rendered config in the document store and answer its configRef instead of the config. */
  byReference: z.boolean().default(false),
});
export type RenderIntentsInput = z.infer<typeof RenderIntentsInput>;

/**
 * Per device, in the input's order: its rendered config, or why there is
 * none. Only a device's own fault (no intent, an intent that does not
 * validate or render) is answered here; Infrahub being unreachable fails the
 * whole activity, which is retried.
 */
export const RenderIntentsResult = z.object({
  devices: z.array(
    z.union([
      z.object({
        device: DeviceName,
        /** The rendered config, or (byReference) configRef instead. */
        config: ManagedConfig.optional(),
        configRef: DocumentRef.optional(),
        scope: OwnershipScope,
        /** For a rollout's plan: the device's role (wave order), its rendered config's checksum, and the far ends of its sessions and links. */
        role: z.string().optional(),
        checksum: z.string().optional(),
        facts: DeviceFactsSchema.optional(),
      }),
      z.object({ device: DeviceName, problem: z.string().min(1) }),
    ]),
  ),
});
export type RenderIntentsResult = z.infer<typeof RenderIntentsResult>;

/** One batch of a drift run, checked by its own child workflow so the run's history stays small. */
export const DriftBatchInput = z.object({
  driftId: ChangeId,
  devices: z.array(DeviceName).min(1).max(200),
  concurrency: z.number().int().min(1).max(100),
  branch: z.string().min(1).optional(),
  listUnmanaged: z.boolean().default(false),
});
export type DriftBatchInput = z.infer<typeof DriftBatchInput>;

export const ListDevicesInScopeInput = z.object({
  scope: DriftScope,
  branch: z.string().min(1).optional(),
});
export type ListDevicesInScopeInput = z.infer<typeof ListDevicesInScopeInput>;

/** Infrahub statuses whose devices are reported but never read or touched. */
export const SUPPRESSED_DEVICE_STATUSES = ['maintenance'] as const;

export const DeviceInScope = z.object({
  device: DeviceName,
  /** Infrahub's device status (active, maintenance, …). */
  status: z.string().optional(),
  suppressed: z.boolean(),
});
export type DeviceInScope = z.infer<typeof DeviceInScope>;

export const ListDevicesInScopeResult = z.object({
  devices: z.array(DeviceInScope),
  /** Devices the scope named that Infrahub does not know. */
  unknown: z.array(DeviceName).default([]),
});
export type ListDevicesInScopeResult = z.infer<typeof ListDevicesInScopeResult>;

export const DriftReport = z.object({
  driftId: ChangeId,
  mode: DriftMode,
  scope: DriftScope,
  /** One per device in scope, in Infrahub's (or the request's) order. */
  devices: z.array(DeviceDriftStatus),
  counts: z.record(DeviceDriftState, z.number().int().nonnegative()),
});
export type DriftReport = z.infer<typeof DriftReport>;
