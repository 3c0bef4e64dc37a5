import { z } from 'zod';
import { ChangeId, DeviceName } from './device';
import { DeviceChangeInput, DeviceOutcome } from './change';

/**
 * What a rollout's workflows hand each other: NetworkChangeWorkflow (the
 * change), DeviceGroupWorkflow (up to ROLLOUT_GROUP_SIZE device workflows
 * and their locks) and WaveWorkflow (one wave's devices). Each is bounded by
 * its group or wave, never by the fleet.
 */

/** Device workflows per group: the group's history grows with this, not with the change. */
export const ROLLOUT_GROUP_SIZE = 100;

/** One device as its group runs it: the plan's checksum to execute and where its far ends are in the rollout. */
export const MemberPlan = z.object({
  device: DeviceName,
  /** The rendered intent's checksum the approver saw: a different one at execution means re-plan. */
  checksum: z.string().optional(),
  wave: z.number().int().nonnegative(),
  /** Far ends in this change with their wave; -1: runs its target config already (in sync at plan time). */
  peers: z.array(z.object({ device: DeviceName, wave: z.number().int().min(-1) })).default([]),
});
export type MemberPlan = z.infer<typeof MemberPlan>;

export const DeviceGroupInput = z.object({
  changeId: ChangeId,
  index: z.number().int().positive(),
  members: z.array(MemberPlan).min(1).max(1000),
  /** Every member's DeviceChangeInput but its name. */
  device: DeviceChangeInput.omit({ device: true, member: true }),
  /** How long to wait for a device another change holds before giving up on the whole change. */
  lockTimeoutSeconds: z.number().int().nonnegative(),
});
export type DeviceGroupInput = z.infer<typeof DeviceGroupInput>;

/** One device's end in the rollout, as its group saw it. */
export const MemberOutcome = z.object({
  device: DeviceName,
  outcome: DeviceOutcome,
  reason: z.string().optional(),
  backupId: z.string().optional(),
  diffSummary: z.string().optional(),
  notes: z.array(z.string()).optional(),
  preempted: z.object({ changeId: ChangeId, workflowId: z.string() }).optional(),
  /** The device is in an unknown state (its rollback failed, or its workflow ended without an outcome): an operator must look. */
  needsOperator: z.boolean().default(false),
});
export type MemberOutcome = z.infer<typeof MemberOutcome>;

export const DeviceGroupResult = z.object({
  members: z.array(MemberOutcome),
});
export type DeviceGroupResult = z.infer<typeof DeviceGroupResult>;

export const WaveInput = z.object({
  changeId: ChangeId,
  index: z.number().int().nonnegative(),
  canary: z.boolean(),
  /** The wave's devices and the group workflow (id) each belongs to. */
  devices: z.array(z.object({ device: DeviceName, group: z.string().min(1), checksum: z.string().optional() })).min(1).max(1000),
  /** Every group of the change: the fabric check after the wave covers every device changed so far. */
  groups: z.array(z.string().min(1)).min(1),
  concurrency: z.number().int().min(1).max(100),
  /** Failures this wave may have before it stops starting devices (the change's remaining budget). */
  failuresAllowed: z.number().int().nonnegative(),
  /** Devices of earlier waves that do not run their target config (failed, rolled back, skipped): not ready as far ends. */
  notDeployed: z.array(DeviceName).default([]),
  /** How long the fabric check waits for sessions and links to come up. */
  settleTimeoutSeconds: z.number().positive(),
});
export type WaveInput = z.infer<typeof WaveInput>;

/** How a device's turn in a wave ended: its outcome, or that its intent moved since the plan (re-planned). */
export const WaveDeviceOutcome = z.object({
  device: DeviceName,
  outcome: z.union([DeviceOutcome, z.literal('intent-changed')]),
  reason: z.string().optional(),
  /** intent-changed: the checksum of the intent found at execution. */
  checksum: z.string().optional(),
});
export type WaveDeviceOutcome = z.infer<typeof WaveDeviceOutcome>;

export const WaveResult = z.object({
  index: z.number().int().nonnegative(),
  devices: z.array(WaveDeviceOutcome),
  /** Devices changed so far whose sessions or links the fabric check found down (each with what it found). */
  fabricProblems: z.array(z.object({ device: DeviceName, problems: z.array(z.string()) })).default([]),
  /** Why the wave stopped starting devices, when it did. */
  stopped: z.string().optional(),
});
export type WaveResult = z.infer<typeof WaveResult>;
