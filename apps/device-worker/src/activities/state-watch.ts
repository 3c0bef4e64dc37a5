import { isSynapseError, SynapseError, type ValidationResult } from '@synapse/contracts';
import type { DeviceTarget } from '@synapse/contracts';
import type { GnmiClient, GnmiSubscription, SubscriptionEvent } from '@synapse/gnmi-client';
import { Context } from '@temporalio/activity';
import type { ActivityRuntime } from './deps';

export type ValidationCheck = ValidationResult['checks'][number];

/** What one validation watches and how it judges what it sees. */
export interface StateWatchSpec {
  device: string;
  kind: ValidationResult['kind'];
  /** Paths to subscribe to (wildcards allowed), STREAM / ON_CHANGE. */
  paths: string[];
  settleTimeoutMs: number;
  /** One check per expected subject from the leaves seen so far (path -> value); `reason` says what is wrong. */
  evaluate(state: ReadonlyMap<string, unknown>): ValidationCheck[];
}

interface WatchHeartbeat {
  /** When validation first started, kept across retries so a retry does not restart the settle window. */
  startedAtMs?: number;
}

/** What a watch reports as it goes; the heartbeat details the CLI reads (satisfied/total, pending). */
export interface WatchProgress {
  kind: string;
  device: string;
  elapsedMs: number;
  observing: boolean;
  satisfied: number;
  total: number;
  pending: string[];
}

export interface WatchOptions {
  /** A settle window shared by several watches (settleWindowStart); this attempt's own otherwise. */
  startedAtMs?: number;
  /** Where progress goes instead of this watch's own heartbeat (several watches, one heartbeat). */
  report?: (progress: WatchProgress) => void;
  /** Ends the watch early (a sibling watch failed): it throws the signal's reason. */
  signal?: AbortSignal;
}

/** When the settle window started: kept in the heartbeat across retries, so a retry does not restart it. */
export function settleWindowStart(): number {
  const attemptStartMs = Date.now();
  const previous = Context.current().info.heartbeatDetails as WatchHeartbeat | undefined;
  return typeof previous?.startedAtMs === 'number' && previous.startedAtMs <= attemptStartMs ? previous.startedAtMs : attemptStartMs;
}

/**
 * Watches device state until every check passes or the settle window ends.
 * Event-driven: one gNMI Subscribe (STREAM, ON_CHANGE) delivers the current
 * values, a sync, then each change as it happens, so a session that comes
 * up is seen at once and nothing polls the device.
 *
 * While waiting it heartbeats every heartbeatIntervalMs with its progress
 * (which subjects are still pending), so a lost worker is noticed within
 * the profile's heartbeat timeout and the UI shows what it waits for. A
 * cancelled activity closes the subscription and ends with the
 * CancelledFailure. A stream the device or the network cuts is re-opened
 * after resubscribeIntervalMs; if the device cannot be observed at the
 * deadline the last transport error (retryable) is thrown, since a verdict
 * on stale state would be a guess.
 *
 * Outcome: passed:true as soon as every check passes; passed:false at the
 * deadline with every check and, for failing ones, the reason and the
 * settle time (`neighbor 10.0.0.1: session-state active, expected
 * established after 30 s`). Validation failing is a verdict, not an
 * error: the workflow decides (roll back, alert) from the result.
 */
