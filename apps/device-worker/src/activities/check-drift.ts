import type { z } from 'zod';
import { CheckDriftInput, DRIFT_REPORT_LIMITS, isSynapseError, mapWithConcurrency, parseInput, type CheckDriftResult, type DeviceDriftStatus, type DriftedPath, type ManagedConfig } from '@synapse/contracts';
import { deployOperations, diffConfigs, managedView, summarizeDiff, type ConfigDiff } from '@synapse/device-config';
import type { ActivityRuntime } from './deps';
import { progressHeartbeat } from './heartbeat';

/**
 * A drift check of a batch of devices: each device's running config (gNMI
 * Get CONFIG at the root), cut to the managed view, against its rendered
 * intent, on the same scope the deploy replaces (rendered paths plus stale
 * managed entries), so "drifted" means exactly "a deploy would change this".
 *
 * At most `concurrency` devices are read at once. A device that cannot be
 * read is reported `unreachable` with the error, and the batch goes on: one
 * dead leaf must not hide the drift of the rest. Only cancellation (and bugs)
 * fail the activity. Reads only; a retry simply reads again. Heartbeats the
 * count checked so far.
 */
export function checkDrift(runtime: ActivityRuntime) {
  return async (input: z.input<typeof CheckDriftInput>): Promise<CheckDriftResult> => {
    const { devices, concurrency } = parseInput(CheckDriftInput, input, 'checkDrift input');
    const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { total: devices.length, checked: 0 });
    let checked = 0;
    const results = await progress.during(() =>
      mapWithConcurrency(devices, concurrency, async ({ device, config }) => {
        const status = await checkOne(runtime, device, config);
        progress.update({ checked: ++checked, last: device });
        return status;
      }),
    );
    return { devices: results };
  };
}

async function checkOne(runtime: ActivityRuntime, device: string, config: ManagedConfig): Promise<DeviceDriftStatus> {
  let running: unknown;
  try {
    running = await runtime.withDevice(device, async (client) => (await client.getConfig('/', { keepModulePrefixes: true })) ?? {});
  } catch (err) {
    // Typed transport and target errors are the device's state, not the batch's.
    // Anything else (a cancellation, a bug) leaves the activity as it is.
    if (!isSynapseError(err)) throw err;
    return { device, status: 'unreachable', drifted: [], detail: `${err.message} [${err.type}]` };
  }
  const runningView = managedView(running);
  const stale = deployOperations(config, runningView).delete;
  const rendered = diffConfigs(config, running, { paths: Object.keys(config) });
  const diff: ConfigDiff = { ...rendered, removed: [...rendered.removed, ...stale.map((path) => ({ path, value: runningView[path] }))] };
  const drifted = driftedPaths(diff);
  if (drifted.length === 0) return { device, status: 'in-sync', drifted: [] };
  const listed = drifted.slice(0, DRIFT_REPORT_LIMITS.paths).map(boundValues);
  const omittedPaths = drifted.length - listed.length;
  return { device, status: 'drifted', drifted: listed, ...(omittedPaths > 0 ? { omittedPaths } : {}), summary: summarizeDiff(diff) };
}

/**
 * The diff is written as what a deploy would do (added = intended only,
 * before = running); a drift report reads the other way round: before is
 * what was intended, after is what the device was changed to.
 */
/** A whole subtree (an interface the device lacks) is named by its size, not copied into the report. */
function boundValues(entry: DriftedPath): DriftedPath {
  const bound = (value: unknown) => {
    if (value === undefined) return undefined;
    const json = JSON.stringify(value);
    return json.length > DRIFT_REPORT_LIMITS.valueChars ? `(${json.length} characters of JSON, not listed)` : value;
  };
  return { path: entry.path, ...('before' in entry ? { before: bound(entry.before) } : {}), ...('after' in entry ? { after: bound(entry.after) } : {}) };
}

function driftedPaths(diff: ConfigDiff): DriftedPath[] {
  return [
    ...diff.changed.map(({ path, before, after }) => ({ path, before: after, after: before })),
    ...diff.added.map(({ path, value }) => ({ path, before: value })),
    ...diff.removed.map(({ path, value }) => ({ path, after: value })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
