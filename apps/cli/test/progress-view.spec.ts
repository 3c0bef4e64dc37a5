/**
 * The live view's two modes, on what reaches the terminal or the log: a
 * terminal gets one block redrawn in place; a pipe gets a line per change.
 * (The CLI processes in the other tests have pipes, so the redraw is
 * checked here, on the view itself.)
 */
import type { DeviceProgress, RolloutProgress } from '@synapse/contracts';
import { liveLines, type ViewLine } from '../src/format';
import { createProgressView } from '../src/progress-view';

function output(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

function device([device, step, state, detail]: [string, DeviceProgress['step'], DeviceProgress['state'], string?]): DeviceProgress {
  return { device, step, state, steps: [], ...(detail ? { detail } : {}) };
}

/** An emergency's progress: its devices. */
function progress(...devices: [string, DeviceProgress['step'], DeviceProgress['state'], string?][]): ViewLine[] {
  return liveLines({ kind: 'devices', progress: { changeId: 'em-1', devices: devices.map(device) } });
}

/** A rollout's: phase, approval, waves, the running wave's devices, notes. */
function rollout(change: Partial<RolloutProgress>, ...steps: [string, DeviceProgress['step'], DeviceProgress['state'], string?][]): ViewLine[] {
  const base: RolloutProgress = { changeId: 'chg-1', phase: 'rolling-out', devices: 3, counts: { pending: 3 }, waves: [], waitingForLocks: [], notes: [] };
  return liveLines({ kind: 'rollout', progress: { ...base, ...change }, steps: steps.map((s) => ({ device: s[0], progress: device(s) })) });
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

  it('for a rollout, logs the phase, approval, waves, locks, the running devices and each note as they change', () => {
    const { writes, out } = output(false);
    const view = createProgressView(out);
    const waves = (first: 'pending' | 'running' | 'done', second: 'pending' | 'running' | 'done') => [
      { index: 0, canary: true, devices: ['leaf01'], state: first },
      { index: 1, canary: false, devices: ['leaf02', 'leaf03'], state: second },
    ];
    view.update(rollout({ phase: 'awaiting-approval', approval: { state: 'waiting' }, waves: waves('pending', 'pending') }));
    view.update(rollout({ phase: 'awaiting-approval', approval: { state: 'waiting' }, waves: waves('pending', 'pending') }));
    view.update(rollout({ phase: 'locking', approval: { state: 'approved', by: 'bob' }, waves: waves('pending', 'pending'), waitingForLocks: [{ device: 'leaf03', holder: 'chg-other' }], notes: ['approved by bob'] }));
    view.update(rollout({ currentWave: 0, approval: { state: 'approved', by: 'bob' }, waves: waves('running', 'pending'), notes: ['approved by bob'] }, ['leaf01', 'deploy', 'running']));
    view.update(rollout({ phase: 'paused', approval: { state: 'approved', by: 'bob' }, paused: { by: 'carol', reason: 'look' }, counts: { deployed: 1, pending: 2 }, waves: waves('done', 'pending'), notes: ['approved by bob'] }));
    expect(writes.join('').split('\n')).toEqual([
      'phase     awaiting-approval',
      'approval  waiting for an approver: synapse change approve chg-1 --by <name> (or reject)',
      'devices   3: 3 pending',
      'wave 0 (canary)  pending  leaf01',
      'wave 1  pending  leaf02, leaf03',
      'phase     locking',
      'approval  approved by bob',
      'waiting for leaf03: held by chg-other',
      'note: approved by bob',
      'phase     rolling-out, wave 0 of 2',
      'wave 0 (canary)  running  leaf01',
      'leaf01  deploy  running',
      'phase     paused',
      'paused    by carol: look (resume: synapse change resume chg-1)',
      'devices   3: 1 deployed, 2 pending',
      'wave 0 (canary)  done  leaf01',
      '',
    ]);
  });

  it('on a terminal, keeps a block taller than the screen within it', () => {
    const { writes, out } = output(true);
    createProgressView({ ...out, rows: 8 }).update(progress(...Array.from({ length: 20 }, (_, i) => [`leaf${i}`, 'deploy', 'running'] as [string, 'deploy', 'running'])));
    const lines = writes[0].split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe('… 16 more lines (synapse change show has them all)');
  });
});
