import type { ConfigDiff } from './diff';

const MAX_VALUE_CHARS = 40;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/**
 * One line for a log, a workflow result or a drift report:
 * `1 changed, 1 added, 0 removed: /interface[name=ethernet-1/1]/mtu 1500 -> 9214, + /interface[name=ethernet-1/5]`.
 */
export function summarizeDiff(diff: ConfigDiff, options: { maxItems?: number } = {}): string {
  const maxItems = options.maxItems ?? 5;
  const counts = `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed`;
  const items = [
    ...diff.changed.map((c) => `${c.path} ${show(c.before)} -> ${show(c.after)}`),
    ...diff.added.map((a) => `+ ${a.path}`),
    ...diff.removed.map((r) => `- ${r.path}`),
  ];
  if (items.length === 0) return counts;
  const more = items.length > maxItems ? `, … ${items.length - maxItems} more` : '';
  return `${counts}: ${items.slice(0, maxItems).join(', ')}${more}`;
}
