import { ChangeId, DriftRequest, type DeviceDriftStatus, type DriftReport } from '@synapse/contracts';
import { approvalInput, numberFlag } from './change-request';
import { currentOperator } from './operator';
import { parseRequestFlags } from './request-flags';
import { badInput } from './cli-error';

/** The flags of `synapse drift run` and `drift schedule create`, as commander hands them over. */
export interface DriftFlags {
  scope?: string;
  mode?: string;
  batchSize?: string;
  parallelBatches?: string;
  concurrency?: string;
  reason?: string;
  requester?: string;
  branch?: string;
  deletionBudget?: string;
  listUnmanaged?: boolean;
  /** false with --no-approval: the remediation rollout does not wait for an approver (where the server allows it). */
  approval?: boolean;
  maxRemediations?: string;
}

const FLAG_FOR_FIELD: Record<string, string> = {
  scope: '--scope',
  mode: '--mode',
  batchSize: '--batch-size',
  parallelBatches: '--parallel-batches',
  concurrency: '--concurrency',
  reason: '--reason',
  requester: '--requester',
  branch: '--branch',
  driftId: '--drift-id',
  deletionBudget: '--deletion-budget',
  listUnmanaged: '--list-unmanaged',
  approval: '--no-approval',
  maxRemediations: '--max-remediations',
};

/**
 * `all`, `role:<role>` or `devices:a,b`, into contracts' DriftScope input.
 * Anything else, or no scope at all, is refused here in those words.
 */
export function parseScope(text: string | undefined): unknown {
  if (text === undefined) throw badInput('--scope is required: all, role:<role> (e.g. role:leaf) or devices:<a,b>; nothing was started');
  const value = text.trim();
  if (value === 'all') return { kind: 'all' };
  const at = value.indexOf(':');
  const kind = at < 0 ? value : value.slice(0, at);
  const rest = at < 0 ? '' : value.slice(at + 1);
  if (kind === 'role') return { kind: 'role', role: rest };
  if (kind === 'devices') return { kind: 'devices', devices: rest.split(',').map((d) => d.trim()).filter((d) => d !== '') };
  throw badInput(`--scope ${JSON.stringify(value)} is not all, role:<role> (e.g. role:leaf) or devices:<a,b>; nothing was started`);
}

/** Builds the DriftRequest exactly as the workflow parses it; a bad one is refused here, naming the flag. */
export function driftRequestFromFlags(flags: DriftFlags, extra: { driftId?: string } = {}, env: NodeJS.ProcessEnv = process.env): DriftRequest {
  const input = {
    ...(extra.driftId !== undefined ? { driftId: extra.driftId } : {}),
    scope: parseScope(flags.scope),
    mode: flags.mode ?? 'report',
    ...(flags.batchSize !== undefined ? { batchSize: numberFlag(flags.batchSize) } : {}),
    ...(flags.parallelBatches !== undefined ? { parallelBatches: numberFlag(flags.parallelBatches) } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: numberFlag(flags.concurrency) } : {}),
    requester: flags.requester ?? currentOperator(env),
    reason: flags.reason ?? 'drift check',
    ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
    ...(flags.deletionBudget !== undefined ? { deletionBudget: numberFlag(flags.deletionBudget) } : {}),
    ...(flags.listUnmanaged ? { listUnmanaged: true } : {}),
    ...(flags.maxRemediations !== undefined ? { maxRemediations: numberFlag(flags.maxRemediations) } : {}),
    ...approvalInput(flags),
  };
  return parseRequestFlags(DriftRequest, input, 'drift request', flagFor);
}

/** A name Temporal and Infrahub both accept (contracts' ChangeId). */
export function checkId(flag: string, value: string): string {
  const parsed = ChangeId.safeParse(value);
  if (!parsed.success) throw badInput(`${flag}: ${parsed.error.issues[0]?.message ?? 'invalid id'}`);
  return parsed.data;
}

