/**
 * Determinism guard: histories recorded from real runs (a rollout of the
 * reference lab, a change that rolls back, and a change of the brownfield
 * lab, with its plan) are replayed against the
 * current workflow code. A change to the workflows that would break running
 * workflows on deploy (a step added, removed or reordered without
 * patching) fails here.
 *
 * Re-record after an intended, versioned change to the workflows:
 *   cd apps/workflow-worker && rm test/histories/*.json && RECORD_HISTORIES=1 npx jest network-change rollback brownfield
 * (network-change.spec records `happy-path--*`, rollback.spec `rollback--*`, brownfield.spec
 * `brownfield-change--*`), then commit them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { sharedBundle } from './change-harness';
import { quietTemporalRuntime } from './quiet-runtime';

const HISTORIES_DIR = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

describe('recorded change histories', () => {
  it('are all there: a rollout of three devices, a rollback, a brownfield change', () => {
    expect(files.map((f) => f.replace(/chg-[0-9a-f]{8}/, 'chg-*'))).toEqual([
      'brownfield-change--change-chg-*.json',
      'brownfield-change--device-leaf01.json',
      'happy-path--change-chg-*.json',
      'happy-path--device-leaf01.json',
      'happy-path--device-leaf02.json',
      'happy-path--device-spine01.json',
      'rollback--change-chg-*.json',
      'rollback--device-leaf01.json',
    ]);
  });

  it('replay against the current workflow code without a determinism error', async () => {
    quietTemporalRuntime();
    const workflowBundle = await sharedBundle();
    const histories = files.map((file) => ({
      // The recorded run's own id (`happy-path--change-chg-1` -> `change/chg-1`): workflows derive child ids from it.
      workflowId: file.replace(/\.json$/, '').replace(/^.*?--/, '').replace('-', '/'),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
