import {
  RESULT_DEVICES_LISTED,
  type ChangePhase,
  type ChangeResult,
  type DevicePlan,
  type DeviceResultSummary,
  type MemberOutcome,
  type RolloutProgress,
  type WaveResult,
  type WaveSummary,
} from '@synapse/contracts';
import type { Wave } from './rollout-plan';

/** Outcomes of a device that leave it running its target config. */
const SUCCEEDED = new Set(['deployed', 'in-sync', 'dry-run']);

/**
 * What a rollout knows as it goes, kept in one place so the change workflow
 * reads as the runbook: each device's latest outcome, the waves, the
 * approval, operator actions, and the notes an operator should read. Its
 * size is the change's device count times a few words: it answers the
 * `progress` query and becomes the bounded result.
 */
export class RolloutBoard {
  phase: ChangePhase = 'planning';
  plans: DevicePlan[] = [];
  waves: Wave[] = [];
  currentWave: number | undefined;
  approval: RolloutProgress['approval'];
  paused: { by: string; reason: string } | undefined;
  readonly notes: string[] = [];
  readonly #outcomes = new Map<string, { outcome: string; reason?: string; wave?: number; notes?: string[]; backupId?: string; diffSummary?: string; preempted?: DeviceResultSummary['preempted'] }>();
  readonly #waveDone = new Map<number, WaveSummary>();
  readonly #waiting = new Map<string, string>();

  constructor(
    readonly changeId: string,
    readonly devices: readonly string[],
  ) {}

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  waitingFor(device: string, holder: string | undefined): void {
    if (holder === undefined) this.#waiting.delete(device);
    else this.#waiting.set(device, holder);
  }

  clearWaiting(): void {
    this.#waiting.clear();
  }

  outcomeOf(device: string): string | undefined {
    return this.#outcomes.get(device)?.outcome;
  }

  setOutcome(device: string, outcome: string, fields: { reason?: string; wave?: number } = {}): void {
    const known = this.#outcomes.get(device);
    this.#outcomes.set(device, { ...known, outcome, ...fields });
  }

  /** A wave's result: each device's outcome, its fabric problems, its summary line. */
  waveFinished(wave: Wave, result: WaveResult): void {
    const counts: Record<string, number> = {};
    for (const d of result.devices) {
      counts[d.outcome] = (counts[d.outcome] ?? 0) + 1;
      this.setOutcome(d.device, d.outcome, { wave: wave.index, ...(d.reason ? { reason: d.reason } : {}) });
    }
    for (const { device, problems } of result.fabricProblems) {
      this.note(`fabric check after wave ${wave.index}: ${device}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
    }
    this.#waveDone.set(wave.index, { index: wave.index, canary: wave.canary, devices: wave.devices.length, counts, fabricProblems: result.fabricProblems.length });
  }

  /** The groups' final word on every device (after release or rollback). */
  settledBy(members: readonly MemberOutcome[]): void {
    for (const m of members) {
      const known = this.#outcomes.get(m.device);
      // A device the rollout never reached keeps "skipped"; otherwise the device workflow's own end wins.
      this.#outcomes.set(m.device, {
        ...known,
        outcome: m.outcome,
        ...(m.reason ? { reason: m.reason } : {}),
        ...(m.notes?.length ? { notes: m.notes } : {}),
        ...(m.backupId ? { backupId: m.backupId } : {}),
        ...(m.diffSummary ? { diffSummary: m.diffSummary } : {}),
        ...(m.preempted ? { preempted: m.preempted } : {}),
      });
    }
  }

  /** Devices of waves before `index` that do not run their target: not ready as far ends. */
  notDeployedBefore(index: number, except: readonly string[] = []): string[] {
    const skip = new Set(except);
    return this.waves
      .filter((w) => w.index < index)
      .flatMap((w) => w.devices)
      .filter((d) => !skip.has(d) && !SUCCEEDED.has(this.outcomeOf(d) ?? ''));
  }

  failures(): number {
    let failed = 0;
    for (const { outcome } of this.#outcomes.values()) if (outcome === 'failed' || outcome === 'rolled-back' || outcome === 'refused') failed += 1;
    return failed;
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const device of this.devices) {
      const outcome = this.outcomeOf(device) ?? 'pending';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    return counts;
  }

  progress(): RolloutProgress {
    return {
      changeId: this.changeId,
      phase: this.phase,
      devices: this.devices.length,
      counts: this.counts(),
      waves: this.waves.map((w) => ({
        index: w.index,
        canary: w.canary,
        devices: w.devices,
        state: this.#waveDone.has(w.index) ? 'done' : this.currentWave === w.index ? 'running' : this.phase === 'done' ? 'skipped' : 'pending',
      })),
      ...(this.currentWave !== undefined ? { currentWave: this.currentWave } : {}),
      ...(this.approval ? { approval: this.approval } : {}),
      ...(this.paused ? { paused: this.paused } : {}),
      waitingForLocks: [...this.#waiting].map(([device, holder]) => ({ device, holder })),
      notes: [...this.notes],
    };
  }

  /** The bounded result: counts, a short line per device, a line per wave. */
  result(outcome: ChangeResult['outcome'], extra: Partial<ChangeResult> = {}): ChangeResult {
    const cut = (text: string | undefined, max: number) => (text === undefined ? undefined : text.length <= max ? text : `${text.slice(0, max - 1)}…`);
    const devices: DeviceResultSummary[] = this.devices.map((device) => {
      const known = this.#outcomes.get(device);
      const reason = cut(known?.reason, 600);
      const diffSummary = cut(known?.diffSummary, 300);
      return {
        device,
        outcome: (known?.outcome ?? 'skipped') as DeviceResultSummary['outcome'],
        ...(known?.wave !== undefined ? { wave: known.wave } : {}),
        ...(diffSummary ? { diffSummary } : {}),
        ...(reason ? { reason } : {}),
        ...(known?.backupId ? { backupId: known.backupId } : {}),
        ...(known?.preempted ? { preempted: known.preempted } : {}),
        ...(known?.notes?.length ? { notes: known.notes.slice(0, 5).map((n) => cut(n, 300)!) } : {}),
      };
    });
    const counts: Record<string, number> = {};
    for (const d of devices) counts[d.outcome] = (counts[d.outcome] ?? 0) + 1;
    // A large change lists what needs a look; each deployed device's line is its device workflow's result.
    const listed = devices.length <= RESULT_DEVICES_LISTED ? devices : devices.filter((d) => d.outcome !== 'deployed' && d.outcome !== 'in-sync').slice(0, RESULT_DEVICES_LISTED);
    const approval = this.approval;
    return {
      changeId: this.changeId,
      outcome,
      counts,
      devices: listed,
      ...(listed.length < devices.length ? { devicesNotListed: devices.length - listed.length } : {}),
      waves: [...this.#waveDone.values()].sort((a, b) => a.index - b.index),
      ...(approval && approval.state !== 'waiting' && approval.state !== 'expired'
        ? {
            approval: {
              decision: approval.state === 'rejected' ? ('rejected' as const) : approval.state === 'approved' ? ('approved' as const) : ('not required' as const),
              approver: approval.by ?? 'nobody',
              comment: approval.comment ?? '',
            },
          }
        : {}),
      notes: [...this.notes],
      ...extra,
    };
  }
}

/** How the change as a whole ended, from its devices' outcomes. */
export function overallOutcome(devices: ChangeResult['devices']): ChangeResult['outcome'] {
  const succeeded = devices.filter((d) => SUCCEEDED.has(d.outcome)).length;
  if (succeeded === devices.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially-failed';
}
