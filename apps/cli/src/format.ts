import type { ChangeProgress, ChangeRequest, ChangeResult, ConfigDiff, DevicePlan, DeviceProgress, RolloutProgress } from '@synapse/contracts';
import type { ChangeOutcome, ChangeSummary, DeviceDetails, DeviceStepState, FailureSummary, LiveState, StartedRequest } from './change-state';

/**
 * Text for people. Pure functions from data to lines, so what a command
 * prints and what `--json` prints come from the same data, and the live
 * view only decides when to print.
 */

/** Columns separated by two spaces, padded to the widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col])))
      .join('  ')
      .trimEnd(),
  );
}

const indent = (lines: string[], by = '  ') => lines.map((line) => `${by}${line}`);

/** ISO 8601 to the second, in UTC: what a change record, a log line and `git log` all agree on. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function shortId(id: string, length = 12): string {
  return id.slice(0, length);
}

/** `a, b, c (+12 more)`: names a fleet without printing it. */
export function nameList(names: readonly string[], max = 6): string {
  if (names.length === 0) return '-';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} (+${names.length - max} more)` : shown;
}

export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** `1 deployed, 2 pending`: counts per outcome, the non-zero ones. */
export function countsText(counts: Record<string, number>): string {
  return (
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ') || 'none'
  );
}

// ── Live progress ──

/**
 * One line of the live view. `key` says which thing it is about (the phase,
 * a wave, a device): a log prints a keyed line again only when its text
 * changed. Lines without a key (headers) are only drawn on a terminal. `log`
 * is the line's text in a log when it differs from its place in the block.
 */
export interface ViewLine {
  key?: string;
  text: string;
  log?: string;
}

/** One device's progress as a row: device, step, state, detail. */
export function progressRow(device: DeviceProgress): string[] {
  return [device.device, device.step, device.state, device.detail ?? ''];
}

/** The same, as one line on its own (the log prints these as they change). */
export function progressLine(device: DeviceProgress): string {
  return progressRow(device).filter((cell) => cell !== '').join('  ');
}

function deviceRows(devices: DeviceProgress[]): ViewLine[] {
  const [header, ...rows] = table(['DEVICE', 'STEP', 'STATE', 'DETAIL'], devices.map(progressRow));
  return [{ text: `  ${header}` }, ...rows.map((row, i) => ({ key: `device:${devices[i].device}`, text: `  ${row}`, log: progressLine(devices[i]) }))];
}

export function progressSummary(progress: ChangeProgress): string {
  const finished = progress.devices.filter((d) => d.step === 'done' || ['succeeded', 'failed', 'rolled-back', 'skipped'].includes(d.state)).length;
  const failed = progress.devices.filter((d) => d.state === 'failed' || d.state === 'rolled-back').length;
  return `${finished}/${progress.devices.length} devices finished${failed ? `, ${failed} failed or rolled back` : ''}`;
}

/** What the live view shows of a change: a rollout's phase, approval, waves and running devices, or an emergency's devices. */
export function liveLines(state: LiveState): ViewLine[] {
  // The summary is for the terminal: a log has every device's line already.
  if (state.kind === 'devices') return [{ text: progressSummary(state.progress) }, ...deviceRows(state.progress.devices)];
  return rolloutLines(state.progress, state.steps);
}

/** Waves listed one a line up to this many; beyond it, the running and next ones and a count per state. */
const WAVES_LISTED = 12;

function rolloutLines(progress: RolloutProgress, steps: DeviceStepState[]): ViewLine[] {
  const wave = progress.currentWave !== undefined ? `, wave ${progress.currentWave} of ${progress.waves.length}` : '';
  const lines: ViewLine[] = [{ key: 'phase', text: `phase     ${progress.phase}${wave}` }];
  if (progress.approval) lines.push({ key: 'approval', text: `approval  ${approvalText(progress.changeId, progress.approval)}` });
  if (progress.paused) lines.push({ key: 'paused', text: `paused    by ${progress.paused.by}${progress.paused.reason ? `: ${progress.paused.reason}` : ''} (resume: synapse change resume ${progress.changeId})` });
  lines.push({ key: 'counts', text: `devices   ${progress.devices}: ${countsText(progress.counts)}` });

  if (progress.waves.length > 0) {
    lines.push({ text: 'waves' });
    const listed =
      progress.waves.length <= WAVES_LISTED ? progress.waves : progress.waves.filter((w, i, all) => w.state === 'running' || (w.state === 'pending' && all[i - 1]?.state !== 'pending'));
    if (listed.length < progress.waves.length) {
      const perState: Record<string, number> = {};
      for (const w of progress.waves) perState[w.state] = (perState[w.state] ?? 0) + 1;
      lines.push({ key: 'waves', text: `  ${progress.waves.length} waves: ${countsText(perState)}` });
    }
    const rows = table(
      ['WAVE', 'CANARY', 'STATE', 'DEVICES'],
      listed.map((w) => [String(w.index), w.canary ? 'canary' : '', w.state, `${w.devices.length}: ${nameList(w.devices)}`]),
    );
    lines.push({ text: `  ${rows[0]}` });
    listed.forEach((w, i) => lines.push({ key: `wave:${w.index}`, text: `  ${rows[i + 1]}`, log: `wave ${w.index}${w.canary ? ' (canary)' : ''}  ${w.state}  ${nameList(w.devices)}` }));
  }

  if (progress.waitingForLocks.length > 0) {
    lines.push({ text: 'waiting for devices another change holds' });
    for (const { device, holder } of progress.waitingForLocks) {
      lines.push({ key: `lock:${device}`, text: `  ${device}  held by ${holder}`, log: `waiting for ${device}: held by ${holder}` });
    }
  }

  if (steps.length > 0) {
    lines.push({ text: `wave ${progress.currentWave} devices` });
    const known = steps.flatMap((s) => (s.progress ? [s.progress] : []));
    if (known.length > 0) lines.push(...deviceRows(known));
    for (const s of steps.filter((s) => !s.progress)) lines.push({ key: `device:${s.device}`, text: `  ${s.device}  (${s.problem ?? 'no progress'})`, log: `${s.device}  (${s.problem ?? 'no progress'})` });
  }

  if (progress.notes.length > 0) {
    lines.push({ text: 'notes' });
    for (const note of progress.notes) lines.push({ key: `note:${note}`, text: `  ${note}`, log: `note: ${note}` });
  }
  return lines;
}

function approvalText(changeId: string, approval: NonNullable<RolloutProgress['approval']>): string {
  switch (approval.state) {
    case 'waiting':
      return `waiting for an approver${approval.deadline ? ` until ${formatTime(approval.deadline)}` : ''}: synapse change approve ${changeId} --by <name> (or reject)`;
    case 'not required':
      return 'not required';
    case 'expired':
      return 'expired: not approved in time, nothing touched';
    default:
      return `${approval.state} by ${approval.by ?? '?'}${approval.comment ? `: ${approval.comment}` : ''}`;
  }
}

// ── Results ──

export function resultLines(result: ChangeResult): string[] {
  const total = result.devices.length + (result.devicesNotListed ?? 0);
  const lines = [`change ${result.changeId}: ${result.outcome} (${plural(total, 'device')}: ${countsText(result.counts)})`];
  if (result.approval) {
    const { decision, approver, comment } = result.approval;
    lines.push(`  approval  ${decision === 'not required' ? 'not required' : `${decision} by ${approver}${comment ? `: ${comment}` : ''}`}`);
  }
  if (result.plan) return [...lines, ...indent(planLines(result.plan)), ...noteLines(result.notes)];
  if (result.waves.length > 0) {
    lines.push(
      ...indent(
        table(
          ['WAVE', 'CANARY', 'DEVICES', 'OUTCOMES', 'FABRIC PROBLEMS'],
          result.waves.map((w) => [String(w.index), w.canary ? 'canary' : '', String(w.devices), countsText(w.counts), String(w.fabricProblems)]),
        ),
      ),
    );
  }
  const rows = result.devices.map((device) => [
    device.device,
    device.outcome,
    device.wave !== undefined ? String(device.wave) : '-',
    device.backupId ? shortId(device.backupId) : '-',
    // Failed devices: why. Others: what changed.
    detailOf(device),
  ]);
  const [header, ...body] = table(['DEVICE', 'OUTCOME', 'WAVE', 'BACKUP', 'DETAIL'], rows);
  lines.push(`  ${header}`);
  result.devices.forEach((device, i) => {
    lines.push(`  ${body[i]}`);
    for (const note of device.notes ?? []) lines.push(`      note: ${note}`);
  });
  if (result.devicesNotListed) {
    lines.push(`  … ${plural(result.devicesNotListed, 'more device')} not listed (a large change lists the devices that did not deploy); each is device/<name>: synapse change list --device <name>`);
  }
  return [...lines, ...noteLines(result.notes)];
}

function detailOf(device: ChangeResult['devices'][number]): string {
  const failed = ['failed', 'rolled-back', 'pre-empted', 'reverted', 'refused', 'skipped'].includes(device.outcome);
  const what = failed ? (device.reason ?? device.diffSummary) : (device.diffSummary ?? device.reason);
  // An emergency's result says which change it took the device from.
  const preempted = device.preempted ? `pre-empted change ${device.preempted.changeId} (${device.preempted.workflowId})` : undefined;
  return [what, preempted].filter((s) => s !== undefined && s !== '').join('; ');
}

/**
 * What each device workflow checked and how long each step took: the
 * validations subject by subject (a session, an interface) with its state,
 * and the expected one where it differed; then the steps in order.
 */
export function deviceDetailLines(details: readonly DeviceDetails[]): string[] {
  if (details.length === 0) return [];
  const lines = ['', 'validations and timings (each device workflow, device/<name>):'];
  for (const device of details) {
    lines.push(`  ${device.device}`);
    for (const result of [device.validation.bgp, device.validation.interfaces]) {
      if (!result) continue;
      lines.push(`    ${result.kind.padEnd(10)}  ${result.passed ? 'passed' : 'FAILED'} in ${seconds(result.durationMs)}`);
      for (const check of result.checks) {
        const expected = check.ok ? '' : ` (expected ${check.expected}${check.reason ? `: ${check.reason}` : ''})`;
        lines.push(`      ${check.ok ? 'ok  ' : 'FAIL'}  ${check.subject}  ${check.actual}${expected}`);
      }
    }
    if (!device.validation.bgp && !device.validation.interfaces) lines.push('    validations  none (nothing deployed)');
    const timed = device.timings.map((t) => `${t.step} ${t.durationMs !== undefined ? seconds(t.durationMs) : 'unfinished'}`);
    if (timed.length > 0) lines.push(`    timings     ${timed.join(', ')}`);
  }
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function noteLines(notes: readonly string[]): string[] {
  return notes.length > 0 ? ['  notes', ...notes.map((note) => `    ${note}`)] : [];
}

export function failureLines(changeId: string, failure: FailureSummary): string[] {
  const lines = [`change ${changeId} failed: ${failure.type}: ${failure.message}`];
  // The chain only helps when it says more than the line above.
  if (failure.chain.length > 1) lines.push(...failure.chain.map((entry, i) => `  ${i === 0 ? 'failure' : 'caused by'} ${entry.type}: ${entry.message}`));
  if (failure.result) lines.push(...resultLines(failure.result));
  return lines;
}

export function outcomeLines(changeId: string, outcome: ChangeOutcome): string[] {
  switch (outcome.kind) {
    case 'completed':
      return resultLines(outcome.result);
    case 'failed':
      return failureLines(changeId, outcome.failure);
    case 'unexpected-result':
      return [`change ${changeId} completed, but its result is not a ChangeResult (${outcome.problem}):`, JSON.stringify(outcome.value, null, 2)];
  }
}

// ── The plan ──

export interface PlanTotals {
  devices: number;
  changes: number;
  inSync: number;
  unreachable: number;
  unchecked: number;
  waves: number;
  paths: { added: number; changed: number; removed: number };
  deletions: number;
  problems: number;
  warnings: number;
}

export function planTotals(plan: readonly DevicePlan[]): PlanTotals {
  const sum = (f: (p: DevicePlan) => number) => plan.reduce((n, p) => n + f(p), 0);
  return {
    devices: plan.length,
    changes: plan.filter((p) => p.status === 'changes').length,
    inSync: plan.filter((p) => p.status === 'in-sync').length,
    unreachable: plan.filter((p) => p.status === 'unreachable').length,
    unchecked: plan.filter((p) => p.status === 'unchecked').length,
    waves: new Set(plan.flatMap((p) => (p.wave !== undefined ? [p.wave] : []))).size,
    paths: { added: sum((p) => p.counts.added), changed: sum((p) => p.counts.changed), removed: sum((p) => p.counts.removed) },
    deletions: sum((p) => p.deletions),
    problems: sum((p) => p.problems.length),
    warnings: sum((p) => p.warnings.length),
  };
}

const waveText = (wave: number | undefined) => (wave === undefined ? '-' : wave === 0 ? '0 (canary)' : String(wave));
const pathsText = (c: DevicePlan['counts']) => `+${c.added} ~${c.changed} -${c.removed}`;

/** The plan's table, one row per device, then the totals: what an approver reads first. */
export function planSummaryLines(plan: readonly DevicePlan[]): string[] {
  if (plan.length === 0) return ['plan: no devices planned (yet)'];
  const rows = plan.map((p) => [
    p.device,
    p.role ?? '-',
    p.status,
    waveText(p.wave),
    pathsText(p.counts),
    String(p.sessions.length),
    String(p.interfaces.length),
    String(p.deletions),
    String(p.problems.length),
    String(p.warnings.length),
  ]);
  const t = planTotals(plan);
  const unknown = t.unreachable + t.unchecked;
  // Re-planned devices (their intent moved) were read later than the rest: every instant is named.
  const readAt = [...new Set(plan.flatMap((p) => (p.intentReadAt ? [p.intentReadAt] : [])))];
  return [
    ...table(['DEVICE', 'ROLE', 'STATUS', 'WAVE', 'PATHS', 'SESSIONS', 'INTERFACES', 'DELETIONS', 'PROBLEMS', 'WARNINGS'], rows),
    `totals: ${t.devices} devices, ${t.changes} changed, ${t.inSync} in sync${unknown ? `, ${unknown} not checked (unreachable or unrenderable; still tried)` : ''}; ` +
      `${t.waves} wave${t.waves === 1 ? '' : 's'}; paths ${pathsText(t.paths)}; ${t.deletions} deletions; ${t.problems} pre-existing problems; ${t.warnings} warnings`,
    ...(readAt.length > 0 ? [`intent as Infrahub had it at ${readAt.join(', ')}`] : []),
  ];
}

const OP_SIGN = { add: '+', change: '~', remove: '-' } as const;

/** Per device: the paths it changes, the sessions and interfaces it touches, what is down already, what to be aware of. */
export function planDetailLines(plan: readonly DevicePlan[]): string[] {
  const lines: string[] = [];
  for (const p of plan) {
    const where = [p.role, p.wave !== undefined ? `wave ${waveText(p.wave)}` : undefined].filter(Boolean).join(', ');
    const title = `${p.device}${where ? ` (${where})` : ''}`;
    if (p.status === 'in-sync') {
      lines.push(`${title}: in sync, nothing to do`);
    } else if (p.status !== 'changes') {
      lines.push(`${title}: ${p.status}${p.detail ? `: ${p.detail}` : ''} (the rollout still tries it)`);
    } else {
      lines.push(`${title}: ${p.counts.added} added, ${p.counts.changed} changed, ${p.counts.removed} removed`);
      for (const { path, op } of p.paths) lines.push(`  ${OP_SIGN[op]} ${path}`);
      const listed = p.counts.added + p.counts.changed + p.counts.removed - p.paths.length;
      if (listed > 0) lines.push(`  … ${listed} more paths (counted above)`);
      if (p.deletions > 0) lines.push(`  deletes ${p.deletions} entries or leaves Synapse owned`);
    }
    if (p.sessions.length > 0) lines.push(`  sessions affected: ${p.sessions.join(', ')}`);
    if (p.interfaces.length > 0) lines.push(`  interfaces affected: ${p.interfaces.join(', ')}`);
    if (p.problems.length > 0) lines.push('  down before the change (reported, never a reason to roll back):', ...p.problems.map((x) => `    ${x}`));
    if (p.warnings.length > 0) lines.push('  warnings:', ...p.warnings.map((x) => `    ${x}`));
  }
  return lines;
}

export function planLines(plan: readonly DevicePlan[]): string[] {
  return [...planSummaryLines(plan), '', ...planDetailLines(plan)];
}

// ── A change's header and the change list ──

export function summaryLines(summary: ChangeSummary, started?: StartedRequest): string[] {
  const request = started?.request;
  const dryRun = started?.kind === 'change' && started.request.dryRun;
  return [
    `change     ${summary.changeId}${dryRun ? ' (dry run)' : ''}`,
    `kind       ${summary.kind ?? (started?.kind === 'emergency' ? 'emergency' : '-')}`,
    `workflow   ${summary.workflowId} (run ${summary.runId})`,
    `status     ${summary.status}`,
    ...(summary.outcome ? [`outcome    ${summary.outcome}`] : []),
    `started    ${formatTime(summary.startTime)}`,
    ...(summary.closeTime ? [`closed     ${formatTime(summary.closeTime)}`] : []),
    `requester  ${summary.requester ?? request?.requester ?? '-'}`,
    ...(request
      ? [
          `devices    ${request.devices.length}: ${nameList(request.devices, 10)}`,
          `reason     ${request.reason}`,
          ...(request.ticket ? [`ticket     ${request.ticket}`] : []),
          ...(started?.kind === 'change' && started.request.branch ? [`branch     ${started.request.branch}`] : []),
          ...(started?.kind === 'change' && !started.request.dryRun ? rolloutSettingsLines(started.request) : []),
        ]
      : []),
  ];
}

function rolloutSettingsLines(request: ChangeRequest): string[] {
  const { canary, waveSize, wavePercent, soakSeconds, failureBudget, onBudgetExceeded } = request.strategy;
  const canaryText = canary.devices.length > 0 ? nameList(canary.devices) : canary.count > 0 ? `first ${canary.count}${canary.role ? ` ${canary.role}` : ''}` : 'none';
  const waves = wavePercent !== undefined ? `${wavePercent}% of the devices` : `${waveSize ?? 25} devices`;
  const budget = [failureBudget.count !== undefined ? `${failureBudget.count}` : undefined, failureBudget.percent !== undefined ? `${failureBudget.percent}%` : undefined].filter(Boolean).join(' or ') || '0';
  return [
    `strategy   canary ${canaryText}; waves of ${waves}; soak ${soakSeconds} s; failure budget ${budget}, then ${onBudgetExceeded}`,
    `approval   ${request.approval.required ? `required within ${request.approval.timeoutSeconds} s` : 'waived by the request (where the server allows it)'}`,
  ];
}

export function changeListLines(changes: ChangeSummary[], now: Date = new Date()): string[] {
  return table(
    ['CHANGE', 'KIND', 'STATUS', 'OUTCOME', 'DEVICES', 'REQUESTER', 'TICKET', 'STARTED', 'DURATION'],
    changes.map((c) => [c.changeId, c.kind ?? '-', c.status, c.outcome ?? '-', c.devices ?? '-', c.requester ?? '-', c.ticket ?? '-', formatTime(c.startTime), durationText(c, now)]),
  );
}

/** How long it ran, or has run so far (a running change's duration grows). */
export function durationText(change: Pick<ChangeSummary, 'startTime' | 'closeTime'>, now: Date = new Date()): string {
  const ms = (change.closeTime ? Date.parse(change.closeTime) : now.getTime()) - Date.parse(change.startTime);
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return change.closeTime ? text : `${text}…`;
}

const MAX_VALUE_CHARS = 100;

function value(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** A path-level diff, one path per line: `~` changed, `+` only in the newer, `-` only in the older. */
export function configDiffLines(diff: ConfigDiff): string[] {
  const counts = `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed`;
  if (diff.changed.length + diff.added.length + diff.removed.length === 0) return ['no differences'];
  return [
    counts,
    ...diff.changed.map((c) => `  ~ ${c.path}: ${value(c.before)} -> ${value(c.after)}`),
    ...diff.added.map((a) => `  + ${a.path}: ${value(a.value)}`),
    ...diff.removed.map((r) => `  - ${r.path}: ${value(r.value)}`),
  ];
}
