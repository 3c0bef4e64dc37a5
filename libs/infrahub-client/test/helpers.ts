import { inspect } from 'node:util';
import { SynapseError } from '@synapse/contracts';
import { InfrahubClient, type InfrahubClientOptions, type InfrahubLogger } from '../src/index';

/** Awaits a promise that must fail with a SynapseError and returns it. */
export async function failure(promise: Promise<unknown>): Promise<SynapseError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof SynapseError)) throw new Error(`expected a SynapseError, got ${String(err)}`, { cause: err });
    return err;
  }
  throw new Error('expected a failure, but the call succeeded');
}

/** A logger that keeps what it was told, to check no secret reaches logs. */
export function recordingLogger(): InfrahubLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    debug: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/** Fast retries so failure scenarios finish quickly; the environment is never read. */
export function testClient(options: InfrahubClientOptions): InfrahubClient {
  return new InfrahubClient({
    env: {},
    timeoutSeconds: 5,
    ...options,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5_000, ...options.retry },
  });
}

/** Everything an error exposes to a log line (util.inspect walks the cause chain) or to Temporal history. */
export function everythingIn(err: SynapseError): string {
  const cause = err.cause instanceof Error ? `${err.cause.name} ${err.cause.message} ${JSON.stringify(err.cause)}` : String(err.cause ?? '');
  return `${err.message} ${JSON.stringify(err.details)} ${cause} ${err.stack ?? ''} ${inspect(err, { depth: 8, showHidden: true })}`;
}
