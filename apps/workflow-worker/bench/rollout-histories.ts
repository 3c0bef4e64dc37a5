/**
 * Every workflow of one rollout, read back from the server once it has
 * ended, and measured against Temporal's limits: the change, its plan
 * batches, its device groups, its waves and every device workflow.
 *
 *   history   events, and bytes (the serialized History, as
 *             temporal.api.history.v1.History encodes it)
 *   payload   the largest Payloads blob in any event (inputs, results,
 *             signal and update arguments, activity inputs and results,
 *             failure details, memo and search attributes), encoded
 *
 * Limits are the server's defaults (dynamic config limit.historyCount.*,
 * limit.historySize.*, limit.blobSize.*).
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { mapWithConcurrency, workflowIds, type ChangeResult, type DeviceChangeResult } from '@synapse/contracts';

export const TEMPORAL_LIMITS = {
  historyEvents: { warn: 10_240, error: 51_200 },
  historyBytes: { warn: 10 * 2 ** 20, error: 50 * 2 ** 20 },
  payloadBytes: { warn: 512 * 2 ** 10, error: 2 * 2 ** 20 },
} as const;

export type WorkflowKind = 'change' | 'plan batch' | 'device group' | 'wave' | 'device';

export interface WorkflowSize {
  workflowId: string;
  kind: WorkflowKind;
  events: number;
  bytes: number;
  /** The largest payload blob of this history, and where it was. */
  payload: { bytes: number; event: string; field: string };
  /** A wave's devices. */
  devices?: number;
  /** From its first event to its last. */
  ms: number;
  /** A device workflow's result, decoded (the default JSON converter). */
  deviceResult?: DeviceChangeResult;
}

export interface ChangeHistories {
  workflows: WorkflowSize[];
  /** Workflows the server lists that the walk did not reach (there should be none). */
  unwalked: string[];
  listed: number;
}

/** Walks the change's workflows by their ids (contracts' workflowIds) and cross-checks the count against the server's list. */
export async function walkChange(client: Client, changeWorkflowId: string, devices: readonly string[], result: ChangeResult): Promise<ChangeHistories> {
  const ids: Array<{ workflowId: string; kind: WorkflowKind; devices?: number }> = [{ workflowId: changeWorkflowId, kind: 'change' }];
  ids.push(...(await numbered(client, (i) => workflowIds.planBatch(changeWorkflowId, i))).map((workflowId) => ({ workflowId, kind: 'plan batch' as const })));
  ids.push(...(await numbered(client, (i) => workflowIds.deviceGroup(changeWorkflowId, i))).map((workflowId) => ({ workflowId, kind: 'device group' as const })));
  ids.push(...result.waves.map((w) => ({ workflowId: workflowIds.wave(changeWorkflowId, w.index), kind: 'wave' as const, devices: w.devices })));
  ids.push(...devices.map((d) => ({ workflowId: workflowIds.device(d), kind: 'device' as const })));

  const workflows = await mapWithConcurrency(ids, 8, async ({ workflowId, kind, devices }) => ({ ...(await measure(client, workflowId, kind)), ...(devices !== undefined ? { devices } : {}) }));
  const walked = new Set(ids.map((i) => i.workflowId));
  const unwalked: string[] = [];
  let listed = 0;
  // The server is this run's alone: everything it lists belongs to the change.
  for await (const execution of client.workflow.list()) {
    listed += 1;
    if (!walked.has(execution.workflowId)) unwalked.push(`${execution.workflowId} (${execution.type})`);
  }
  return { workflows, unwalked, listed };
}

/** `make(1)`, `make(2)`, … while the server knows them. */
async function numbered(client: Client, make: (i: number) => string): Promise<string[]> {
  const found: string[] = [];
  for (let i = 1; ; i++) {
    try {
      await client.workflow.getHandle(make(i)).describe();
      found.push(make(i));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return found;
      throw err;
    }
  }
}

async function measure(client: Client, workflowId: string, kind: WorkflowKind): Promise<WorkflowSize> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  let payload = { bytes: 0, event: '', field: '' };
  let deviceResult: DeviceChangeResult | undefined;
  for (const event of events) {
    const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
    forEachPayloadBlob(event, '', (size, field) => {
      if (size > payload.bytes) payload = { bytes: size, event: `${type} #${String(event.eventId)}`, field };
    });
    if (kind === 'device' && event.workflowExecutionCompletedEventAttributes) {
      const data = event.workflowExecutionCompletedEventAttributes.result?.payloads?.[0]?.data;
      if (data) deviceResult = JSON.parse(Buffer.from(data).toString('utf8')) as DeviceChangeResult;
    }
  }
  const ms = events.length > 0 ? millis(events[events.length - 1]!.eventTime) - millis(events[0]!.eventTime) : 0;
  return { workflowId, kind, events: events.length, bytes, ms, payload, ...(deviceResult ? { deviceResult } : {}) };
}

