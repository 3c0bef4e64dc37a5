import type { z } from 'zod';
import { patched } from '@temporalio/workflow';
import {
  PlanBatchInput,
  ReadDeviceStatesResult,
  RenderIntentsResult,
  type DeviceDriftStatus,
  type DevicePlan,
  type DeviceStates,
  type DriftCheckTarget,
  type PlanBatchResult,
} from '@synapse/contracts';
import { ActivityRouting, changeActivities, type ActivityRoutingInput } from './activities';
import { CONFIGS_BY_REFERENCE } from './device-change';
import { checkTarget } from './drift-batch';
import { parseWorkflowInput } from './failures';

type FactsOf = NonNullable<Extract<RenderIntentsResult['devices'][number], { scope: unknown }>['facts']>;

/**
 * One batch of a rollout's plan, read once before anything is touched:
 *
 *   1 renderIntents (infrahub worker): the intents as they were at the
 *     plan's instant (`at`, the same for every batch), rendered, with each
 *     one's checksum (what execution must deploy) and the far ends of its
 *     sessions and links
 *   2 checkDrift (device worker): what a deploy would add, change and
 *     remove on what Synapse owns; missing policies; deletions
 *   3 readDeviceStates (device worker): sessions and interfaces as they are
 *     now, so the plan names what is already down before the change
 *
 * Its own workflow so that the change's history holds each device's compact
 * plan, never its config. A device whose intent cannot be rendered, or that
 * relies on a policy it lacks, is a refusal; an unreachable one is planned
 * as such (it is still tried, in its wave).
 */
export async function PlanBatchWorkflow(rawInput: z.input<typeof PlanBatchInput>, rawRouting: ActivityRoutingInput = {}): Promise<PlanBatchResult> {
  const input = parseWorkflowInput(PlanBatchInput, rawInput, 'PlanBatchWorkflow input');
  const routing = parseWorkflowInput(ActivityRouting, rawRouting, 'PlanBatchWorkflow routing');
  const { infrahub, deviceScan } = changeActivities(routing);
  const { devices, concurrency, branch, at, pathsListed } = input;

  // 1. The intents, all as they were at the plan's instant.
  // Plans begun before configs left history carry the configs themselves.
  const byReference = patched(CONFIGS_BY_REFERENCE);
  const rendered = parseWorkflowInput(
    RenderIntentsResult,
    await infrahub.renderIntents({ devices, concurrency, ...(branch ? { branch } : {}), ...(at ? { at } : {}), ...(byReference ? { byReference } : {}) }),
    'renderIntents result',
  );
  const plans = new Map<string, DevicePlan>();
  const refusals: PlanBatchResult['refusals'] = [];
  const targets: DriftCheckTarget[] = [];
  const facts = new Map<string, FactsOf>();
  for (const entry of rendered.devices) {
    if ('problem' in entry) {
      refusals.push({ device: entry.device, message: entry.problem });
      plans.set(entry.device, plan(entry.device, { status: 'unchecked', detail: entry.problem }));
      continue;
    }
    targets.push(checkTarget(entry));
    if (entry.facts) facts.set(entry.device, entry.facts);
    plans.set(
      entry.device,
      plan(entry.device, {
        status: 'unchecked',
        ...(entry.role ? { role: entry.role } : {}),
        ...(entry.checksum ? { checksum: entry.checksum } : {}),
        ...(at ? { intentReadAt: at } : {}),
        peers: peersOf(entry.facts),
      }),
    );
  }
  if (targets.length === 0) return { devices: devices.flatMap((d) => plans.get(d) ?? []), refusals };

  // 2 and 3. The devices: what a deploy would do, and what is up now.
  const checked = await deviceScan.checkDrift({ devices: targets, concurrency });
  const reachable = checked.devices.filter((d) => d.status !== 'unreachable').map((d) => d.device);
  const states = new Map<string, DeviceStates>();
  if (reachable.length > 0) {
    const read = parseWorkflowInput(ReadDeviceStatesResult, await deviceScan.readDeviceStates({ devices: reachable, concurrency }), 'readDeviceStates result');
    for (const entry of read.devices) if (!('unreachable' in entry)) states.set(entry.device, entry);
  }
  for (const status of checked.devices) {
    const planned = plans.get(status.device)!;
    plans.set(status.device, { ...planned, ...fromDrift(status, pathsListed), problems: preExistingProblems(status, facts.get(status.device), states.get(status.device)) });
    for (const missing of status.missingPolicies ?? []) {
      refusals.push({
        device: status.device,
        message: `peer group "${missing.group}" ${missing.direction}-policy "${missing.policy}" is neither defined in Infrahub nor present on the device`,
      });
    }
  }
  return { devices: devices.flatMap((d) => plans.get(d) ?? []), refusals };
}

