/**
 * The baseline of rollout-overhead.ts: the rollout NetworkChangeWorkflow
 * makes, as a plain script with no Temporal server, no workers, no history.
 *
 * It calls the very activity functions the workers serve (the same objects:
 * the same gNMI client pool, backup store and Infrahub client), with the
 * inputs the rollout's workflows give them and the same parallelism:
 *
 *   plan      per 50 devices, 2 batches at once (PlanBatchWorkflow):
 *             renderIntents, checkDrift, readDeviceStates
 *   waves     the workflow's own wave plan (planWaves): the devices of
 *             one-at-a-time roles, never both of a pair in one wave, then
 *             the rest in waves of
 *             `waveSize`, in the change's order; `concurrency` devices at
 *             once in a wave, each as DeviceChangeWorkflow runs a member:
 *             renderDeviceIntent (checksum against the plan), prepareDeploy
 *             (backup, plan, archive, the baseline), updateDeviceStatus(deploying),
 *             deployConfig (commit-confirmed, by reference), validateAndConfirm
 *             (baseline-relative, far ends in later waves deferred; confirm,
 *             ownership), updateDeviceStatus(deployed + record)
 *   fabric    after each wave, per group of ROLLOUT_GROUP_SIZE devices (in
 *             name order, all groups at once, as DeviceGroupWorkflow does):
 *             readDeviceStates of its devices deployed so far, at 10 at a
 *             time, read again every 3 s until nothing is down or the settle
 *             time has run out
 *
 * What it leaves out is what Temporal gives: durability, retries, locks,
 * progress queries, pause/abort. A failure stops that device with an error
 * (the benchmark then refuses the run); nothing is rolled back.
 */
import {
  baselineExpectations,
  commitConfirmWindowSeconds,
  DEFAULT_DELETION_BUDGET,
  DevicePlan,
  mapWithConcurrency,
  removedNeighbors,
  RolloutStrategy,
  ROLLOUT_GROUP_SIZE,
  unmetExpectations,
  workflowIds,
  type ChangeRecord,
  type DeviceActivities,
  type DeviceFacts,
  type DeviceRole,
  type DeviceStates,
  type InfrahubActivities,
  type PeerReadiness,
  type ValidationExpectations,
  type ValidationResult,
} from '@synapse/contracts';
import { planWaves } from '@synapse/workflow-worker';
import { call, plainChangeRecord, type ChangeActivityFunctions, type PlainChangeRequest } from './plain-change';

export interface PlainRolloutRequest extends PlainChangeRequest {
  waveSize: number;
  oneAtATimeRoles?: DeviceRole[];
}

export interface PlainRolloutResult {
  /** Device names per wave, in order (index 1 first: there is no canary). */
  waves: string[][];
  deployed: number;
  /** Devices the fabric checks found with something down, summed over the waves (as the change's wave summaries count them). */
  fabricProblems: number;
}


/** What PlanBatchWorkflow reads and the groups keep per device. */
interface Planned {
  device: string;
  role?: string;
  checksum?: string;
  status: 'changes' | 'in-sync' | 'unreachable' | 'unchecked';
  peers: string[];
}

/** A deployed device, as its group keeps it for the fabric checks. */
interface Deployed {
  facts: DeviceFacts;
  baseline?: DeviceStates;
  removedNeighbors: string[];
}

