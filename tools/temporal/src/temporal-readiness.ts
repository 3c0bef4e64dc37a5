import { Connection } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForTemporalOptions {
  address: string;
  namespace: string;
  /** Total patience. The SDK's own 5 s is too short for a cold start on a busy 2-core machine. */
  timeoutMs: number;
  /** Returns why waiting is pointless (the server process exited), or undefined. */
  giveUpReason?: () => string | undefined;
  /**
   * What "ready" means; default: the namespace can be described. A server
   * that does not create its namespace itself is first waited for with
   * getSystemInfo (frontend up), then the namespace is created.
   */
  probe?: 'namespace' | 'frontend';
}

const ATTEMPT_DEADLINE_MS = 3_000;
const PAUSE_BETWEEN_ATTEMPTS_MS = 200;

/**
 * Connects once the frontend answers and the namespace exists — the point at
 * which a worker or client can really use the server — and returns that
 * connection (the caller closes it).
 */
export async function connectWhenTemporalReady(options: WaitForTemporalOptions): Promise<Connection> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.giveUpReason?.();
    if (reason) throw new Error(reason);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: options.address, connectTimeout: ATTEMPT_DEADLINE_MS });
      await connection.withDeadline(Date.now() + ATTEMPT_DEADLINE_MS, (): Promise<unknown> =>
        options.probe === 'frontend'
          ? connection!.workflowService.getSystemInfo({})
          : connection!.workflowService.describeNamespace({ namespace: options.namespace }),
      );
      return connection;
    } catch (error) {
      lastError = error;
      await connection?.close().catch(() => undefined);
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`Temporal at ${options.address} (namespace "${options.namespace}") was not ready within ${options.timeoutMs / 1000} s; last error: ${detail}`);
    }
    await sleep(PAUSE_BETWEEN_ATTEMPTS_MS);
  }
}
