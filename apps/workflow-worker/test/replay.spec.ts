/**
 * Determinism guard: histories recorded from real runs are replayed against
 * the current workflow code. A change to the workflows that would break
 * running workflows on deploy (a step added, removed or reordered without
 * patching) fails here. The corpus: a rollout of the reference lab in waves
 * (`happy-path`), a device that rolls back (`rollback`), a brownfield change
 * (`brownfield-change`), an approval with a refused self-approval
 * (`approval`), an abort with rollback between waves (`abort`) and a failure
 * budget spent with rollback (`budget-exceeded`); each with the change, its
 * plan batches, device groups, waves and device workflows.
 *
 * Re-record after an intended, versioned change to the workflows:
 *   rm apps/workflow-worker/test/histories/*.json
 *   RECORD_HISTORIES=1 node tools/temporal/dist/with-dev-server.js -- npx jest --config apps/workflow-worker/jest.config.js --rootDir apps/workflow-worker network-change rollback brownfield rollout
 * then commit them.
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
  it('are all there: every scenario, with the rollout\'s own workflows', () => {
    const scenarios = new Map<string, string[]>();
    for (const file of files) {
      const [scenario, id] = file.replace(/\.json$/, '').split('--');
      scenarios.set(scenario!, [...(scenarios.get(scenario!) ?? []), id!.replace(/chg-[0-9a-f]{8}/, 'chg-*')]);
    }
    expect([...scenarios.keys()].sort()).toEqual(['abort', 'approval', 'brownfield-change', 'budget-exceeded', 'happy-path', 'rollback']);
    for (const [scenario, ids] of scenarios) {
      expect({ scenario, ids }).toEqual({ scenario, ids: expect.arrayContaining(['change~chg-*', 'change~chg-*~plan-1', 'change~chg-*~devices-1', 'change~chg-*~wave-1']) });
      expect(ids.some((id) => id.startsWith('device~'))).toBe(true);
    }
  });

  it('replay against the current workflow code without a determinism error', async () => {
    quietTemporalRuntime();
    const workflowBundle = await sharedBundle();
    const histories = files.map((file) => ({
      // The recorded run's own id (`happy-path--change~chg-1~wave-1` -> `change/chg-1/wave-1`): workflows derive child ids from it.
      workflowId: file.replace(/\.json$/, '').replace(/^.*?--/, '').replace(/~/g, '/'),
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
