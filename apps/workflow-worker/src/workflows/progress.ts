import {
  CancellationScope,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  workflowInfo,
} from '@temporalio/workflow';
import {
  QUERIES,
  type ChangeProgress,
  type DeviceChangeResult,
  type DeviceOutcome,
  type DeviceProgress,
  type DeviceStep,
  type StepTiming,
} from '@synapse/contracts';

/** `progress` on a NetworkChangeWorkflow: every device of the change. */
export const changeProgressQuery = defineQuery<ChangeProgress>(QUERIES.progress);
/** `progress` on a DeviceChangeWorkflow: its one device. */
export const deviceProgressQuery = defineQuery<DeviceProgress>(QUERIES.progress);

/**
 * A device workflow of an emergency change tells its parent how it ended
 * before its result arrives, so a cancelled emergency still knows which
 * devices rolled back (a workflow cannot query another workflow). Only the
 * end is signalled, never each step: the steps are the device workflow's
 * own `progress` query. Signals may arrive out of order, so each carries a
 * revision and the parent keeps the newest.
 */
export interface DeviceProgressReport {
  revision: number;
  progress: DeviceProgress;
}
export const deviceProgressSignal = defineSignal<[DeviceProgressReport]>('deviceProgress');

type DeviceState = DeviceProgress['state'];

/** Times are workflow time: deterministic, the same on replay. */
function now(): Date {
  return new Date();
}

/**
 * One device's runbook position: the current step, each step's start and
 * end, and the final state. The device workflow wraps each step in
 * `step(name, run)`, so timings cannot be forgotten or left open.
 */
export class DeviceProgressTracker {
  #step: DeviceStep = 'queued';
  #state: DeviceState = 'pending';
  #detail: string | undefined;
  readonly #steps: Array<{ step: DeviceStep; started: Date; finished?: Date }> = [];
  #revision = 0;
  readonly #inFlightReports: Promise<void>[] = [];
  readonly #parent: ReturnType<typeof workflowInfo>['parent'];

  /** `reportToParent: false`: a rollout member, whose group learns its end from its own signal and result. */
  constructor(
    readonly device: string,
    options: { reportToParent: boolean } = { reportToParent: true },
  ) {
    this.#parent = options.reportToParent ? workflowInfo().parent : undefined;
  }

  /**
   * `waiting`: what a long step waits for and until when (a settle window,
   * a time to live), shown as the device's DETAIL while the step runs: an
   * operator watching a 2-minute BGP wait sees why nothing moves.
   */
  async step<T>(step: DeviceStep, run: () => Promise<T>, waiting?: string): Promise<T> {
    const timing: { step: DeviceStep; started: Date; finished?: Date } = { step, started: now() };
    this.#steps.push(timing);
    this.#step = step;
    this.#state = 'running';
    this.#detail = waiting;
    try {
      return await run();
    } finally {
      timing.finished = now();
      if (this.#detail === waiting) this.#detail = undefined;
    }
  }

  /**
   * A step one activity runs in parts (validateAndConfirm: BGP, interfaces,
   * confirm, ownership): while it runs it shows as `step`; once it answers,
   * its parts replace it, each with the time the activity measured, so the
   * runbook still lists every step. Times come from the activity's result,
   * which history holds: the same on replay.
   */
  async stepInParts<T>(step: DeviceStep, run: () => Promise<T>, partsOf: (result: T) => Array<{ step: DeviceStep; startedAt: string; finishedAt: string }>, waiting?: string): Promise<T> {
    const at = this.#steps.length;
    const result = await this.step(step, run, waiting);
    const parts = partsOf(result);
    if (parts.length > 0) {
      this.#steps.splice(at, 1, ...parts.map((p) => ({ step: p.step, started: new Date(p.startedAt), finished: new Date(p.finishedAt) })));
      this.#step = parts[parts.length - 1]!.step;
    }
    return result;
  }

  finish(outcome: DeviceOutcome, detail?: string): void {
    this.#step = 'done';
    this.#state = stateOf(outcome);
    this.#detail = detail;
    this.#publish();
  }

  timings(): StepTiming[] {
    return this.#steps.map(toStepTiming);
  }

  snapshot(): DeviceProgress {
    return { device: this.device, step: this.#step, state: this.#state, steps: this.timings(), ...(this.#detail ? { detail: this.#detail } : {}) };
  }

  /** Waits until the parent has every report (call before the workflow returns). */
  async flush(): Promise<void> {
    await Promise.all(this.#inFlightReports);
  }

  #publish(): void {
    if (!this.#parent) return;
    const report: DeviceProgressReport = { revision: ++this.#revision, progress: this.snapshot() };
    const parent = getExternalWorkflowHandle(this.#parent.workflowId, this.#parent.runId);
    // Non-cancellable: the final report of a cancelled change (rolled back)
    // matters most. Progress is informational, so a parent that is gone is
    // not this workflow's failure.
    this.#inFlightReports.push(
      CancellationScope.nonCancellable(() => parent.signal(deviceProgressSignal, report)).catch(() => undefined),
    );
  }
}

/**
 * The parent's view of every device: queued until its child starts, then
 * whatever the child last reported, then the child's final result.
 */
export class ChangeProgressBoard {
  readonly #devices = new Map<string, { revision: number; progress: DeviceProgress }>();

  constructor(
    readonly changeId: string,
    devices: readonly string[],
  ) {
    for (const device of devices) this.#devices.set(device, { revision: 0, progress: { device, step: 'queued', state: 'pending', steps: [] } });
  }

  report({ revision, progress }: DeviceProgressReport): void {
    const known = this.#devices.get(progress.device);
    if (known && revision > known.revision) this.#devices.set(progress.device, { revision, progress });
  }

  /** The device's final word, from its result; no later report can overwrite it. */
  settle(result: DeviceChangeResult): void {
    const progress: DeviceProgress = {
      device: result.device,
      step: 'done',
      state: stateOf(result.outcome),
      steps: result.timings,
      ...(result.reason ? { detail: result.reason } : {}),
    };
    this.#devices.set(result.device, { revision: Number.POSITIVE_INFINITY, progress });
  }

  /** What is known about one device right now. */
  device(name: string): DeviceProgress | undefined {
    return this.#devices.get(name)?.progress;
  }

  snapshot(): ChangeProgress {
    return { changeId: this.changeId, devices: [...this.#devices.values()].map((d) => d.progress) };
  }
}

function stateOf(outcome: DeviceOutcome): DeviceState {
  switch (outcome) {
    case 'deployed':
    case 'in-sync':
    case 'dry-run':
    case 'reverted':
      return 'succeeded';
    case 'rolled-back':
    case 'pre-empted':
      return 'rolled-back';
    case 'failed':
    case 'refused':
      return 'failed';
    case 'skipped':
      return 'skipped';
  }
}

function toStepTiming(t: { step: DeviceStep; started: Date; finished?: Date }): StepTiming {
  return {
    step: t.step,
    startedAt: t.started.toISOString(),
    ...(t.finished ? { finishedAt: t.finished.toISOString(), durationMs: t.finished.getTime() - t.started.getTime() } : {}),
  };
}
