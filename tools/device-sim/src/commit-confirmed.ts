import type { WireDuration, WireExtension } from '@synapse/gnmi-client';
import { failedPrecondition, invalidArgument } from './errors';
import type { JsonObject } from './tree';

/**
 * gNMI commit-confirmed (gnmi-commit-confirmed.md 0.1.0): one pending commit
 * per target; it reverts by itself unless confirmed in time. The caller
 * applies the SetRequest; this class decides whether it may, and owns the
 * rollback point and the timer.
 */

export const DEFAULT_ROLLBACK_MS = 10 * 60 * 1000;

export type CommitRequest =
  | { id: string; action: 'commit'; rollbackMs: number }
  | { id: string; action: 'confirm' }
  | { id: string; action: 'cancel' }
  | { id: string; action: 'set_rollback_duration'; rollbackMs: number };

function durationMs(duration: WireDuration | undefined): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) * 1000 + Math.floor((duration.nanos ?? 0) / 1e6);
}

/** The commit extension of a SetRequest, if any, checked for shape. */
export function parseCommitExtension(extensions: WireExtension[] | undefined): CommitRequest | undefined {
  const commits = (extensions ?? []).filter((e) => e.commit !== undefined);
  if (commits.length === 0) return undefined;
  if (commits.length > 1) throw invalidArgument('a SetRequest can carry only one commit extension');
  const commit = commits[0].commit!;
  const id = commit.id ?? '';
  if (id === '') throw invalidArgument('commit extension: id is required');
  switch (commit.action) {
    case 'commit': {
      const requested = durationMs(commit.commit?.rollback_duration);
      return { id, action: 'commit', rollbackMs: requested > 0 ? requested : DEFAULT_ROLLBACK_MS };
    }
    case 'confirm':
      return { id, action: 'confirm' };
    case 'cancel':
      return { id, action: 'cancel' };
    case 'set_rollback_duration': {
      const requested = durationMs(commit.set_rollback_duration?.rollback_duration);
      if (requested <= 0) throw invalidArgument('commit extension: set_rollback_duration needs a rollback_duration greater than 0');
      return { id, action: 'set_rollback_duration', rollbackMs: requested };
    }
    default:
      throw invalidArgument(`commit extension ${id}: no action (commit, confirm, cancel or set_rollback_duration) given`);
  }
}

interface Pending {
  id: string;
  rollbackConfig: JsonObject;
  timer: NodeJS.Timeout;
  expiresAt: number;
}

export class CommitConfirmed {
  private pending?: Pending;

  /** `revert` restores the pre-commit config when the timer runs out. */
  constructor(private readonly revert: (rollbackConfig: JsonObject, reason: string) => void) {}

  get active(): { id: string; expiresAt: number } | undefined {
    return this.pending && { id: this.pending.id, expiresAt: this.pending.expiresAt };
  }

  /** The config the pending commit would revert to, if one is pending. */
  get rollbackPoint(): JsonObject | undefined {
    return this.pending?.rollbackConfig;
  }

  /** A SetRequest without the extension may not run while a commit waits. */
  assertNoPending(): void {
    if (this.pending) {
      throw failedPrecondition(`confirmed commit "${this.pending.id}" is pending; confirm or cancel it before another Set`);
    }
  }

  /** Checks an action against the pending commit before anything is applied. */
  check(request: CommitRequest): void {
    if (request.action === 'commit') {
      this.assertNoPending();
      return;
    }
    if (!this.pending) throw failedPrecondition(`no confirmed commit is pending (asked to ${request.action} "${request.id}")`);
    if (this.pending.id !== request.id) {
      throw invalidArgument(`commit id "${request.id}" does not match the pending commit "${this.pending.id}"`);
    }
  }

  begin(id: string, rollbackConfig: JsonObject, rollbackMs: number): void {
    this.assertNoPending();
    this.pending = { id, rollbackConfig, expiresAt: Date.now() + rollbackMs, timer: this.startTimer(id, rollbackMs) };
  }

  confirm(id: string): void {
    this.check({ id, action: 'confirm' });
    clearTimeout(this.pending!.timer);
    this.pending = undefined;
  }

  /** Ends the pending commit and hands back the config to restore. */
  cancel(id: string): JsonObject {
    this.check({ id, action: 'cancel' });
    return this.takeRollback()!;
  }

  setRollbackDuration(id: string, rollbackMs: number): void {
    this.check({ id, action: 'set_rollback_duration', rollbackMs });
    const pending = this.pending!;
    clearTimeout(pending.timer);
    pending.expiresAt = Date.now() + rollbackMs;
    pending.timer = this.startTimer(id, rollbackMs);
  }

  /** A restart loses the rollback timer; like a device, the commit is reverted. */
  takeRollback(): JsonObject | undefined {
    const pending = this.pending;
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.pending = undefined;
    return pending.rollbackConfig;
  }

  stop(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }

  private startTimer(id: string, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const rollback = this.takeRollback();
      if (rollback) this.revert(rollback, `confirmed commit "${id}" was not confirmed within ${ms} ms`);
    }, ms);
    timer.unref();
    return timer;
  }
}
