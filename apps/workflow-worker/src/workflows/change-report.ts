import { allHandlersFinished, CancellationScope, condition, isCancellation, ParentClosePolicy, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import type {
  BackupRef,
  ChangeOutcome,
  ChangeRecord,
  DeploymentState,
  DeviceChangeInput,
  DeviceChangeResult,
  DeviceOutcome,
  DiffResult,
  IntentSource,
  UpdateDeviceStatusInput,
  ValidationResult,
} from '@synapse/contracts';
import { workflowIds } from '@synapse/contracts';
import type { ActivityRouting, ChangeActivities } from './activities';
import type { PreemptNotice } from './device-lock';
import { operatorReason } from './failures';
import { RecordOutcomeWorkflow } from './record-outcome';
import { outcomeSearchAttribute } from './search-attributes';
import type { DeviceProgressTracker } from './progress';

/**
 * What one device's change tells Infrahub (deployment state and the audit
 * record) and its caller (DeviceChangeResult), built from the facts the
 * runbook collects as it goes. Kept apart from the runbook so that
 * device-change.ts reads as the steps and nothing else.
 */
/** What the report needs of a plan: diffConfig's whole DiffResult (changes begun before configs left history) or prepareDeploy's PlannedChange. */
export type ReportedPlan = Pick<DiffResult, 'summary' | 'stalePaths' | 'inSync'> & { diff?: DiffResult['diff'] };

export class DeviceChangeReport {
  backup: BackupRef | undefined;
  plan: ReportedPlan | undefined;
  /** An emergency patch's own plan (there is no diff against the intent). */
  patchSummary: string | undefined;
  /** The emergency change that took the device from this one, if one did. */
  preemptedBy: PreemptNotice | undefined;
  /** Where and when the intent was read: the audit record names it, the branch may be gone later. */
  intent: IntentSource | undefined;
  /** What validation left for later or reported instead of waiting (a rollout member's deferred and waiting checks). */
  notes: string[] = [];
  readonly validation: { bgp?: ValidationResult; interfaces?: ValidationResult } = {};
  /** Workflow time, so a replay computes the same record. */
  readonly #startedAt = new Date();

  constructor(
    private readonly input: DeviceChangeInput,
    private readonly workflowId: string,
    private readonly progress: DeviceProgressTracker,
    private readonly infrahub: ChangeActivities['infrahub'],
    private readonly routing: ActivityRouting,
  ) {}

  /**
   * The deployment state and the change record, in Infrahub. It runs even in
   * a cancelled change (the audit trail matters most then) and never throws:
   * Infrahub being down must not hide what happened on the device, so a
   * failed write comes back as a sentence for the result's reason.
   */
  async record(state: DeploymentState, outcome: ChangeOutcome, detail?: string, configChecksum?: string): Promise<string | undefined> {
    const { device, changeId } = this.input;
    try {
      await CancellationScope.nonCancellable(() =>
        this.progress.step('record-status', () =>
          // Audit goes to Infrahub's default branch whatever branch the intent came from.
          this.infrahub.updateDeviceStatus({ device, state, changeId, record: this.changeRecord(outcome, detail), ...(configChecksum ? { configChecksum } : {}) }),
        ),
      );
      return undefined;
    } catch (err) {
      return `the outcome could not be recorded in Infrahub: ${operatorReason(err)}`;
    }
  }

  /**
   * A change an emergency pre-empted lets go of the device at once and
   * records its outcome afterwards, in a workflow of its own that keeps
   * trying through an Infrahub outage: the emergency must never wait on
   * this change's bookkeeping. The deployment state is written only while
   * this change is still the device's last one, so a late record does not
   * overwrite the emergency's.
   */
  async letGoPreempted(reason: string, state: DeploymentState): Promise<DeviceChangeResult> {
    const { device, changeId } = this.input;
    const update: UpdateDeviceStatusInput = { device, state, changeId, record: this.changeRecord('pre-empted', reason), onlyIfCurrent: true };
    let note: string | undefined;
    try {
      await CancellationScope.nonCancellable(() =>
        startChild(RecordOutcomeWorkflow, {
          workflowId: workflowIds.outcomeRecord(changeId, device),
          args: [update, this.routing],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      );
      note = `its record in Infrahub is written by ${workflowIds.outcomeRecord(changeId, device)}`;
    } catch (err) {
      note = `the outcome could not be recorded in Infrahub: ${operatorReason(err)}`;
    }
    return this.finish('pre-empted', joinNote(reason, note));
  }

  private changeRecord(outcome: ChangeOutcome, detail: string | undefined): ChangeRecord {
    const { device, changeId } = this.input;
    return {
      changeId,
      kind: this.input.kind,
      device,
      requester: this.input.requester,
      reason: this.input.reason,
      ...(this.input.ticket ? { ticket: this.input.ticket } : {}),
      outcome,
      diffSummary: this.plan?.summary ?? this.patchSummary ?? 'not computed: the change stopped before its plan',
      ...(this.backup ? { backup: this.backup } : {}),
      ...(detail ? { detail } : {}),
      workflowId: this.workflowId,
      ...(this.intent ? { intent: this.intent } : {}),
      startedAt: this.#startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    };
  }

  /**
   * A failure before the deploy: nothing was pushed. Recorded as `failed`
   * (except in a dry run, which records nothing); a cancellation is passed on
   * after the record so the workflow ends cancelled.
   */
  async failedBeforeDeploy(cause: unknown): Promise<DeviceChangeResult> {
    if (this.preemptedBy) {
      // The intent this change was deploying is still not on the device: pending.
      const reason = `${this.preemptionReason()}; nothing was deployed to ${this.input.device}`;
      if (this.input.dryRun) return this.finish('pre-empted', reason);
      return this.letGoPreempted(reason, 'pending');
    }
    const reason = `${operatorReason(cause)}; nothing was deployed to ${this.input.device}`;
    const note = this.input.dryRun ? undefined : await this.record('failed', 'failed', reason);
    const result = await this.finish('failed', joinNote(reason, note));
    // A rollout member's group reads its outcome from the result, cancelled or not.
    if (isCancellation(cause) && !this.input.member) throw cause;
    return result;
  }

  preemptionReason(): string {
    const by = this.preemptedBy;
    return by ? `pre-empted by emergency change ${by.changeId} (ticket ${by.ticket}, by ${by.requester}, workflow ${by.workflowId})` : 'not pre-empted';
  }

  /** Ends the change: the final progress report reaches the parent before the result does. */
  async finish(outcome: DeviceOutcome, reason?: string): Promise<DeviceChangeResult> {
    this.progress.finish(outcome, reason);
    upsertSearchAttributes(outcomeSearchAttribute(outcome));
    await CancellationScope.nonCancellable(async () => {
      await this.progress.flush();
      await condition(allHandlersFinished);
    });
    return this.result(outcome, reason);
  }

  result(outcome: DeviceOutcome, reason?: string): DeviceChangeResult {
    return {
      device: this.input.device,
      outcome,
      ...(this.plan || this.patchSummary ? { diffSummary: this.plan?.summary ?? this.patchSummary } : {}),
      // The whole diff is what a dry run is for; otherwise the summary keeps
      // the parent's result small for fleet-wide changes.
      ...(outcome === 'dry-run' && this.plan?.diff ? { diff: this.plan.diff } : {}),
      ...(this.backup ? { backup: this.backup } : {}),
      validation: { ...this.validation },
      ...(reason ? { reason } : {}),
      ...(this.notes.length > 0 ? { notes: [...this.notes] } : {}),
      timings: this.progress.timings(),
    };
  }
}

export function joinNote(reason: string, note: string | undefined): string {
  return note ? `${reason}; ${note}` : reason;
}