function millis(time: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): number {
  if (!time) return 0;
  const seconds = typeof time.seconds === 'number' ? time.seconds : (time.seconds?.toNumber() ?? 0);
  return seconds * 1000 + (time.nanos ?? 0) / 1e6;
}

/**
 * Every payload blob under `node`: a Payloads message (a workflow's or
 * activity's arguments, a result) counts as one blob, as the server's blob
 * size limit counts it; a lone Payload (memo, search attribute, header
 * field) as another.
 */
function forEachPayloadBlob(node: unknown, at: string, visit: (bytes: number, field: string) => void): void {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => forEachPayloadBlob(item, `${at}[${i}]`, visit));
    return;
  }
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.payloads)) {
    visit(temporal.api.common.v1.Payloads.encode({ payloads: record.payloads as temporal.api.common.v1.IPayload[] }).finish().length, at);
    return;
  }
  if (record.data instanceof Uint8Array && 'metadata' in record) {
    visit(temporal.api.common.v1.Payload.encode(record as temporal.api.common.v1.IPayload).finish().length, at);
    return;
  }
  for (const [key, value] of Object.entries(record)) forEachPayloadBlob(value, at ? `${at}.${key}` : key, visit);
}

export function verdict(value: number, limit: { warn: number; error: number }): string {
  if (value > limit.error) return 'OVER the hard limit';
  if (value > limit.warn) return 'OVER the warning';
  return 'OK';
}

const KINDS: WorkflowKind[] = ['change', 'plan batch', 'device group', 'wave', 'device'];

/** The figures the scale run prints: per kind, the largest history and payload, then the whole change against the limits. */
export function printHistories(histories: ChangeHistories, log: (line: string) => void = (line) => console.log(line)): void {
  const { workflows } = histories;
  log(`\nworkflows of the change: ${workflows.length} walked (the server lists ${histories.listed}${histories.unwalked.length ? `; not walked: ${histories.unwalked.slice(0, 10).join(', ')}` : ''})`);
  log(`  ${'kind'.padEnd(13)} ${'count'.padStart(6)} ${'max events'.padStart(11)} ${'max history'.padStart(12)} ${'max payload'.padStart(12)}  ${'total events'.padStart(12)} ${'total history'.padStart(14)}   largest history`);
  for (const kind of KINDS) {
    const of = workflows.filter((w) => w.kind === kind);
    if (of.length === 0) continue;
    const biggest = largest(of, (w) => w.bytes);
    log(
      `  ${kind.padEnd(13)} ${String(of.length).padStart(6)} ${String(Math.max(...of.map((w) => w.events))).padStart(11)} ${size(biggest.bytes).padStart(12)} ${size(Math.max(...of.map((w) => w.payload.bytes))).padStart(12)}  ${String(sum(of.map((w) => w.events))).padStart(12)} ${size(sum(of.map((w) => w.bytes))).padStart(14)}   ${biggest.workflowId}`,
    );
  }
  const waves = workflows.filter((w) => w.kind === 'wave');
  const singles = waves.filter((w) => w.devices === 1);
  const larger = waves.filter((w) => (w.devices ?? 0) > 1);
  if (waves.length > 0) {
    const line = (of: WorkflowSize[]) => (of.length ? `median ${(median(of.map((w) => w.ms)) / 1000).toFixed(1)} s, max ${(Math.max(...of.map((w) => w.ms)) / 1000).toFixed(1)} s, total ${(sum(of.map((w) => w.ms)) / 1000).toFixed(0)} s` : 'none');
    log(`  wave run time (first to last event): ${singles.length} one-device waves ${line(singles)}; ${larger.length} larger waves ${line(larger)}`);
  }
  const byEvents = largest(workflows, (w) => w.events);
  const byBytes = largest(workflows, (w) => w.bytes);
  const byPayload = largest(workflows, (w) => w.payload.bytes);
  log('\nagainst Temporal limits (history: warn 10,240 events / 10 MiB, hard 51,200 events / 50 MiB; payload: warn 512 KiB, hard 2 MiB)');
  log(`  largest history, events  ${String(byEvents.events).padStart(8)} events  ${byEvents.workflowId} (${size(byEvents.bytes)})  ${verdict(byEvents.events, TEMPORAL_LIMITS.historyEvents)}`);
  log(`  largest history, bytes   ${size(byBytes.bytes).padStart(15)}  ${byBytes.workflowId} (${byBytes.events} events)  ${verdict(byBytes.bytes, TEMPORAL_LIMITS.historyBytes)}`);
  log(
    `  largest payload          ${size(byPayload.payload.bytes).padStart(15)}  ${byPayload.workflowId}: ${byPayload.payload.event} ${byPayload.payload.field}  ${verdict(byPayload.payload.bytes, TEMPORAL_LIMITS.payloadBytes)}`,
  );
}

function largest<T>(items: readonly T[], by: (item: T) => number): T {
  return items.reduce((best, item) => (by(item) > by(best) ? item : best));
}

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function size(bytes: number): string {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}
