import { WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { Payload } from '@temporalio/common';
import type { TemporalSession } from './temporal';

type RawExecutionInfo = Parameters<typeof executionInfoFromRaw>[0];
export type ExecutionInfo = Omit<WorkflowExecutionInfo, 'raw'>;

/** gRPC NOT_FOUND: no such workflow (the SDK's own describe turns it into WorkflowNotFoundError). */
const GRPC_NOT_FOUND = 5;

/**
 * Temporal's reading of one execution, as the SDK gives it, except its memo:
 * a memo field this CLI cannot decode (encrypted under a key it does not
 * have, or at all) is left out instead of failing the whole list. The
 * list's search attributes are never encrypted, so a CLI without the
 * payload keys still lists and finds every change; only the summary
 * columns of those it cannot read stay empty.
 */
async function readExecution(session: TemporalSession, raw: RawExecutionInfo): Promise<ExecutionInfo> {
  const info = await executionInfoFromRaw({ ...raw, memo: null }, session.client.options.loadedDataConverter, undefined, session.namespace);
  const memo: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(raw.memo?.fields ?? {})) {
    try {
      memo[key] = await decodePayload(session, payload as Payload);
    } catch {
      // Not this CLI's to read: the field stays out of the summary.
    }
  }
  const { raw: _raw, ...rest } = info as typeof info & { raw?: unknown };
  return { ...rest, memo };
}

export async function decodePayload(session: TemporalSession, payload: Payload): Promise<unknown> {
  const { payloadCodecs, payloadConverter } = session.client.options.loadedDataConverter;
  let decoded = [payload];
  // Codecs encode first to last, so they decode last to first.
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload(decoded[0]);
}

/** The executions a visibility query finds, page by page, newest first. */
export async function* listExecutions(session: TemporalSession, query: string, pageSize: number): AsyncGenerator<ExecutionInfo> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await session.connection.workflowService.listWorkflowExecutions({ namespace: session.namespace, query, pageSize, ...(nextPageToken ? { nextPageToken } : {}) });
    for (const raw of page.executions ?? []) yield await readExecution(session, raw);
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/** One execution (its latest run unless `runId`), with the raw answer (pending activities); WorkflowNotFoundError when there is none. */
export async function describeExecution(session: TemporalSession, workflowId: string, runId?: string) {
  let response;
  try {
    response = await session.connection.workflowService.describeWorkflowExecution({ namespace: session.namespace, execution: { workflowId, ...(runId ? { runId } : {}) } });
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_NOT_FOUND) throw new WorkflowNotFoundError(`no workflow ${workflowId}`, workflowId, runId);
    throw err;
  }
  return { info: await readExecution(session, response.workflowExecutionInfo ?? {}), raw: response };
}