const PLAN_BATCH_SIZE = 50;
const PLAN_PARALLEL_BATCHES = 2;
const FABRIC_RECHECK_MS = 3000;
export async function runPlainRollout(activities: ChangeActivityFunctions, request: PlainRolloutRequest): Promise<PlainRolloutResult> {
  const { infrahub, device: dev } = activities;
  const { changeId, reason, requester, concurrency, settleTimeoutSeconds } = request;

  // Plan, in batches.
  const batches: string[][] = [];
  for (let start = 0; start < request.devices.length; start += PLAN_BATCH_SIZE) batches.push(request.devices.slice(start, start + PLAN_BATCH_SIZE));
  const plans = new Map<string, Planned>();
  await mapWithConcurrency(batches, PLAN_PARALLEL_BATCHES, async (devices) => {
    const rendered = await call('renderIntents', infrahub.renderIntents, { devices, concurrency, byReference: true });
    const targets = [];
    for (const entry of rendered.devices) {
      if ('problem' in entry) throw new Error(`plain rollout: ${entry.device} cannot be planned: ${entry.problem}`);
      targets.push({ device: entry.device, configRef: entry.configRef!, scope: entry.scope });
      const peers = new Set<string>();
      for (const n of entry.facts?.neighbors ?? []) if (n.peer) peers.add(n.peer);
      for (const i of entry.facts?.interfaces ?? []) if (i.peer) peers.add(i.peer);
      plans.set(entry.device, { device: entry.device, ...(entry.role ? { role: entry.role } : {}), ...(entry.checksum ? { checksum: entry.checksum } : {}), status: 'unchecked', peers: [...peers].sort() });
    }
    const checked = await call('checkDrift', dev.checkDrift, { devices: targets, concurrency });
    const reachable = checked.devices.filter((d) => d.status !== 'unreachable').map((d) => d.device);
    if (reachable.length > 0) await call('readDeviceStates', dev.readDeviceStates, { devices: reachable, concurrency });
    for (const status of checked.devices) {
      const planned = plans.get(status.device)!;
      planned.status = status.status === 'in-sync' ? 'in-sync' : status.status === 'drifted' ? 'changes' : status.status === 'unreachable' ? 'unreachable' : 'unchecked';
      if (status.missingPolicies?.length) throw new Error(`plain rollout: ${status.device} lacks policies ${status.missingPolicies.map((m) => m.policy).join(', ')}`);
    }
  });

  // Waves: the workflow's own wave plan (no canary).
  const strategy = RolloutStrategy.parse({ waveSize: request.waveSize, ...(request.oneAtATimeRoles ? { oneAtATimeRoles: request.oneAtATimeRoles } : {}) });
  const devicePlans = request.devices.map((d) => DevicePlan.parse({ ...plans.get(d)!, counts: { added: 0, changed: 0, removed: 0 } }));
  const waves: string[][] = planWaves(devicePlans, strategy).map((w) => w.devices);
  const waveOf = new Map<string, number>();
  waves.forEach((devices, i) => devices.forEach((d) => waveOf.set(d, i + 1)));
  for (const p of devicePlans) if (p.status === 'in-sync') waveOf.set(p.device, -1);

  // Groups, in name order, as the rollout cuts them.
  const names = waves.flat().sort();
  const groups: string[][] = [];
  for (let start = 0; start < names.length; start += ROLLOUT_GROUP_SIZE) groups.push(names.slice(start, start + ROLLOUT_GROUP_SIZE));

  const deployed = new Map<string, Deployed>();
  let fabricProblems = 0;
  const readiness = (device: string, index: number, when: 'before' | 'after'): PeerReadiness => {
    const ready: string[] = [];
    const pending: string[] = [];
    for (const peer of plans.get(device)?.peers ?? []) {
      // A failed device stops this script, so every far end of an earlier wave is deployed.
      if (!waveOf.has(peer)) continue;
      const wave = waveOf.get(peer)!;
      const done = wave === -1 || wave < index || (when === 'after' && wave === index);
      (done ? ready : pending).push(peer);
    }
    return { ready, pending };
  };

  for (const [i, wave] of waves.entries()) {
    const index = i + 1;
    await mapWithConcurrency(wave, concurrency, async (device) => {
      const kept = await changeDevice(device, readiness(device, index, 'before'));
      deployed.set(device, kept);
    });
    // The fabric check: every group at once, each its devices deployed so far.
    const found = await Promise.all(groups.map((group) => fabricCheck(group.filter((d) => deployed.has(d)), index)));
    fabricProblems += found.reduce((n, f) => n + f, 0);
  }
  return { waves, deployed: deployed.size, fabricProblems };

  async function changeDevice(device: string, turn: PeerReadiness): Promise<Deployed> {
    const workflowId = workflowIds.device(device);
    const startedAt = new Date();
    const intended = await call('renderDeviceIntent', infrahub.renderDeviceIntent, { device });
    const planned = plans.get(device)!.checksum;
    if (planned !== undefined && planned !== intended.checksum) throw new Error(`plain rollout: the intent of ${device} changed since the plan`);
    // Backup, plan, archive and the baseline in one call, as the device workflow makes it.
    const prepared = await call('prepareDeploy', dev.prepareDeploy, {
      device,
      changeId,
      workflowId,
      reason,
      config: intended.config,
      scope: intended.scope,
      deletionBudget: DEFAULT_DELETION_BUDGET,
      baseline: true,
    });
    const plan = prepared.plan!;
    const backup = prepared.backup;
    const record = (outcome: ChangeRecord['outcome'], detail: string) => plainChangeRecord({ changeId, device, requester, reason, workflowId, startedAt }, plan, backup, intended, outcome, detail);
    if (plan.inSync) throw new Error(`plain rollout: ${device} is already in sync (expected a first deploy)`);

    // What validation checks now against the baseline.
    const facts = intended.facts;
    const baseline = prepared.baseline;
    const removed = removedNeighbors(plan);
    const expected: ValidationExpectations = baselineExpectations(facts, baseline, turn, removed);
    await call('updateDeviceStatus', infrahub.updateDeviceStatus, { device, state: 'deploying', changeId });

    const change = { configRef: intended.config, delete: plan.stalePaths };
    const deployedResult = await call('deployConfig', dev.deployConfig, {
      device,
      changeId,
      ...change,
      commitConfirmed: { rollbackDurationSeconds: commitConfirmWindowSeconds(settleTimeoutSeconds) },
    });
    const checked = await call('validateAndConfirm', dev.validateAndConfirm, {
      device,
      changeId,
      workflowId,
      neighbors: expected.neighbors,
      interfaces: expected.interfaces,
      settleTimeoutSeconds,
      ...(deployedResult.commitId ? { confirm: { commitId: deployedResult.commitId, deployed: change } } : {}),
      recordOwnership: intended.config,
    });
    requirePassed(checked.bgp);
    requirePassed(checked.interfaces);
    await call('updateDeviceStatus', infrahub.updateDeviceStatus, {
      device,
      state: 'deployed',
      changeId,
      record: record('deployed', `deployed: ${plan.summary}`),
      configChecksum: intended.checksum,
    });
    return { facts, ...(baseline ? { baseline } : {}), removedNeighbors: removed };
  }

  /** One group's fabric check after wave `index`: devices with something down once the settle time has run out. */
  async function fabricCheck(devices: string[], index: number): Promise<number> {
    if (devices.length === 0) return 0;
    const expectations = new Map(devices.map((d) => [d, baselineExpectations(deployed.get(d)!.facts, deployed.get(d)!.baseline, readiness(d, index, 'after'), deployed.get(d)!.removedNeighbors)]));
    const giveUpAt = Date.now() + settleTimeoutSeconds * 1000;
    let toRead = devices;
    for (;;) {
      const read = await call('readDeviceStates', dev.readDeviceStates, { devices: toRead, concurrency: 10 });
      const down = read.devices.filter((entry) => 'unreachable' in entry || unmetExpectations(expectations.get(entry.device)!, entry).length > 0).map((entry) => entry.device);
      if (down.length === 0 || Date.now() >= giveUpAt) return down.length;
      toRead = down;
      await new Promise((resolve) => setTimeout(resolve, FABRIC_RECHECK_MS));
    }
  }
}

function requirePassed(result: ValidationResult): void {
  if (result.passed) return;
  const failing = result.checks.filter((c) => !c.ok).map((c) => c.reason ?? `${c.subject}: ${c.actual}, expected ${c.expected}`);
  throw new Error(`${result.kind} validation failed on ${result.device}: ${failing.join('; ')}`);
}
