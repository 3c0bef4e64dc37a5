import type { z } from 'zod';
import { CheckDriftInput, DRIFT_REPORT_LIMITS, isSynapseError, mapWithConcurrency, parseInput, type CheckDriftResult, type DeviceDriftStatus, type DriftCheckTarget, type DriftedPath, type ManagedConfig } from '@synapse/contracts';
import { canonicalAt, checksum, missingPolicies, ownedView, planChange, staleDeletions, unmanagedConfig, type ConfigDiff } from '@synapse/device-config';
import type { ActivityRuntime } from './deps';
import { loadConfig } from './documents';
import { progressHeartbeat } from '@synapse/observability';

/**
 * A drift check of a batch of devices: each device's running config (gNMI
 * Get CONFIG at the root) against its rendered intent, on what Synapse owns
 * (device-config's planChange, the same plan a change computes), so
 * "drifted" means exactly "a deploy would change this". Config Synapse does
 * not own is never drift: it is counted as unmanaged (and named when asked).
 * A policy the intent needs from the device that is missing is reported.
 *
 * At most `concurrency` devices are read at once. A device that cannot be
 * read is reported `unreachable` with the error, and the batch goes on: one
 * dead leaf must not hide the drift of the rest. Only cancellation (and bugs)
 * fail the activity. Reads only; a retry simply reads again. Heartbeats the
 * count checked so far.
 */
export function checkDrift(runtime: ActivityRuntime) {
  return async (input: z.input<typeof CheckDriftInput>): Promise<CheckDriftResult> => {
    const { devices, concurrency, listUnmanaged } = parseInput(CheckDriftInput, input, 'checkDrift input');
    const progress = progressHeartbeat(runtime.settings.heartbeatIntervalMs, { total: devices.length, checked: 0 });
    let checked = 0;
    const results = await progress.during(() =>
      mapWithConcurrency(devices, concurrency, async (target) => {
        const status = await checkOne(runtime, target, listUnmanaged);
        progress.update({ checked: ++checked, last: target.device });
        return status;
      }),
    );
    return { devices: results };
  };
}

async function checkOne(runtime: ActivityRuntime, { device, config: given, configRef, scope }: DriftCheckTarget, listUnmanaged: boolean): Promise<DeviceDriftStatus> {
  // Loaded per device and dropped with it: a scan of a fleet holds one document per device being checked.
  const config = given ?? (await loadConfig(runtime, device, configRef!, 'configRef'));
  const intended = configRef?.sha256 ?? checksum(config);
  let running: unknown;
  try {
    running = await runtime.withDevice(device, async (client) => (await client.getConfig('/', { keepModulePrefixes: true })) ?? {});
  } catch (err) {
    // Typed transport and target errors are the device's state, not the batch's.
    // Anything else (a cancellation, a bug) leaves the activity as it is.
    if (!isSynapseError(err)) throw err;
    return { device, status: 'unreachable', drifted: [], detail: `${err.message} [${err.type}]` };
  }
  const previous = (await runtime.backups.readOwnership(device))?.config as ManagedConfig | undefined;
  const unmanagedLimit = listUnmanaged ? DRIFT_REPORT_LIMITS.paths : 0;
  // Checksum first: most devices are in sync, and for them the diff is all work and no answer.
  if (ownedChecksum(running, config) === intended) {
    const deletions = previous ? staleDeletions(running, previous, config, scope) : [];
    if (deletions.length === 0) {
      return {
        device,
        status: 'in-sync',
        drifted: [],
        missingPolicies: missingPolicies(running, scope),
        deletions: 0,
        unmanaged: unmanagedConfig(running, previous ? [config, previous] : [config], unmanagedLimit),
        affected: { sessions: [], interfaces: [] },
        counts: { added: 0, changed: 0, removed: 0 },
      };
    }
  }
  const plan = planChange({ running, config, scope, previous, unmanagedLimit });
  const common = {
    device,
    missingPolicies: plan.missingPolicies,
    deletions: plan.deletions.length,
    unmanaged: { count: plan.unmanaged.count, paths: plan.unmanaged.paths },
    affected: affectedBy(plan.diff),
    counts: { added: plan.diff.added.length, changed: plan.diff.changed.length, removed: plan.diff.removed.length },
  };
  const drifted = driftedPaths(plan.diff);
  if (drifted.length === 0) return { ...common, status: 'in-sync', drifted: [] };
  const listed = drifted.slice(0, DRIFT_REPORT_LIMITS.paths).map(boundValues);
  const omittedPaths = drifted.length - listed.length;
  return { ...common, status: 'drifted', drifted: listed, ...(omittedPaths > 0 ? { omittedPaths } : {}), summary: plan.summary };
}

/**
 * The checksum of what the device runs on the intended config's paths, in
 * the intended config's own form (path -> owned subtree), so it equals the
 * rendered config's checksum (its document name) exactly when the owned
 * view matches it. Unequal only costs the full comparison.
 */
export function ownedChecksum(running: unknown, config: ManagedConfig): string {
  const owned = ownedView(running, config);
  return checksum(Object.fromEntries(Object.keys(config).map((path) => [path, canonicalAt(owned, path) ?? null])));
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

/** The sessions and interfaces a diff touches, whole lists (a plan names them all, however many paths are listed). */
function affectedBy(diff: ConfigDiff): { sessions: string[]; interfaces: string[] } {
  const sessions = new Set<string>();
  const interfaces = new Set<string>();
  const entries: Array<{ path: string; values: unknown[] }> = [
    ...diff.added.map((e) => ({ path: e.path, values: [e.value] })),
    ...diff.removed.map((e) => ({ path: e.path, values: [e.value] })),
    ...diff.changed.map((e) => ({ path: e.path, values: [e.before, e.after] })),
  ];
  for (const { path, values } of entries) {
    const peer = /\/neighbor\[peer-address=([^\]]+)\]/.exec(path)?.[1];
    if (peer !== undefined) sessions.add(peer);
    // A whole BGP subtree added or removed at once (a device configured for the first time) names its neighbors inside.
    else for (const value of values) for (const match of JSON.stringify(value ?? null).matchAll(/"(?:[\w-]+:)?peer-address":"([^"]+)"/g)) sessions.add(match[1]!);
    const itf = /^\/interface\[name=([^\]]+)\]/.exec(path)?.[1] ?? /\/network-instance\[name=default\]\/interface\[name=([^\]]+)\.\d+\]/.exec(path)?.[1];
    if (itf !== undefined) interfaces.add(itf);
  }
  return { sessions: [...sessions].sort(), interfaces: [...interfaces].sort() };
}
