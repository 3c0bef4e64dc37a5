import type { ChangeProgress } from '@synapse/contracts';
import { progressLine, progressLines } from './format';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; lines are cut to it so a wrapped line cannot throw off the redraw. */
  columns?: number;
}

export interface ProgressView {
  /** The latest progress; the view decides what to print. */
  update(progress: ChangeProgress): void;
  /** A status line (e.g. why progress is not available yet); printed once per distinct text. */
  note(text: string): void;
  /** Leaves the last picture on screen; later output starts below it. */
  finish(): void;
}

/**
 * The live per-device view of `--watch` / `change watch`.
 *
 * On a terminal it redraws one block in place with two plain ANSI controls
 * (cursor up, erase below) that every terminal emulator understands; no
 * terminal library, no alternate screen, so what is left after the change
 * is an ordinary scrollback. Anywhere else (a pipe, a CI log, a file) it
 * prints a line only when a device's step, state or detail changed, so the
 * log reads as the change's history rather than a repeat every second.
 */
export function createProgressView(out: ProgressOutput): ProgressView {
  return out.isTTY ? new RedrawingView(out) : new ChangesOnlyView(out);
}

class ChangesOnlyView implements ProgressView {
  readonly #last = new Map<string, string>();
  #lastNote: string | undefined;

  constructor(private readonly out: ProgressOutput) {}

  update(progress: ChangeProgress): void {
    for (const device of progress.devices) {
      const line = progressLine(device);
      if (this.#last.get(device.device) === line) continue;
      this.#last.set(device.device, line);
      this.out.write(`${line}\n`);
    }
  }

  note(text: string): void {
    if (text === this.#lastNote) return;
    this.#lastNote = text;
    this.out.write(`${text}\n`);
  }

  finish(): void {}
}

const CURSOR_UP = (lines: number) => `\x1b[${lines}A`;
const ERASE_BELOW = '\x1b[J';

class RedrawingView implements ProgressView {
  #drawnLines = 0;
  #progress: ChangeProgress | undefined;
  #note: string | undefined;

  constructor(private readonly out: ProgressOutput) {}

  update(progress: ChangeProgress): void {
    this.#progress = progress;
    this.#note = undefined;
    this.#draw();
  }

  note(text: string): void {
    if (text === this.#note) return;
    this.#note = text;
    this.#draw();
  }

  finish(): void {
    this.#drawnLines = 0;
  }

  #draw(): void {
    const width = this.out.columns && this.out.columns > 10 ? this.out.columns - 1 : Infinity;
    const lines = [...(this.#progress ? progressLines(this.#progress) : []), ...(this.#note ? [this.#note] : [])].map((line) =>
      line.length > width ? `${line.slice(0, width - 1)}…` : line,
    );
    const rewind = this.#drawnLines > 0 ? `${CURSOR_UP(this.#drawnLines)}\r${ERASE_BELOW}` : '';
    this.out.write(`${rewind}${lines.map((line) => `${line}\n`).join('')}`);
    this.#drawnLines = lines.length;
  }
}