/** `30s`, `15m`, `1h`, `1h30m`, `1d`: milliseconds, at least a second (the finest a schedule fires). */
export function parseEvery(text: string | undefined): number {
  return parseDuration('--every', text);
}

/** A duration flag (`30s`, `15m`, `1h30m`, `1d`) in milliseconds, at least a second; errors name the flag. */
export function parseDuration(flag: string, text: string | undefined): number {
  const value = (text ?? '').trim();
  const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  if (value === '' || parts.map((p) => p[0]).join('') !== value) {
    throw badInput(`${flag}: "${value}" is not an interval (e.g. 30s, 15m, 1h, 1h30m, 1d)`);
  }
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
  if (ms < 1_000) throw badInput(`${flag}: the interval must be at least 1s`);
  return ms;
}

export function formatEvery(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || `${ms}ms`;
}

export function scopeText(scope: DriftReport['scope']): string {
  if (scope.kind === 'all') return 'all';
  if (scope.kind === 'role') return `role:${scope.role}`;
  return `devices:${scope.devices.join(',')}`;
}

/** A run is clean when no device is left drifted, unreachable or failed to remediate. */
export function reportClean(report: DriftReport): boolean {
  return report.devices.every((d) => d.status === 'in-sync' || d.status === 'suppressed' || d.status === 'remediated');
}

export function reportLines(report: DriftReport): string[] {
  const counts = Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const lines = [`drift ${report.driftId} (${report.mode}, scope ${scopeText(report.scope)}): ${counts || 'no devices'}`];
  // One direction everywhere: what Infrahub intends, then what the device runs.
  if (report.devices.some((d) => d.drifted.length > 0)) lines.push('  paths: intended -> running ((absent): not there)');
  const width = Math.max(6, ...report.devices.map((d) => d.device.length));
  for (const device of report.devices) lines.push(...deviceDriftLines(device, width));
  return lines;
}

/** One device of a drift report (and `synapse config diff`): its state, then each path intended -> running. */
export function deviceDriftLines(device: DeviceDriftStatus, width = device.device.length): string[] {
  // The counts, not the deploy's summary line: that one reads running -> intended.
  const counted = device.counts && device.drifted.length > 0 ? `${device.counts.changed} changed, ${device.counts.added} missing, ${device.counts.removed} extra` : undefined;
  const note = [counted, device.detail].filter(Boolean).join('; ');
  const lines = [`  ${device.device.padEnd(width)}  ${device.status}${note ? `  ${note}` : ''}`];
  for (const path of device.drifted) lines.push(`      ${path.path}: ${valueText(path.before)} -> ${valueText(path.after)}`);
  if (device.omittedPaths) lines.push(`      … and ${device.omittedPaths} more drifted paths, not listed`);
  for (const missing of device.missingPolicies ?? []) {
    lines.push(`      missing on the device: ${missing.direction} policy "${missing.policy}" of peer group "${missing.group}" (not defined in Infrahub either)`);
  }
  if (device.unmanaged && device.unmanaged.count > 0) {
    lines.push(`      unmanaged config present: ${device.unmanaged.count} (not Synapse's: never drift, never remediated)${device.unmanaged.paths.length > 0 ? '' : '; --list-unmanaged names it'}`);
    for (const path of device.unmanaged.paths) lines.push(`        ${path}`);
  }
  return lines;
}

/** A leaf as it is; a whole subtree (an entry added or removed) by its size, never dumped. */
function valueText(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (value !== null && typeof value === 'object') {
    const leaves = countLeaves(value);
    return `(subtree: ${leaves} ${leaves === 1 ? 'leaf' : 'leaves'}, ${Buffer.byteLength(JSON.stringify(value))} bytes)`;
  }
  return JSON.stringify(value);
}

function countLeaves(value: unknown): number {
  if (value === null || typeof value !== 'object') return 1;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.reduce<number>((n, child) => n + countLeaves(child), 0);
}

function flagFor(field: string): string {
  const top = field.split('.')[0];
  return FLAG_FOR_FIELD[field] ?? FLAG_FOR_FIELD[top] ?? field;
}
