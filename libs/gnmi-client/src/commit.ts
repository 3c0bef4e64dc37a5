import type { WireDuration, WireExtension } from './proto';

/**
 * The commit-confirmed extension (gnmi_ext.Commit, gnmi-commit-confirmed
 * 0.1.0), carried on a Set:
 *  - commit: apply the Set and revert it by itself unless confirmed within
 *    the rollback duration (device default 10 minutes when left out);
 *  - confirm: keep the pending commit (a Set with no operations);
 *  - cancel: revert the pending commit now;
 *  - set-rollback-duration: move the pending commit's deadline.
 * One commit may be pending per device; the device answers a second commit,
 * or a plain Set, with FAILED_PRECONDITION and a wrong id with INVALID_ARGUMENT.
 */
export type CommitAction =
  | { id: string; action: 'commit'; rollbackDurationMs?: number }
  | { id: string; action: 'confirm' }
  | { id: string; action: 'cancel' }
  | { id: string; action: 'set-rollback-duration'; rollbackDurationMs: number };

export function commitExtension(commit: CommitAction): WireExtension {
  switch (commit.action) {
    case 'commit':
      return {
        commit: {
          id: commit.id,
          commit: commit.rollbackDurationMs === undefined ? {} : { rollback_duration: durationFromMs(commit.rollbackDurationMs) },
        },
      };
    case 'confirm':
      return { commit: { id: commit.id, confirm: {} } };
    case 'cancel':
      return { commit: { id: commit.id, cancel: {} } };
    case 'set-rollback-duration':
      return { commit: { id: commit.id, set_rollback_duration: { rollback_duration: durationFromMs(commit.rollbackDurationMs) } } };
  }
}

/** Problems with a commit action, or undefined when it is usable. */
export function commitActionProblem(commit: CommitAction): string | undefined {
  if (typeof commit.id !== 'string' || commit.id.trim() === '') return 'commit.id must be a non-empty string';
  const actions = ['commit', 'confirm', 'cancel', 'set-rollback-duration'];
  if (!actions.includes(commit.action)) return `commit.action must be one of ${actions.join(', ')}`;
  const duration = 'rollbackDurationMs' in commit ? commit.rollbackDurationMs : undefined;
  if (commit.action === 'set-rollback-duration' && duration === undefined) return 'commit.rollbackDurationMs is required to set a rollback duration';
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= 1000)) {
    return 'commit.rollbackDurationMs must be a whole number of milliseconds, at least 1000';
  }
  return undefined;
}

/** google.protobuf.Duration from milliseconds. */
export function durationFromMs(ms: number): WireDuration {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}
