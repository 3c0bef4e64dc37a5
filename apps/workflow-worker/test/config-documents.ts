import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** A config document found in a workflow history: which event, where in its decoded payload, and what it looks like. */
export interface ConfigFinding {
  eventId: string;
  eventType: string;
  where: string;
  looksLike: string;
}

/**
 * Every payload of every event, decoded (JSON payloads, as the default
 * converter writes them), searched for the shapes a config document has:
 *  - an object keyed by gNMI paths with subtrees under them (a rendered
 *    config, a deploy's `config`, a render's answer);
 *  - SR Linux module-prefixed names (`srl_nokia-…`), which only a config
 *    read from a device carries (a backup, a running config);
 *  - a path-level diff (added / removed / changed with values);
 *  - an Infrahub intent (interfaces with their addresses).
 * Summaries, counts, path lists, checksums and references do not match.
 */
export function configDocumentsIn(history: History): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  for (const event of history.events ?? []) {
    const eventId = String(event.eventId);
    const eventType = String(event.eventType);
    visitPayloads(event, (value, where) => {
      for (const found of shapesIn(value, where)) findings.push({ eventId, eventType, ...found });
    });
  }
  return findings;
}

function visitPayloads(node: unknown, onPayload: (value: unknown, where: string) => void, where = ''): void {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => visitPayloads(item, onPayload, `${where}[${i}]`));
    return;
  }
  const record = node as Record<string, unknown>;
  if ('metadata' in record && 'data' in record && (record.data instanceof Uint8Array || typeof record.data === 'string')) {
    const bytes = record.data instanceof Uint8Array ? Buffer.from(record.data) : Buffer.from(record.data, 'base64');
    const text = bytes.toString('utf8');
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON (binary/plain): searched as text.
    }
    onPayload(value, where);
    return;
  }
  for (const [key, value] of Object.entries(record)) visitPayloads(value, onPayload, where ? `${where}.${key}` : key);
}

function shapesIn(value: unknown, where: string): Array<{ where: string; looksLike: string }> {
  const found: Array<{ where: string; looksLike: string }> = [];
  const visit = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      if (node.includes('srl_nokia-')) found.push({ where: at, looksLike: 'config read from a device (module-prefixed names)' });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}[${i}]`));
      return;
    }
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.some((k) => k.startsWith('/') && record[k] !== null && typeof record[k] === 'object')) {
      found.push({ where: at, looksLike: 'a config keyed by gNMI path' });
      return;
    }
    if (keys.some((k) => k.startsWith('srl_nokia-'))) {
      found.push({ where: at, looksLike: 'config read from a device (module-prefixed names)' });
      return;
    }
    if (['added', 'removed', 'changed'].every((k) => Array.isArray(record[k]))) {
      found.push({ where: at, looksLike: 'a config diff with values' });
      return;
    }
    if (Array.isArray(record.interfaces) && record.interfaces.some((i) => i !== null && typeof i === 'object' && 'ipv4Addresses' in i)) {
      found.push({ where: at, looksLike: 'an Infrahub intent' });
      return;
    }
    for (const [key, child] of Object.entries(record)) visit(child, `${at}.${key}`);
  };
  visit(value, where);
  return found;
}
