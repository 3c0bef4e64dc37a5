import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { ChangeRequest } from '@synapse/contracts';
import { parseRequestFlags } from './request-flags';

/** The flags of `synapse change start`, as commander hands them over (numbers still text). */
export interface ChangeStartFlags {
  /** Every --device and --devices value, in the order typed (the order may come to matter: waves, canaries). */
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
    requester: flags.requester ?? defaultRequester(env),
    ...(flags.ticket !== undefined ? { ticket: flags.ticket } : {}),
    ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
    dryRun: flags.dryRun ?? false,
    ...(flags.concurrency !== undefined ? { concurrency: numberFlag(flags.concurrency) } : {}),
    ...(flags.deletionBudget !== undefined ? { deletionBudget: numberFlag(flags.deletionBudget) } : {}),
    validation: {
      ...(flags.settleSeconds !== undefined ? { settleTimeoutSeconds: numberFlag(flags.settleSeconds) } : {}),
      commitConfirmed: flags.commitConfirmed ?? true,
    },
  };
  return parseRequestFlags(ChangeRequest, input, 'change request', flagFor);
}

/** e.g. chg-20261128-140512-3f9a1c: sortable by time, unique enough for people starting changes by hand. */
export function generateChangeId(now: Date, prefix = 'chg'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function defaultRequester(env: NodeJS.ProcessEnv): string {
  if (env.USER?.trim()) return env.USER.trim();
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the schema then says a requester is required.
    return '';
  }
}

/** Text that is not a number stays NaN, so the schema reports it against its field rather than the CLI guessing. */
export function numberFlag(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function flagFor(field: string): string {
  const exact = FLAG_FOR_FIELD[field];
  if (exact) return exact;
  const prefix = Object.keys(FLAG_FOR_FIELD).find((name) => field.startsWith(`${name}.`));
  return prefix ? FLAG_FOR_FIELD[prefix] : field;
}
