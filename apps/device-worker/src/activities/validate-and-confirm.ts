import type { z } from 'zod';
import { parseInput, ValidateAndConfirmInput, type SubStepTiming, type ValidateAndConfirmResult, type ValidationResult } from '@synapse/contracts';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { confirmPendingCommit } from './confirm-commit';
import type { ActivityRuntime } from './deps';
import { loadConfig, resolveDeployedChange } from './documents';
import { writeOwnershipRecord } from './record-ownership';
import { settleWindowStart, watchUntilSettled, type StateWatchSpec, type WatchProgress } from './state-watch';
import { bgpWatch } from './validate-bgp';
import { interfacesWatch } from './validate-interfaces';

/**
 * validateBgp and validateInterfaces at once, within one settle window, then
 * (both passed) the confirm and the ownership record, in one activity: the
 * commit-confirmed timer runs while the verdict waits, so nothing queues
 * between the verdict and the confirm.
 *
 * A validation that fails is a verdict (passed:false, nothing confirmed or
 * recorded: the workflow rolls back), as the validators return it. The
 * confirm fails as confirmCommit does (ConfigRejected when the commit is
 * gone and the config with it). An ownership record that cannot be written
 * is said in `ownershipProblem`: the device runs the change either way.
 *
 * One heartbeat for both watches, in the validators' shape (satisfied,
 * total, pending: what the CLI shows), so a retry keeps the settle window.
 * A retry after a lost answer validates again and settles the confirm by
 * reading the device back; the record is idempotent per change.
 */
export function validateAndConfirm(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ValidateAndConfirmInput>): Promise<ValidateAndConfirmResult> => {
    const { device, changeId, workflowId, networkInstance, neighbors, interfaces, settleTimeoutSeconds, confirm, recordOwnership } = parseInput(
      ValidateAndConfirmInput,
      input,
      'validateAndConfirm input',
    );
    const steps: SubStepTiming[] = [];
    const now = () => runtime.clock().toISOString();

    const verdict = await runtime.withDevice(device, async (client, target) => {
      const validation = await validateTogether(runtime, device, [
        { step: 'validate-bgp', spec: bgpWatch({ device, networkInstance, neighbors, settleTimeoutSeconds }) },
        { step: 'validate-interfaces', spec: interfacesWatch({ device, interfaces, settleTimeoutSeconds }) },
      ], (spec, options) => watchUntilSettled(runtime, client, target, spec, options));
      steps.push(...validation.steps);
      const [bgp, itfs] = validation.results;
      const passed = bgp.passed && itfs.passed;
      if (!passed || !confirm) return { bgp, interfaces: itfs, passed, confirmed: false };
      const startedAt = now();
      await confirmPendingCommit(client, device, confirm.commitId, () =>
        resolveDeployedChange(runtime, device, { config: {}, ...confirm.deployed }, 'confirm.deployed'),
      );
      steps.push({ step: 'confirm', startedAt, finishedAt: now() });
      return { bgp, interfaces: itfs, passed, confirmed: true };
    });

    let ownershipProblem: string | undefined;
    if (verdict.passed && recordOwnership) {
      const startedAt = now();
      try {
        const config = await loadConfig(runtime, device, recordOwnership, 'recordOwnership');
        await writeOwnershipRecord(runtime, { device, changeId, workflowId, config });
      } catch (err) {
        if (err instanceof CancelledFailure) throw err;
        ownershipProblem = `${device}: the deployed config was not recorded as owned (${err instanceof Error ? err.message : String(err)}); the device runs the change, and the next change plans its deletions from the earlier record`;
      }
      steps.push({ step: 'record-ownership', startedAt, finishedAt: now() });
    }
    return { device, bgp: verdict.bgp, interfaces: verdict.interfaces, confirmed: verdict.confirmed, ...(ownershipProblem ? { ownershipProblem } : {}), steps };
  };
}

type Watch = (spec: StateWatchSpec, options: Parameters<typeof watchUntilSettled>[4]) => Promise<ValidationResult>;

/**
 * Runs the watches concurrently in one settle window, heartbeating their
 * sum. One that fails (the device cannot be observed) stops the other, and
 * the activity fails as a single validator would.
 */
async function validateTogether(
  runtime: ActivityRuntime,
  device: string,
  watches: Array<{ step: 'validate-bgp' | 'validate-interfaces'; spec: StateWatchSpec }>,
  watch: Watch,
): Promise<{ results: ValidationResult[]; steps: SubStepTiming[] }> {
  const context = Context.current();
  const startedAtMs = settleWindowStart();
  // Seeded with every subject pending, so the first beat already counts both watches.
  const latest = new Map<string, WatchProgress>(
    watches.map(({ spec }) => {
      const subjects = spec.evaluate(new Map()).map((c) => c.subject);
      return [spec.kind, { kind: spec.kind, device, elapsedMs: 0, observing: false, satisfied: 0, total: subjects.length, pending: subjects }];
    }),
  );
  const report = (progress: WatchProgress) => {
    latest.set(progress.kind, progress);
    const all = [...latest.values()];
    context.heartbeat({
      startedAtMs,
      kind: all.map((p) => p.kind).join('+'),
      device,
      elapsedMs: Date.now() - startedAtMs,
      observing: all.every((p) => p.observing),
      satisfied: all.reduce((sum, p) => sum + p.satisfied, 0),
      total: all.reduce((sum, p) => sum + p.total, 0),
      pending: all.flatMap((p) => p.pending).slice(0, 20),
    });
  };
  const stop = new AbortController();
  const startedAt = runtime.clock().toISOString();
  const steps: SubStepTiming[] = [];
  const settled = await Promise.allSettled(
    watches.map(({ step, spec }) =>
      watch(spec, { startedAtMs, report, signal: stop.signal }).then(
        (result) => {
          steps.push({ step, startedAt, finishedAt: runtime.clock().toISOString() });
          // A watch that passed stops beating: its last beat may still show what was pending.
          const ok = result.checks.filter((c) => c.ok).length;
          report({ kind: spec.kind, device, elapsedMs: result.durationMs, observing: true, satisfied: ok, total: result.checks.length, pending: result.checks.filter((c) => !c.ok).map((c) => c.subject) });
          return result;
        },
        (err: unknown) => {
          stop.abort(err);
          throw err;
        },
      ),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  steps.sort((a, b) => watches.findIndex((w) => w.step === a.step) - watches.findIndex((w) => w.step === b.step));
  return { results: settled.map((s) => (s as PromiseFulfilledResult<ValidationResult>).value), steps };
}