function plan(device: string, fields: Partial<DevicePlan> & Pick<DevicePlan, 'status'>): DevicePlan {
  return { device, counts: { added: 0, changed: 0, removed: 0 }, paths: [], deletions: 0, sessions: [], interfaces: [], peers: [], problems: [], warnings: [], ...fields };
}

function peersOf(facts: FactsOf | undefined): string[] {
  const peers = new Set<string>();
  for (const n of facts?.neighbors ?? []) if (n.peer) peers.add(n.peer);
  for (const i of facts?.interfaces ?? []) if (i.peer) peers.add(i.peer);
  return [...peers].sort();
}

/** The drift check in a plan's words: a drift's `before` is the intent, so what is missing on the device is an add. */
function fromDrift(status: DeviceDriftStatus, pathsListed: number): Partial<DevicePlan> {
  const status_: DevicePlan['status'] = status.status === 'in-sync' ? 'in-sync' : status.status === 'drifted' ? 'changes' : status.status === 'unreachable' ? 'unreachable' : 'unchecked';
  return {
    status: status_,
    ...(status.summary ? { summary: status.summary } : {}),
    ...(status.detail ? { detail: status.detail } : {}),
    counts: status.counts ?? { added: 0, changed: 0, removed: 0 },
    paths: status.drifted.slice(0, pathsListed).map((entry) => ({
      path: entry.path,
      op: entry.after === undefined && 'before' in entry ? 'add' : entry.before === undefined && 'after' in entry ? 'remove' : 'change',
    })),
    deletions: status.deletions ?? 0,
    sessions: status.affected?.sessions ?? [],
    interfaces: status.affected?.interfaces ?? [],
  };
}

/**
 * What is down before the change: every intended session not established
 * and every enabled interface not up, each said with whether the change
 * touches it. Those the change does not touch can never roll it back.
 */
function preExistingProblems(status: DeviceDriftStatus, facts: FactsOf | undefined, states: DeviceStates | undefined): string[] {
  if (!states) return [];
  const touchedSessions = new Set(status.affected?.sessions ?? []);
  const touchedInterfaces = new Set(status.affected?.interfaces ?? []);
  const problems: string[] = [];
  const by = (touched: boolean) => (touched ? 'the change alters it' : 'the change does not touch it');
  for (const [name, state] of Object.entries(states.interfaces)) {
    if (state.admin === 'enable' && state.oper !== 'up' && !name.startsWith('mgmt')) {
      problems.push(`interface ${name} is ${state.oper} before the change (admin-state enable); ${by(touchedInterfaces.has(name))}`);
    }
  }
  const far = new Map((facts?.neighbors ?? []).map((n) => [n.address, n.peer]));
  for (const [address, state] of Object.entries(states.sessions)) {
    if (state !== 'established') {
      const peer = far.get(address);
      problems.push(`neighbor ${address}${peer ? ` (${peer})` : ''} is ${state} before the change; ${by(touchedSessions.has(address))}`);
    }
  }
  return problems.sort();
}
