import type { ActivityOptions } from '@temporalio/common';
import { NON_RETRYABLE_ERROR_TYPES } from './errors';

/**
 * Activity option profiles: the only place timeouts and retries are written.
 * Workflows spread a profile into proxyActivities and add the task queue.
 */
const retryTransient = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
} as const;

export const ACTIVITY_PROFILES = {
  /**
   * Reads from a device (capabilities, backup Get): cheap and safe to retry.
   * The backup heartbeats while it waits for the device, so a worker killed
   * mid-read is noticed in 20 s rather than at the 2 minute timeout (which,
   * in a multi-device change, would outlast a spine's wait for its leaves).
   */
  deviceRead: {
    startToCloseTimeout: '2m',
    heartbeatTimeout: '20s',
    retry: { ...retryTransient, maximumAttempts: 5 },
  },
  /**
   * Writes to a device. Deploy is idempotent (replace of the managed paths),
   * so a retry after a lost worker converges; few attempts keep a flapping
   * device from being hammered.
   */
  deviceWrite: {
    startToCloseTimeout: '5m',
    heartbeatTimeout: '30s',
    retry: { ...retryTransient, maximumAttempts: 3 },
  },
  /**
   * Putting a backup back. It must not give up while the device is merely
   * unreachable for a while (a reload, a flapping management path): it
   * retries every few seconds with no attempt limit, bounded by
   * rollbackScheduleToCloseSeconds, which outlasts the commit-confirmed
   * window, so by the last attempts the device has reverted by itself and
   * the rollback only has to verify that.
   */
  deviceRollback: {
    startToCloseTimeout: '5m',
    heartbeatTimeout: '30s',
    retry: { ...retryTransient, maximumInterval: '5s' },
  },
  /**
   * Validation waits for protocols to settle, so it runs long but heartbeats
   * every few seconds: a killed worker is noticed within the heartbeat timeout.
   */
  deviceValidate: {
    startToCloseTimeout: '15m',
    heartbeatTimeout: '20s',
    retry: { ...retryTransient, maximumAttempts: 3 },
  },
  /**
   * A drift check of a batch of devices: reads only, but many devices one
   * after another, so it heartbeats its progress and gets longer to finish.
   * An unreachable device is part of the answer, not a failure, so a retry
   * means the worker or the whole batch went wrong.
   */
  deviceScan: {
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: { ...retryTransient, maximumAttempts: 3 },
  },
  /**
   * Source-of-truth reads and writes. The Infrahub client already retries
   * 429/5xx inside one attempt (up to 4 tries of INFRAHUB_TIMEOUT, 60 s by
   * default), so one attempt may legitimately take ~4 minutes; it heartbeats
   * every few seconds meanwhile, so a dead infrahub-worker is noticed within
   * the heartbeat timeout, not the start-to-close one.
   */
  infrahub: {
    startToCloseTimeout: '5m',
    heartbeatTimeout: '10s',
    retry: { ...retryTransient, maximumAttempts: 5 },
  },
  /**
   * An outcome written after the device was let go (a change pre-empted by
   * an emergency records it in a workflow of its own): nothing waits for it,
   * so it keeps trying for a day, through an Infrahub or infrahub-worker
   * outage, rather than lose the audit record.
   */
  infrahubAudit: {
    startToCloseTimeout: '5m',
    heartbeatTimeout: '10s',
    scheduleToCloseTimeout: '24h',
    retry: { ...retryTransient, maximumInterval: '60s' },
  },
} as const satisfies Record<string, ActivityOptions>;

export type ActivityProfileName = keyof typeof ACTIVITY_PROFILES;

/**
 * How long a validation may wait on its task queue before a worker takes it,
 * when every device worker is busy (a rollout's wave, a drift scan): the
 * commit-confirmed window leaves room for it, twice (BGP, then interfaces).
 * The confirm itself runs on the urgent queue and does not wait behind them.
 */
export const VALIDATION_QUEUE_ALLOWANCE_SECONDS = 60;

/**
 * How long the device waits for confirmCommit before reverting by itself. It
 * must outlast both validations (up to the settle time each, each after a
 * possible wait on its queue) plus the activities' overhead and a worker
 * restart. If it runs out anyway, confirmCommit fails and the rollback path
 * takes over, so the cost of too short is a needless rollback and the cost of
 * too long only a slower self-rescue of a device whose workflow is stuck.
 */
export function commitConfirmWindowSeconds(settleTimeoutSeconds: number): number {
  const margin = 120;
  return Math.min(86_400, Math.max(30, Math.ceil(2 * (settleTimeoutSeconds + VALIDATION_QUEUE_ALLOWANCE_SECONDS) + margin)));
}

/**
 * How long a rollback keeps trying: past the commit-confirmed window (after
 * which an unconfirmed deploy has reverted on the device by itself), plus
 * time to reach the device and verify. Without commit-confirmed nothing
 * reverts by itself, so the rollback gets a fixed 15 minutes.
 */
export function rollbackScheduleToCloseSeconds(commitConfirmWindowSeconds: number | undefined): number {
  return (commitConfirmWindowSeconds ?? 0) + 15 * 60;
}
