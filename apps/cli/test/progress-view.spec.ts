/**
 * The live view's two modes, on what reaches the terminal or the log: a
 * terminal gets one block redrawn in place; a pipe gets a line per change.
 * (The CLI processes in the other tests have pipes, so the redraw is
 * checked here, on the view itself.)
 */
import type { ChangeProgress, DeviceProgress } from '@synapse/contracts';
import { createProgressView } from '../src/progress-view';

function output(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

function progress(...devices: [string, DeviceProgress['step'], DeviceProgress['state'], string?][]): ChangeProgress {
  return { changeId: 'chg-1', devices: devices.map(([device, step, state, detail]) => ({ device, step, state, steps: [], ...(detail ? { detail } : {}) })) };
}

describe('the live progress view', () => {
  it('on a terminal, redraws the block in place: up over the previous lines, erase, draw', () => {
    const { writes, out } = output(true);
    const view = createProgressView(out);
    view.update(progress(['leaf01', 'backup', 'running'], ['leaf02', 'queued', 'pending']));
    view.update(progress(['leaf01', 'deploy', 'running'], ['leaf02', 'backup', 'running']));
    view.note('progress not available yet: deadline exceeded');
    view.finish();
    view.update(progress(['leaf01', 'done', 'succeeded'], ['leaf02', 'done', 'succeeded']));

    // Summary line, table header, two devices.
    expect(writes[0]).toBe(['0/2 devices finished', '  DEVICE  STEP    STATE    DETAIL', '  leaf01  backup  running', '  leaf02  queued  pending', ''].join('\n'));
    expect(writes[1].startsWith('\x1b[4A\r\x1b[J')).toBe(true);
    expect(writes[1]).toContain('  leaf02  backup  running\n');
    // A note joins the block (one more line), and is redrawn with it.
    expect(writes[2].startsWith('\x1b[4A\r\x1b[J')).toBe(true);
    expect(writes[2].endsWith('progress not available yet: deadline exceeded\n')).toBe(true);
    // After finish() the old block stays: the next drawing starts below it.
    expect(writes[3].startsWith('2/2 devices finished\n')).toBe(true);
  });

  it('on a terminal, cuts lines to the width so a wrapped line cannot throw the redraw off', () => {
    const { writes, out } = output(true, 30);
    createProgressView(out).update(progress(['leaf01', 'validate-bgp', 'failed', 'neighbor 10.0.0.1: session-state active, expected established']));
    for (const line of writes[0].split('\n')) expect(line.length).toBeLessThanOrEqual(29);
    expect(writes[0]).toContain('…');
  });

  it('in a pipe, prints a line only when a device changed, and each note once', () => {
    const { writes, out } = output(false);
    const view = createProgressView(out);
    view.note('progress not available yet: no worker');
    view.note('progress not available yet: no worker');
    view.update(progress(['leaf01', 'backup', 'running'], ['leaf02', 'queued', 'pending']));
    view.update(progress(['leaf01', 'backup', 'running'], ['leaf02', 'queued', 'pending']));
    view.update(progress(['leaf01', 'deploy', 'running'], ['leaf02', 'queued', 'pending']));
    view.update(progress(['leaf01', 'rollback', 'rolled-back', 'BGP down'], ['leaf02', 'done', 'succeeded']));
    expect(writes.join('')).toBe(
      [
        'progress not available yet: no worker',
        'leaf01  backup  running',
        'leaf02  queued  pending',
        'leaf01  deploy  running',
        'leaf01  rollback  rolled-back  BGP down',
        'leaf02  done  succeeded',
        '',
      ].join('\n'),
    );
  });
});
