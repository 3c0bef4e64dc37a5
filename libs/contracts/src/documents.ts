import { z } from 'zod';
import { DeletionBudget, DEFAULT_DELETION_BUDGET, UnmanagedConfig } from './change';
import { BackupRef, ChangeId, DeviceName, DeviceStates, DocumentRef, ExpectedBgpNeighbor, ExpectedInterface, GnmiPathString, OwnershipScope, PathUpdate, ValidationResult } from './device';
import { IntentSource, Sha256 } from './deployment';

/**
 * Step 1 of a device's change by reference: the intent read from Infrahub
 * and rendered, the config stored, and what the workflow needs from the
 * intent computed by the activity (validation expectations, the far ends of
 * sessions and links), so neither the intent nor its config enters history.
 */
export const RenderDeviceIntentInput = z.object({
  device: DeviceName,
  branch: z.string().min(1).optional(),
  /** An emergency patch's paths: what it changes is left out of the expectations (expectationsOutsidePatch). */
  patchPaths: z.array(GnmiPathString).optional(),
});
export type RenderDeviceIntentInput = z.infer<typeof RenderDeviceIntentInput>;

export const RenderedIntent = z.object({
  device: DeviceName,
  /** The rendered config, in the document store. */
  config: DocumentRef,
  /** sha256 of the canonical rendered config: equal intent, equal checksum (the same digest as config.sha256). */
  checksum: Sha256,
  scope: OwnershipScope,
  source: IntentSource,
  /** What must hold after the deploy (the intent's, or outside an emergency patch). */
  expectations: z.object({ neighbors: z.array(ExpectedBgpNeighbor), interfaces: z.array(ExpectedInterface) }),
  /** The intent's sessions and links with their far ends: a rollout member's baseline-relative validation. */
  facts: z.object({
    neighbors: z.array(z.object({ address: z.string(), peerAs: z.number().int().positive().optional(), peer: z.string().optional() })),
    interfaces: z.array(z.object({ name: z.string(), enabled: z.boolean(), peer: z.string().optional() })),
  }),
});
export type RenderedIntent = z.infer<typeof RenderedIntent>;

/**
 * Step 2, one round trip: the backup (the whole running config into the
 * backup store), the plan (the stored intended config against that backup,
 * on what Synapse owns), the archive of the backup when the plan deploys
 * something, and for a rollout member the sessions and interfaces as they
 * are before the deploy (the baseline).
 */
export const PrepareDeployInput = z.object({
  device: DeviceName,
  changeId: ChangeId,
  workflowId: z.string().min(1),
  reason: z.string().optional(),
  config: DocumentRef,
  scope: OwnershipScope.default({ protectedInterfaces: [], requiredPolicies: [] }),
  deletionBudget: DeletionBudget.default(DEFAULT_DELETION_BUDGET),
  /** A dry run: no archive, and the whole diff comes back (showing it is what a dry run is for). */
  dryRun: z.boolean().default(false),
  /** An emergency patch is its own plan: the backup only, no diff against the intent. */
  backupOnly: z.boolean().default(false),
  /** Read the device's sessions and interfaces too (a rollout member's baseline). */
  baseline: z.boolean().default(false),
});
export type PrepareDeployInput = z.infer<typeof PrepareDeployInput>;

export const PlannedChange = z.object({
  /** e.g. "1 changed, 2 added, 0 removed: /interface[name=ethernet-1/1]/mtu, …" */
  summary: z.string(),
  inSync: z.boolean(),
  counts: z.object({ added: z.number().int().nonnegative(), changed: z.number().int().nonnegative(), removed: z.number().int().nonnegative() }),
  /** What the deploy deletes (owned entries and leaves the intent dropped). */
  stalePaths: z.array(GnmiPathString).default([]),
  unmanaged: UnmanagedConfig.default({ count: 0, paths: [] }),
  /** A dry run's whole diff; absent otherwise (it holds config values). */
  diff: z
    .object({
      added: z.array(z.object({ path: GnmiPathString, value: z.unknown() })),
      removed: z.array(z.object({ path: GnmiPathString, value: z.unknown() })),
      changed: z.array(z.object({ path: GnmiPathString, before: z.unknown(), after: z.unknown() })),
    })
    .optional(),
});
export type PlannedChange = z.infer<typeof PlannedChange>;

/** A part of one activity, timed by the activity, so the runbook's progress still shows each step. */
export const SubStepTiming = z.object({
  step: z.enum(['backup', 'diff', 'store-backup', 'baseline', 'validate-bgp', 'validate-interfaces', 'confirm', 'record-ownership']),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
});
export type SubStepTiming = z.infer<typeof SubStepTiming>;

export const PrepareDeployResult = z.object({
  device: DeviceName,
  /** The backup; archived (a commit in the backup history, the id results show) when the plan deploys something. */
  backup: BackupRef,
  archived: z.boolean(),
  /** Absent for an emergency patch (backupOnly). */
  plan: PlannedChange.optional(),
  /** Sessions and interfaces before the deploy; absent when not asked for or the read failed (the validation then has no baseline). */
  baseline: DeviceStates.optional(),
  /** Each part's own time (backup, diff, store-backup, baseline: those that ran). */
  steps: z.array(SubStepTiming).default([]),
});
export type PrepareDeployResult = z.infer<typeof PrepareDeployResult>;

/**
 * Steps 5–7 in one round trip: BGP and interfaces validated together within
 * one settle window; when both pass, the pending commit confirmed at once
 * (the commit-confirmed timer is running: no queue between the verdict and
 * the confirm) and the deployed config recorded as owned. A validation that
 * fails confirms nothing and records nothing: the workflow rolls back.
 */
export const ValidateAndConfirmInput = z.object({
  device: DeviceName,
  changeId: ChangeId,
  workflowId: z.string().min(1),
  networkInstance: z.string().min(1).default('default'),
  neighbors: z.array(ExpectedBgpNeighbor),
  interfaces: z.array(ExpectedInterface),
  settleTimeoutSeconds: z.number().int().min(1).max(3600),
  /** The deploy's pending commit and what it wrote (a lost confirm answer is settled by reading the device back). */
  confirm: z
    .object({
      commitId: z.string().min(1),
      deployed: z.object({ configRef: DocumentRef.optional(), update: z.array(PathUpdate).default([]), delete: z.array(GnmiPathString).default([]) }),
    })
    .optional(),
  /** Record this rendered config as what Synapse now owns on the device (not for a patch or an emergency with a time to live). */
  recordOwnership: DocumentRef.optional(),
});
export type ValidateAndConfirmInput = z.infer<typeof ValidateAndConfirmInput>;

export const ValidateAndConfirmResult = z.object({
  device: DeviceName,
  bgp: ValidationResult,
  interfaces: ValidationResult,
  /** The commit was confirmed (false: validation failed, or there was no pending commit). */
  confirmed: z.boolean(),
  /** The ownership record could not be written: said, not fatal (the device runs the change). */
  ownershipProblem: z.string().optional(),
  /** Each part's own time, so the runbook's progress still shows them as steps. */
  steps: z.array(SubStepTiming),
});
export type ValidateAndConfirmResult = z.infer<typeof ValidateAndConfirmResult>;
