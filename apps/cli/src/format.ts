import type { ChangeProgress, ChangeRequest, ChangeResult, ConfigDiff, DeviceProgress } from '@synapse/contracts';
import type { ChangeOutcome, ChangeSummary, FailureSummary } from './change-state';

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

/** ISO 8601 to the second, in UTC: what a change record, a log line and `git log` all agree on. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function shortId(id: string, length = 12): string {
  return id.slice(0, length);
}

/** One device's progress as a row: device, step, state, detail. */
export function progressRow(device: DeviceProgress): string[] {
  return [device.device, device.step, device.state, device.detail ?? ''];
}

/** The same, as one line on its own (the non-TTY watcher prints these as they change). */
export function progressLine(device: DeviceProgress): string {
  return progressRow(device).filter((cell) => cell !== '').join('  ');
}

export function progressSummary(progress: ChangeProgress): string {
  const finished = progress.devices.filter((d) => d.step === 'done' || ['succeeded', 'failed', 'rolled-back'].includes(d.state)).length;
  const failed = progress.devices.filter((d) => d.state === 'failed' || d.state === 'rolled-back').length;
  return `${finished}/${progress.devices.length} devices finished${failed ? `, ${failed} failed or rolled back` : ''}`;
}

export function progressLines(progress: ChangeProgress): string[] {
  return [progressSummary(progress), ...table(['DEVICE', 'STEP', 'STATE', 'DETAIL'], progress.devices.map(progressRow)).map((line) => `  ${line}`)];
}

export function resultLines(result: ChangeResult): string[] {
  const rows = result.devices.map((device) => [
    device.device,
    device.outcome,
    device.backup ? shortId(device.backup.id) : '-',
    // Failed devices: why. Others: what changed.
    (['failed', 'rolled-back', 'pre-empted', 'reverted'].includes(device.outcome) ? device.reason : withPreempted(device.diffSummary, device.preempted)) ?? device.reason ?? '',
  ]);
  return [`change ${result.changeId}: ${result.outcome}`, ...table(['DEVICE', 'OUTCOME', 'BACKUP', 'DETAIL'], rows).map((line) => `  ${line}`)];
}

/** An emergency's result says which change it took the device from. */
function withPreempted(summary: string | undefined, preempted: ChangeResult['devices'][number]['preempted']): string | undefined {
  return preempted ? `${summary ?? ''}; pre-empted change ${preempted.changeId} (${preempted.workflowId})` : summary;
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

export function summaryLines(summary: ChangeSummary, request?: ChangeRequest): string[] {
  return [
    `change     ${summary.changeId}${request?.dryRun ? ' (dry run)' : ''}`,
    `workflow   ${summary.workflowId} (run ${summary.runId})`,
    `status     ${summary.status}`,
    `started    ${formatTime(summary.startTime)}`,
    ...(summary.closeTime ? [`closed     ${formatTime(summary.closeTime)}`] : []),
    `requester  ${summary.requester ?? '-'}`,
    `devices    ${summary.devices.join(', ') || '-'}`,
    ...(request ? [`reason     ${request.reason}`, ...(request.ticket ? [`ticket     ${request.ticket}`] : []), ...(request.branch ? [`branch     ${request.branch}`] : [])] : []),
  ];
}

export function changeListLines(changes: ChangeSummary[]): string[] {
  return table(
    ['CHANGE', 'STATUS', 'STARTED', 'REQUESTER', 'DEVICES'],
    changes.map((c) => [c.changeId, c.status, formatTime(c.startTime), c.requester ?? '-', c.devices.join(',') || '-']),
  );
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
