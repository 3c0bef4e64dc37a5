import { changeListMemo, changeListSummary, LIST_MEMO_DEVICES, listedOutcome, ListedOutcome } from './change';

describe('how a change shows in the list views', () => {
  it('is rolled-back when it did not succeed and every device it had deployed is back on its backup', () => {
    expect(listedOutcome({ outcome: 'failed', counts: { 'rolled-back': 2 } })).toBe('rolled-back');
    expect(listedOutcome({ outcome: 'stopped', counts: { 'rolled-back': 1, skipped: 3, 'in-sync': 1 } })).toBe('rolled-back');
    // Something is still deployed: the result's own word.
    expect(listedOutcome({ outcome: 'partially-failed', counts: { deployed: 1, 'rolled-back': 1 } })).toBe('partially-failed');
    // Nothing was rolled back: it failed before touching anything.
    expect(listedOutcome({ outcome: 'failed', counts: { failed: 2 } })).toBe('failed');
    expect(listedOutcome({ outcome: 'succeeded', counts: { deployed: 3 } })).toBe('succeeded');
    expect(ListedOutcome.options).toEqual(expect.arrayContaining(['rolled-back', 'rollback-failed', 'cancelled', 'succeeded', 'expired']));
  });

  it('names the first devices and counts the rest; the summary counts outcomes', () => {
    const many = Array.from({ length: LIST_MEMO_DEVICES + 3 }, (_, i) => `leaf${String(i + 1).padStart(2, '0')}`);
    expect(changeListMemo({ devices: many, ticket: 'NET-1', reason: 'mtu' })).toEqual({
      devices: 'leaf01, leaf02, leaf03, leaf04, leaf05 +3 more',
      deviceCount: 8,
      ticket: 'NET-1',
      reason: 'mtu',
    });
    expect(changeListMemo({ devices: ['leaf01'] })).toEqual({ devices: 'leaf01', deviceCount: 1 });
    expect(changeListSummary({ outcome: 'failed', counts: { 'rolled-back': 2 } })).toBe('rolled-back: 2 devices (2 rolled-back)');
    expect(changeListSummary({ outcome: 'succeeded', counts: { deployed: 1 } })).toBe('succeeded: 1 device (1 deployed)');
  });
});
