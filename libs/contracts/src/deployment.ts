import { z } from 'zod';
import { BackupRef, ChangeId, DeviceName, ManagedConfig, OwnershipScope } from './device';
import { DeviceIntent } from './intent';

/**
 * What the source of truth records about deployments. Infrahub's own device
 * status (active, maintenance, …) says what a device is for; this says what
 * the last change did to it. Served by the project's schema extension.
 */
export const DeploymentState = z.enum([
  'pending',
  'deploying',
  'deployed',
  'in-sync',
  'failed',
  'rolled-back',
  'drifted',
  'needs-reconciliation',
]);
export type DeploymentState = z.infer<typeof DeploymentState>;

export const ChangeKind = z.enum(['standard', 'drift-remediation', 'emergency']);
export type ChangeKind = z.infer<typeof ChangeKind>;

export const ChangeOutcome = z.enum(['deployed', 'in-sync', 'rolled-back', 'refused', 'failed', 'dry-run', 'pre-empted', 'reverted', 'suppressed']);
export type ChangeOutcome = z.infer<typeof ChangeOutcome>;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex digest');

/** Where and when an intent was read: the audit trail names it, since a branch can be deleted after its deploy. */
export const IntentSource = z.object({
  branch: z.string().min(1),
  readAt: z.string().datetime(),
});
export type IntentSource = z.infer<typeof IntentSource>;

/** One device's part of a change, as kept in Infrahub for audit. */
export const ChangeRecord = z.object({
  changeId: ChangeId,
  kind: ChangeKind,
  device: DeviceName,
  requester: z.string().min(1),
  reason: z.string().min(1),
  ticket: z.string().min(1).optional(),
  outcome: ChangeOutcome,
  /** e.g. "3 added, 1 changed, 0 removed" plus the first paths; never the config itself. */
  diffSummary: z.string(),
  backup: BackupRef.optional(),
  /** Why it failed or rolled back, in an operator's words. */
  detail: z.string().optional(),
  workflowId: z.string().optional(),
  /** The branch and time the deployed intent was read at (absent when the change stopped before reading it). */
  intent: IntentSource.optional(),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
});
export type ChangeRecord = z.infer<typeof ChangeRecord>;

export const FetchDeviceConfigInput = z.object({
  device: DeviceName,
  /** Infrahub branch to read the intent from; the default branch when absent. */
  branch: z.string().min(1).optional(),
});
export type FetchDeviceConfigInput = z.infer<typeof FetchDeviceConfigInput>;

export const FetchDeviceConfigResult = z.object({
  device: DeviceName,
  intent: DeviceIntent,
  /** Rendered native config of the managed paths: path -> subtree. */
  config: ManagedConfig,
  /** sha256 of the canonical rendered config: equal intent, equal checksum. */
  checksum: Sha256,
  scope: OwnershipScope,
  source: IntentSource,
});
export type FetchDeviceConfigResult = z.infer<typeof FetchDeviceConfigResult>;

/**
 * Deployment state and change records are audit data: they are written on
 * Infrahub's default branch whatever branch the intent came from (the
 * schema extension makes them branch-agnostic), so deleting a branch after
 * its deploy does not erase what was done to the devices.
 */
export const UpdateDeviceStatusInput = z
  .object({
    device: DeviceName,
    state: DeploymentState,
    changeId: ChangeId,
    /** Checksum of the config now on the device, when a deploy succeeded. */
    configChecksum: Sha256.optional(),
    record: ChangeRecord.optional(),
    /**
     * Write the deployment state only while the device's last change is
     * still this one (the change record is written regardless): an outcome
     * recorded late, after another change (an emergency) took the device,
     * must not overwrite that change's state.
     */
    onlyIfCurrent: z.boolean().default(false),
  })
  // Strict: a caller still passing the branch it read from must hear that audit goes to the default branch.
  .strict();
export type UpdateDeviceStatusInput = z.infer<typeof UpdateDeviceStatusInput>;

export const UpdateDeviceStatusResult = z.object({
  device: DeviceName,
  state: DeploymentState,
  changeRecordId: z.string().optional(),
  /** false: `onlyIfCurrent` found another change on the device and left its deployment state alone (the record was written). */
  stateWritten: z.boolean().optional(),
});
export type UpdateDeviceStatusResult = z.infer<typeof UpdateDeviceStatusResult>;
