import { z } from 'zod';
import { ChangeId, ConfigPatch, DeviceName } from './device';
import { rejectDuplicateDevices, ValidationSettings } from './change';

/**
 * An emergency change: something must change now, outside the normal
 * process. It still backs up, validates and rolls back; it takes the device
 * from a standard change running on it (which rolls back first); it may
 * undo itself after a time to live; and it leaves the device marked
 * `needs-reconciliation` in Infrahub, so the intent catches up afterwards.
 */

/**
 * The reduced validation of an emergency: interfaces and BGP, with a short
 * settle time instead of a standard change's soak.
 */
export const EMERGENCY_VALIDATION: ValidationSettings = { settleTimeoutSeconds: 15, commitConfirmed: true };

/** What an emergency applies: an explicit patch, or each device's intent from Infrahub. */
export const EmergencySource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patch'), patch: ConfigPatch }),
  z.object({ kind: z.literal('intent'), branch: z.string().min(1).optional() }),
]);
export type EmergencySource = z.infer<typeof EmergencySource>;

const required = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `an emergency change needs ${what}` : undefined) })
    .trim()
    .min(1, `an emergency change needs ${what}`);

export const EmergencyChangeRequest = z
  .object({
    changeId: ChangeId,
    devices: z.array(DeviceName).min(1, 'at least one device'),
    /** Why the normal process is bypassed: kept in the change record. */
    reason: required('a reason'),
    /** The incident or change ticket it answers to. */
    ticket: required('a ticket'),
    /** The operator, recorded on every change record and search attribute. */
    requester: required('a requester (the operator)'),
    source: EmergencySource,
    /** Put the backup back this long after the emergency config validated; absent: it stays. */
    revertAfterSeconds: z.number().int().min(10).max(7 * 86_400).optional(),
    /** How long to wait for a pre-empted standard change to roll back and let go of the device. */
    preemptTimeoutSeconds: z.number().int().min(5).max(3600).default(300),
    /** Devices changed at once. */
    concurrency: z.number().int().min(1).max(100).default(10),
    validation: ValidationSettings.default(EMERGENCY_VALIDATION),
  })
  .superRefine(rejectDuplicateDevices);
export type EmergencyChangeRequest = z.infer<typeof EmergencyChangeRequest>;
export type EmergencyChangeRequestInput = z.input<typeof EmergencyChangeRequest>;

/** Operators' Updates on a running emergency. */
export const EMERGENCY_UPDATES = {
  /** Put the backups back now instead of when the time to live runs out (`synapse emergency revert`). */
  revertNow: 'revertNow',
} as const;

export const RevertNowRequest = z.object({
  by: z.string().trim().min(1, 'who reverts is required'),
  reason: z.string().trim().max(2000).default(''),
});
export type RevertNowRequest = z.infer<typeof RevertNowRequest>;
export type RevertNowRequestInput = z.input<typeof RevertNowRequest>;

/** The emergency's answer: the devices told to revert now (those already done are not among them). */
export const RevertNowAnswer = z.object({ changeId: ChangeId, devices: z.array(DeviceName) });
export type RevertNowAnswer = z.infer<typeof RevertNowAnswer>;
