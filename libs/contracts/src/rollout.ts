import { z } from 'zod';
import { DeviceName } from './device';
import { DeviceRole } from './intent';

/**
 * A change on a fabric is a rollout: a plan, an approval, a canary, waves
 * with a soak and a failure budget, and a fabric check after each wave. The
 * shapes an operator asks for and reads back live here; the rollout's own
 * workflow is NetworkChangeWorkflow.
 */

/** Roles whose devices come in redundant pairs: a wave never holds both devices of a pair, so a pair never goes down together. */
export const ONE_AT_A_TIME_ROLES: DeviceRole[] = ['spine', 'core', 'edge'];

export const RolloutStrategy = z
  .object({
    /**
     * Deployed first, alone, before anything else: named devices, or the
     * first `count` devices of `role` (of any role without one). A canary
     * that fails stops the rollout.
     */
    canary: z
      .object({
        devices: z.array(DeviceName).default([]),
        count: z.number().int().min(0).max(100).default(0),
        role: DeviceRole.optional(),
      })
      .default({ devices: [], count: 0 }),
    /** Devices per wave after the canary (default 25)… */
    waveSize: z.number().int().min(1).max(1000).optional(),
    /** …or a share of the change's devices per wave. */
    wavePercent: z.number().min(1).max(100).optional(),
    /** Roles whose redundant pairs (sharing a far end, or each other's) never share a wave: both devices of a pair are never changed at once. */
    oneAtATimeRoles: z.array(DeviceRole).default(ONE_AT_A_TIME_ROLES),
    /** Wait after each wave before the next starts: the fabric settles, monitoring catches up. */
    soakSeconds: z.number().int().min(0).max(7 * 86_400).default(0),
    /**
     * Devices that may fail or roll back before the rollout stops starting
     * devices: a count, or a share of the change (the larger applies when
     * both are given). Zero: the first failure stops it.
     */
    failureBudget: z
      .object({
        count: z.number().int().min(0).optional(),
        percent: z.number().min(0).max(100).optional(),
      })
      .default({ count: 0 }),
    /** When the budget is exceeded: stop and leave what is deployed, or stop and roll every deployed device back. */
    onBudgetExceeded: z.enum(['stop', 'rollback']).default('stop'),
  })
  .superRefine((strategy, ctx) => {
    if (strategy.waveSize !== undefined && strategy.wavePercent !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['wavePercent'], message: 'give waveSize or wavePercent, not both' });
    }
  });
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;
export type RolloutStrategyInput = z.input<typeof RolloutStrategy>;

export const DEFAULT_WAVE_SIZE = 25;

export const ApprovalSettings = z.object({
  /** Wait for an approver before touching anything (the default). Labs, and drift remediation a schedule is allowed to do, turn it off. */
  required: z.boolean().default(true),
  /** Not approved within this: the change ends `expired`, nothing touched. */
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
});
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

