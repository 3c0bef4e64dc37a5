import type { ViewLine } from './format';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; lines are cut to it so a wrapped line cannot throw off the redraw. */
  columns?: number;
  /** Terminal height; the block is cut to it so the redraw never scrolls. */
  rows?: number;
}

export interface ProgressView {
  /** Where the change is now, as lines (format.ts liveLines); the view decides what to print. */
  update(lines: ViewLine[]): void;
  /** A status line (e.g. why progress is not available yet); printed once per distinct text. */
  note(text: string): void;
  /** Leaves the last picture on screen; later output starts below it. */
  finish(): void;
}

/**
 * The live view of `--watch` / `change watch`.
 *
 * On a terminal it redraws one block in place with two plain ANSI controls
 * (cursor up, erase below) that every terminal emulator understands; no
 * terminal library, no alternate screen, so what is left after the change
 * is an ordinary scrollback. Anywhere else (a pipe, a CI log, a file) it
 * prints a line only when what it is about (the phase, a wave, a device's
 * step) changed, so the log reads as the change's history rather than a
 * repeat every second.
 */
export function createProgressView(out: ProgressOutput): ProgressView {
  return out.isTTY ? new RedrawingView(out) : new ChangesOnlyView(out);
}

class ChangesOnlyView implements ProgressView {
  readonly #last = new Map<string, string>();
  #lastNote: string | undefined;

  constructor(private readonly out: ProgressOutput) {}

  update(lines: ViewLine[]): void {
    for (const line of lines) {
      if (line.key === undefined) continue;
      const text = line.log ?? line.text.trim();
      if (this.#last.get(line.key) === text) continue;
      this.#last.set(line.key, text);
      this.out.write(`${text}\n`);
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
  #lines: ViewLine[] = [];
  #note: string | undefined;

  constructor(private readonly out: ProgressOutput) {}

  update(lines: ViewLine[]): void {
    this.#lines = lines;
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
    let lines = [...this.#lines.map((l) => l.text), ...(this.#note ? [this.#note] : [])].map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    // A block taller than the screen cannot be redrawn in place: keep its head, say what is left out.
    const height = this.out.rows && this.out.rows > 5 ? this.out.rows - 1 : Infinity;
    if (lines.length > height) lines = [...lines.slice(0, height - 1), `… ${lines.length - height + 1} more lines (synapse change show has them all)`];
    const rewind = this.#drawnLines > 0 ? `${CURSOR_UP(this.#drawnLines)}\r${ERASE_BELOW}` : '';
    this.out.write(`${rewind}${lines.map((line) => `${line}\n`).join('')}`);
    this.#drawnLines = lines.length;
  }
}