export async function watchUntilSettled(runtime: ActivityRuntime, client: GnmiClient, target: DeviceTarget, spec: StateWatchSpec, options: WatchOptions = {}): Promise<ValidationResult> {
  const context = Context.current();
  const attemptStartMs = Date.now();
  const startedAtMs = options.startedAtMs ?? settleWindowStart();
  const deadline = startedAtMs + spec.settleTimeoutMs;
  // Before the first sync the device gets its call deadline even past the settle deadline: a retry
  // that starts after the window closed still judges from fresh state, never from none.
  const firstSyncUntil = Math.max(deadline, attemptStartMs + target.timeoutMs);

  const state = new Map<string, unknown>();
  let synced = false;
  let everSynced = false;
  let lastError: unknown;
  let checks = spec.evaluate(state);

  const result = (passed: boolean): ValidationResult => ({ device: spec.device, kind: spec.kind, passed, checks, durationMs: Date.now() - startedAtMs });
  const report = options.report ?? ((progress: WatchProgress) => context.heartbeat({ startedAtMs, ...progress, pending: progress.pending.slice(0, 20) }));
  const heartbeat = () => {
    const pending = checks.filter((c) => !c.ok).map((c) => c.subject);
    report({ kind: spec.kind, device: spec.device, elapsedMs: Date.now() - startedAtMs, observing: synced, satisfied: checks.length - pending.length, total: checks.length, pending });
  };
  const stopped = stoppedBy(options.signal);

  if (checks.length === 0) return result(true);
  heartbeat();
  const timer = setInterval(heartbeat, runtime.settings.heartbeatIntervalMs);
  try {
    for (;;) {
      const until = () => (everSynced ? deadline : firstSyncUntil);
      options.signal?.throwIfAborted();
      if (Date.now() >= until()) break;
      const subscription = client.subscribe({
        mode: 'STREAM',
        subscriptions: spec.paths.map((path) => ({ path, mode: 'ON_CHANGE' as const })),
        connectTimeoutMs: Math.max(1, Math.min(target.timeoutMs, until() - Date.now())),
      });
      state.clear();
      synced = false;
      try {
        let pending = subscription.next();
        for (;;) {
          const step = await nextOrTimeout(pending, until() - Date.now(), stopped ? Promise.race([context.cancelled, stopped]) : context.cancelled);
          if (step === 'timeout') break;
          if (step.done) throw new SynapseError('DeviceUnreachable', `${spec.device}: the device ended the state subscription`, { device: spec.device });
          apply(state, step.value);
          if (step.value.kind === 'sync') synced = everSynced = true;
          if (synced) {
            checks = spec.evaluate(state);
            if (checks.every((c) => c.ok)) return result(true);
          }
          pending = subscription.next();
        }
        break;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        lastError = err;
        synced = false;
        const wait = Math.min(runtime.settings.resubscribeIntervalMs, until() - Date.now());
        if (wait > 0) await context.sleep(wait);
      } finally {
        subscription.close();
      }
    }
  } finally {
    clearInterval(timer);
  }

  if (!synced) {
    if (isSynapseError(lastError)) throw lastError;
    throw new SynapseError('DeviceTimeout', `${spec.device}: no state from the device within ${seconds(spec.settleTimeoutMs)}`, { device: spec.device });
  }
  checks = spec.evaluate(state).map((c) => (c.ok || !c.reason ? c : { ...c, reason: `${c.reason} after ${seconds(spec.settleTimeoutMs)}` }));
  return result(false);
}

/** Rejects with the signal's reason once it is aborted; never settles without a signal. */
function stoppedBy(signal: AbortSignal | undefined): Promise<never> | undefined {
  if (!signal) return undefined;
  const stopped = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  stopped.catch(() => undefined);
  return stopped;
}

function apply(state: Map<string, unknown>, event: SubscriptionEvent): void {
  if (event.kind === 'update') state.set(event.path, event.value);
  else if (event.kind === 'delete') {
    // A deleted list entry or container removes every leaf under it.
    for (const path of [...state.keys()]) if (path === event.path || path.startsWith(`${event.path}/`)) state.delete(path);
  }
}

/** Races the next event against the deadline and cancellation (which rejects with the CancelledFailure). */
async function nextOrTimeout(
  next: ReturnType<GnmiSubscription['next']>,
  ms: number,
  cancelled: Promise<never>,
): Promise<IteratorResult<SubscriptionEvent> | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
  });
  try {
    return await Promise.race([next, timeout, cancelled]);
  } finally {
    clearTimeout(timer);
  }
}

function isRetryable(err: unknown): boolean {
  return isSynapseError(err) && err.retryable;
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