/** Approve or reject: who decides, and why. */
export const ApprovalDecision = z.object({
  approver: z.string().trim().min(1, 'an approver is required'),
  comment: z.string().trim().max(2000).default(''),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
export type ApprovalDecisionInput = z.input<typeof ApprovalDecision>;

/** Pause, resume or abort: who acts, and why. */
export const OperatorAction = z.object({
  by: z.string().trim().min(1, 'who acts is required'),
  reason: z.string().trim().max(2000).default(''),
});
export type OperatorAction = z.infer<typeof OperatorAction>;
export type OperatorActionInput = z.input<typeof OperatorAction>;

export const AbortRequest = OperatorAction.extend({
  /** Also put every device this change deployed back to its backup. */
  rollback: z.boolean().default(false),
});
export type AbortRequest = z.infer<typeof AbortRequest>;
export type AbortRequestInput = z.input<typeof AbortRequest>;

/** Workflow Update names of a rollout (the operator's controls). */
export const UPDATES = {
  approve: 'approve',
  reject: 'reject',
  pause: 'pause',
  resume: 'resume',
  abort: 'abort',
} as const;

/**
 * What the server allows, read by the workflow worker from its own
 * configuration (SYNAPSE_REQUIRE_APPROVAL, SYNAPSE_ALLOW_SELF_APPROVAL), never
 * from a request: whoever can start a change must not be able to waive
 * its approval policy.
 */
export const ApprovalPolicy = z.object({
  /** false: a request may ask to skip approval (labs); true: every change waits for one. */
  approvalRequired: z.boolean(),
  /** The requester may approve their own change. */
  allowSelfApproval: z.boolean(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export const ChangePhase = z.enum(['planning', 'awaiting-approval', 'locking', 'rolling-out', 'paused', 'soaking', 'rolling-back', 'releasing', 'done']);
export type ChangePhase = z.infer<typeof ChangePhase>;

/** contracts' DeviceFacts as a schema, for what crosses Temporal. */
export const DeviceFactsSchema = z.object({
  neighbors: z.array(z.object({ address: z.string().min(1), peerAs: z.number().int().optional(), peer: DeviceName.optional() })),
  interfaces: z.array(z.object({ name: z.string().min(1), enabled: z.boolean(), peer: DeviceName.optional() })),
});

/**
 * One device in a rollout's plan: what the change will do to it, read once
 * before anything is touched, and what an approver should know.
 */
export const DevicePlan = z.object({
  device: DeviceName,
  role: z.string().optional(),
  /** changes: it will be deployed; in-sync: nothing to do; unreachable or unchecked: the plan could not say (the device is still tried). */
  status: z.enum(['changes', 'in-sync', 'unreachable', 'unchecked']),
  summary: z.string().optional(),
  counts: z.object({ added: z.number().int(), changed: z.number().int(), removed: z.number().int() }).default({ added: 0, changed: 0, removed: 0 }),
  /** The first paths the change adds, changes or removes on this device (PLAN_PATHS_LISTED, fewer in a large plan: planPathsListed); all are counted in `counts`. */
  paths: z.array(z.object({ path: z.string(), op: z.enum(['add', 'change', 'remove']) })).default([]),
  /** The wave it falls in (0 is the canary wave); absent when it is not deployed (in sync, refused). */
  wave: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().default(0),
  /** Checksum of the rendered intent planned: execution deploys this, or re-plans. */
  checksum: z.string().optional(),
  /** The instant the intent was read at (the whole plan's), so the plan says which intent was approved. */
  intentReadAt: z.string().optional(),
  /** Peer addresses of the BGP sessions the change adds, removes or alters. */
  sessions: z.array(z.string()).default([]),
  /** Interfaces it adds, removes or alters. */
  interfaces: z.array(z.string()).default([]),
  /** The devices at the far ends of its sessions and links (wave order, readiness). */
  peers: z.array(DeviceName).default([]),
  /** Down before the change, which the change does not touch: reported, never a reason to roll back. */
  problems: z.array(z.string()).default([]),
  /** Sessions to devices outside the change that are not up: they will be reported as waiting, not waited for. */
  warnings: z.array(z.string()).default([]),
  detail: z.string().optional(),
});
export type DevicePlan = z.infer<typeof DevicePlan>;

/** Paths listed per device in a plan: a plan of 1,000 devices stays a bounded payload; the counts are whole. */
export const PLAN_PATHS_LISTED = 20;
/** Paths listed over a whole plan: a plan of 1,000 devices lists a few per device (its counts stay whole), so the plan stays a bounded payload. */
export const PLAN_PATHS_BUDGET = 4_000;

/** Paths each device of a plan of `devices` lists: PLAN_PATHS_LISTED, fewer in a large plan, at least one. */
export function planPathsListed(devices: number): number {
  return Math.max(1, Math.min(PLAN_PATHS_LISTED, Math.floor(PLAN_PATHS_BUDGET / Math.max(1, devices))));
}

export const PlanBatchInput = z.object({
  changeId: z.string().min(1),
  devices: z.array(DeviceName).min(1).max(200),
  /** Every device of the change: a far end in it is not "outside the change". */
  changeDevices: z.array(DeviceName).default([]),
  concurrency: z.number().int().min(1).max(100),
  branch: z.string().min(1).optional(),
  /** The instant every batch of one plan reads its intents at (Infrahub's `at`). */
  at: z.string().datetime({ offset: true }).optional(),
  /** Paths listed per device (planPathsListed of the whole plan's size). */
  pathsListed: z.number().int().min(1).max(PLAN_PATHS_LISTED).default(PLAN_PATHS_LISTED),
});
export type PlanBatchInput = z.infer<typeof PlanBatchInput>;

export const PlanBatchResult = z.object({
  devices: z.array(DevicePlan),
  /** Refusals found (missing policies, unrenderable intents), in the change's words. */
  refusals: z.array(z.object({ device: DeviceName, message: z.string() })).default([]),
});
export type PlanBatchResult = z.infer<typeof PlanBatchResult>;

/** A rollout's progress (the `progress` query of NetworkChangeWorkflow); per-device detail is each device workflow's own `progress`. */
export const RolloutProgress = z.object({
  changeId: z.string(),
  phase: ChangePhase,
  devices: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  waves: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      canary: z.boolean(),
      devices: z.array(DeviceName),
      state: z.enum(['pending', 'running', 'done', 'skipped']),
    }),
  ),
  currentWave: z.number().int().nonnegative().optional(),
  approval: z
    .object({ state: z.enum(['waiting', 'approved', 'rejected', 'expired', 'not required']), by: z.string().optional(), comment: z.string().optional(), deadline: z.string().optional() })
    .optional(),
  paused: z.object({ by: z.string(), reason: z.string() }).optional(),
  /** Devices another change holds while this one waits for its locks, and who holds them. */
  waitingForLocks: z.array(z.object({ device: DeviceName, holder: z.string() })).default([]),
  notes: z.array(z.string()).default([]),
});
export type RolloutProgress = z.infer<typeof RolloutProgress>;
