import { CancellationScope } from '@temporalio/workflow';

export type CompensationOutcome<T> = { name: string; ok: true; value: T } | { name: string; ok: false; error: unknown };

/**
 * The saga's bookkeeping in one place. A step registers its undo where the
 * step starts (`undo.add(...)` next to the call it undoes), and when a later
 * step fails the workflow calls `compensate()` once, instead of repeating
 * try/catch and a reversed loop per step.
 *
 * - Undos run newest first, each at most once.
 * - They run in a non-cancellable scope: a change cancelled by an operator
 *   must still put the device back, and the activities it calls would
 *   otherwise be cancelled before they start.
 * - One failing undo does not stop the older ones; every outcome is returned
 *   and the caller decides how loudly to fail.
 */
export class Compensations<T = unknown> {
  readonly #undos: Array<{ name: string; undo: () => Promise<T> }> = [];

  add(name: string, undo: () => Promise<T>): void {
    this.#undos.push({ name, undo });
  }

  get pending(): number {
    return this.#undos.length;
  }

  compensate(): Promise<CompensationOutcome<T>[]> {
    const undos = this.#undos.splice(0).reverse();
    return CancellationScope.nonCancellable(async () => {
      const outcomes: CompensationOutcome<T>[] = [];
      for (const { name, undo } of undos) {
        try {
          outcomes.push({ name, ok: true, value: await undo() });
        } catch (error) {
          outcomes.push({ name, ok: false, error });
        }
      }
      return outcomes;
    });
  }
}
