import { randomBytes } from 'node:crypto';
import { ChangeRequest } from '@synapse/contracts';
import { currentOperator } from './operator';
import { parseRequestFlags } from './request-flags';

/** The flags of `synapse change start` and `change plan`, as commander hands them over (numbers still text). */
export interface ChangeStartFlags {
  /** Every --device and --devices value, in the order typed (the order matters: waves follow it). */
  devices?: string[];
  reason?: string;
  requester?: string;
  ticket?: string;
  branch?: string;
  dryRun?: boolean;
  concurrency?: string;
  settleSeconds?: string;
  deletionBudget?: string;
  commitConfirmed?: boolean;
  changeId?: string;
  /** false with --no-approval. */
  approval?: boolean;
  approvalTimeout?: string;
  canary?: string[];
  canaryCount?: string;
  canaryRole?: string;
  waveSize?: string;
  wavePercent?: string;
  soak?: string;
  failureBudget?: string;
  failureBudgetPercent?: string;
  onBudgetExceeded?: string;
  lockTimeout?: string;
}

/** Which flag sets which field of ChangeRequest, so an error names what the operator typed. */
const FLAG_FOR_FIELD: Record<string, string> = {
  changeId: '--change-id',
  devices: '--device/--devices',
  reason: '--reason',
  requester: '--requester',
  ticket: '--ticket',
  branch: '--branch',
  dryRun: '--dry-run',
  concurrency: '--concurrency',
  'validation.settleTimeoutSeconds': '--settle-seconds',
  'validation.commitConfirmed': '--no-commit-confirmed',
  deletionBudget: '--deletion-budget',
  'approval.required': '--no-approval',
  'approval.timeoutSeconds': '--approval-timeout',
  'strategy.canary.devices': '--canary',
  'strategy.canary.count': '--canary-count',
  'strategy.canary.role': '--canary-role',
  'strategy.waveSize': '--wave-size',
  'strategy.wavePercent': '--wave-percent',
  'strategy.soakSeconds': '--soak',
  'strategy.failureBudget.count': '--failure-budget',
  'strategy.failureBudget.percent': '--failure-budget-percent',
  'strategy.onBudgetExceeded': '--on-budget-exceeded',
  lockTimeoutSeconds: '--lock-timeout',
};

/**
 * Builds the request exactly as the workflow will parse it (contracts'
 * ChangeRequest), so a request the CLI accepts is one the workflow accepts,
 * and a bad one is refused here, before anything is started.
 */
export function changeRequestFromFlags(flags: ChangeStartFlags, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): ChangeRequest {
  const devices = (flags.devices ?? []).flatMap((list) => list.split(',')).map((d) => d.trim()).filter((d) => d !== '');
  const input = {
    changeId: flags.changeId ?? generateChangeId(now),
    devices,
    reason: flags.reason ?? '',
    requester: flags.requester ?? currentOperator(env),
    ...(flags.ticket !== undefined ? { ticket: flags.ticket } : {}),
    ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
    dryRun: flags.dryRun ?? false,
    ...(flags.concurrency !== undefined ? { concurrency: numberFlag(flags.concurrency) } : {}),
    ...(flags.deletionBudget !== undefined ? { deletionBudget: numberFlag(flags.deletionBudget) } : {}),
    validation: {
      ...(flags.settleSeconds !== undefined ? { settleTimeoutSeconds: numberFlag(flags.settleSeconds) } : {}),
      commitConfirmed: flags.commitConfirmed ?? true,
    },
    ...approvalInput(flags),
    strategy: strategyInput(flags),
    ...(flags.lockTimeout !== undefined ? { lockTimeoutSeconds: secondsFlag(flags.lockTimeout) } : {}),
  };
  return parseRequestFlags(ChangeRequest, input, 'change request', flagFor);
}

/**
 * `--no-approval` and `--approval-timeout`, as ApprovalSettings input (also a
 * drift run's, whose remediation is a change). Whether a request may waive
 * its approval is the server's decision (SYNAPSE_REQUIRE_APPROVAL), not the CLI's.
 */
export function approvalInput(flags: { approval?: boolean; approvalTimeout?: string }): { approval?: { required: boolean; timeoutSeconds?: number } } {
  if (flags.approval !== false && flags.approvalTimeout === undefined) return {};
  return { approval: { required: flags.approval !== false, ...(flags.approvalTimeout !== undefined ? { timeoutSeconds: secondsFlag(flags.approvalTimeout) } : {}) } };
}

/** Canary, waves, soak and failure budget as RolloutStrategy input: only what was given, the schema fills in the rest. */
function strategyInput(flags: ChangeStartFlags): Record<string, unknown> {
  const canary = {
    ...(flags.canary?.length ? { devices: flags.canary.flatMap((list) => list.split(',')).map((d) => d.trim()).filter((d) => d !== '') } : {}),
    ...(flags.canaryCount !== undefined ? { count: numberFlag(flags.canaryCount) } : {}),
    ...(flags.canaryRole !== undefined ? { role: flags.canaryRole } : {}),
  };
  // A role alone means "the first device of that role".
  if (canary.role !== undefined && canary.count === undefined && canary.devices === undefined) canary.count = 1;
  const failureBudget = {
    ...(flags.failureBudget !== undefined ? { count: numberFlag(flags.failureBudget) } : {}),
    ...(flags.failureBudgetPercent !== undefined ? { percent: numberFlag(flags.failureBudgetPercent) } : {}),
  };
  return {
    ...(Object.keys(canary).length > 0 ? { canary } : {}),
    ...(flags.waveSize !== undefined ? { waveSize: numberFlag(flags.waveSize) } : {}),
    ...(flags.wavePercent !== undefined ? { wavePercent: numberFlag(flags.wavePercent) } : {}),
    ...(flags.soak !== undefined ? { soakSeconds: secondsFlag(flags.soak) } : {}),
    ...(Object.keys(failureBudget).length > 0 ? { failureBudget } : {}),
    ...(flags.onBudgetExceeded !== undefined ? { onBudgetExceeded: flags.onBudgetExceeded } : {}),
  };
}

/** e.g. chg-20261128-140512-3f9a1c: sortable by time, unique enough for people starting changes by hand. */
export function generateChangeId(now: Date, prefix = 'chg'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Text that is not a number stays NaN, so the schema reports it against its field rather than the CLI guessing. */
export function numberFlag(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds, as a number (`90`) or a duration (`30s`, `15m`, `1h30m`, `1d`);
 * anything else is NaN for the schema to name against its field.
 */
export function secondsFlag(text: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  if (value === '' || parts.map((p) => p[0]).join('') !== value) return Number.NaN;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * SECONDS_PER_UNIT[unit], 0);
}

function flagFor(field: string): string {
  const exact = FLAG_FOR_FIELD[field];
  if (exact) return exact;
  const prefix = Object.keys(FLAG_FOR_FIELD)
    .filter((name) => field.startsWith(`${name}.`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? FLAG_FOR_FIELD[prefix] : field;
}
