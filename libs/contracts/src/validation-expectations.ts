import type { DiffResult } from './change';
import type { DeviceStates, ValidateBgpInput, ValidateInterfacesInput } from './device';
import type { DeviceIntent } from './intent';

/** What post-change validation should find on the device once the intended config is in place. */
export interface ValidationExpectations {
  neighbors: ValidateBgpInput['neighbors'];
  interfaces: ValidateInterfacesInput['interfaces'];
}

/**
 * Every BGP neighbor of the intent established with its peer AS, and every
 * interface a change configures in its intended admin state, up when enabled
 * and down when disabled. Management ports are never configured by a change,
 * so they are not checked. Pure, so workflow code (the change workflow) and
 * libraries (device-config) share this one rule.
 */
export function validationExpectations(intent: DeviceIntent): ValidationExpectations {
  return {
    neighbors: (intent.bgp?.neighbors ?? []).map((n) => ({ peerAddress: n.peerAddress, peerAs: n.peerAs })),
    interfaces: intent.interfaces
      .filter((itf) => itf.role !== 'management')
      .map((itf) => ({
        name: itf.name,
        adminState: itf.enabled ? 'enable' : 'disable',
        operState: itf.enabled ? 'up' : 'down',
      })),
  };
}

/**
 * What an emergency patch should leave as it was: the intent's expectations
 * minus what the patch deliberately changes. A patch that shuts a flapping
 * port must not fail on that port being down, nor on the BGP session that
 * rides it; everything else the intent says is up must still be up.
 * An interface is touched when a patch path is under `/interface[name=X]`;
 * a neighbor when a path names its peer address, or when its local address
 * sits on a touched interface.
 */
export function expectationsOutsidePatch(intent: DeviceIntent, patchPaths: readonly string[]): ValidationExpectations {
  const all = validationExpectations(intent);
  const touchedInterfaces = new Set(
    intent.interfaces.filter((itf) => patchPaths.some((path) => path.startsWith(`/interface[name=${itf.name}]`))).map((itf) => itf.name),
  );
  const addressesOnTouched = new Set(
    intent.interfaces.filter((itf) => touchedInterfaces.has(itf.name)).flatMap((itf) => itf.ipv4Addresses.map((prefix) => prefix.split('/')[0])),
  );
  const touchedNeighbors = new Set(
    (intent.bgp?.neighbors ?? [])
      .filter((n) => patchPaths.some((path) => path.includes(`[peer-address=${n.peerAddress}]`)) || (n.localAddress !== undefined && addressesOnTouched.has(n.localAddress)))
      .map((n) => n.peerAddress),
  );
  return {
    neighbors: all.neighbors.filter((n) => !touchedNeighbors.has(n.peerAddress)),
    interfaces: all.interfaces.filter((itf) => !touchedInterfaces.has(itf.name)),
  };
}

/**
 * What a device's intent says about the fabric around it, in the compact
 * form a rollout carries per device: each intended session and interface,
 * and the device at its far end when known. Derived from the intent once
 * (deviceFacts) so that a rollout's fabric check needs no intent.
 */
export interface DeviceFacts {
  neighbors: Array<{ address: string; peerAs?: number; peer?: string }>;
  /** Configured (non-management) interfaces; `peer` is the far end of the link, from the session on its subnet. */
  interfaces: Array<{ name: string; enabled: boolean; peer?: string }>;
}

export function deviceFacts(intent: DeviceIntent): DeviceFacts {
  const neighbors = intent.bgp?.neighbors ?? [];
  const farEndOn = (itf: DeviceIntent['interfaces'][number]) =>
    neighbors.find((n) => n.localAddress !== undefined && itf.ipv4Addresses.some((prefix) => sameSubnet(prefix, n.localAddress!)))?.peerDevice;
  return {
    neighbors: neighbors.map((n) => ({ address: n.peerAddress, peerAs: n.peerAs, ...(n.peerDevice ? { peer: n.peerDevice } : {}) })),
    interfaces: intent.interfaces
      .filter((itf) => itf.role !== 'management')
      .map((itf) => {
        const peer = farEndOn(itf);
        return { name: itf.name, enabled: itf.enabled, ...(peer ? { peer } : {}) };
      }),
  };
}

/**
 * Where a device's far ends are in the rollout. `ready`: they run their
 * target config now (deployed in an earlier wave, or already in sync);
 * `pending`: in this change but not deployed yet. A far end in neither is
 * outside the change.
 */
export interface PeerReadiness {
  ready: readonly string[];
  pending: readonly string[];
}

/** A check a validation does not make now, with the reason an operator reads. */
export interface NotCheckedNow {
  subject: string;
  reason: string;
}

export interface BaselineExpectations extends ValidationExpectations {
  /** Far end in this change, not deployed yet: checked after its wave. */
  deferred: NotCheckedNow[];
  /** Far end outside this change and the session or link was not up before: reported, never a reason to roll back. */
  waiting: NotCheckedNow[];
}

/** Neighbors the plan deletes: their sessions going down is the change, not a failure. */
export function removedNeighbors(plan: Pick<DiffResult, 'stalePaths'> | undefined): string[] {
  const removed = new Set<string>();
  for (const path of plan?.stalePaths ?? []) {
    const peer = /\/neighbor\[peer-address=([^\]]+)\]$/.exec(path)?.[1];
    if (peer !== undefined) removed.add(peer);
  }
  return [...removed];
}

/**
 * Baseline-relative validation: what must hold on a device once its change
 * is in place, given what held before (the baseline snapshot) and where its
 * far ends are in the rollout.
 *
 *  - Nothing that was up goes down, unless the intent disables it or the
 *    change deletes it (`removedNeighbors`): every session established and
 *    every interface up in the baseline is expected so again, whoever owns it.
 *  - An intended session or link whose far end runs its target config must
 *    come up; one whose far end is still to be deployed in this change is
 *    deferred; one to a far end outside the change that was not up before is
 *    waiting — reported, not required (a pre-existing problem, or a far end
 *    that lacks the matching config).
 *  - A disabled interface is expected down.
 * Without a baseline (nothing could be read before), intended sessions and
 * links to ready or unknown far ends are required, as a change always did.
 */
export function baselineExpectations(
  facts: DeviceFacts,
  baseline: Pick<DeviceStates, 'sessions' | 'interfaces'> | undefined,
  readiness: PeerReadiness = { ready: [], pending: [] },
  removedNeighbors: readonly string[] = [],
): BaselineExpectations {
  const ready = new Set(readiness.ready);
  const pending = new Set(readiness.pending);
  const out: BaselineExpectations = { neighbors: [], interfaces: [], deferred: [], waiting: [] };
  const wasUp = {
    session: (address: string) => baseline?.sessions[address] === 'established',
    interface: (name: string) => baseline?.interfaces[name]?.oper === 'up',
  };
  const place = (peer: string | undefined, upBefore: boolean): 'required' | 'deferred' | 'waiting' => {
    if (peer !== undefined && pending.has(peer)) return 'deferred';
    if (upBefore || baseline === undefined || (peer !== undefined && ready.has(peer))) return 'required';
    return 'waiting';
  };

  const intendedSessions = new Set<string>();
  for (const n of facts.neighbors) {
    intendedSessions.add(n.address);
    const subject = `neighbor ${n.address}`;
    const where = place(n.peer, wasUp.session(n.address));
    if (where === 'required') out.neighbors.push({ peerAddress: n.address, ...(n.peerAs !== undefined ? { peerAs: n.peerAs } : {}) });
    else if (where === 'deferred') out.deferred.push({ subject, reason: `${n.peer} is in this change and not deployed yet: checked after its wave` });
    else out.waiting.push({ subject, reason: `waiting for ${n.peer ?? 'its far end'}: not established before the change${n.peer ? ` and ${n.peer} is not in this change` : ''}` });
  }
  // Someone else's sessions that were up stay up: this change must not take them down.
  for (const [address, state] of Object.entries(baseline?.sessions ?? {})) {
    if (state === 'established' && !intendedSessions.has(address) && !removedNeighbors.includes(address)) out.neighbors.push({ peerAddress: address });
  }

  const intendedInterfaces = new Set<string>();
  for (const itf of facts.interfaces) {
    intendedInterfaces.add(itf.name);
    if (!itf.enabled) {
      out.interfaces.push({ name: itf.name, adminState: 'disable', operState: 'down' });
      continue;
    }
    const subject = `interface ${itf.name}`;
    // A loopback or system interface needs no far end: it is up whenever enabled.
    const where = itf.peer === undefined && !/^ethernet-|^lag/.test(itf.name) ? 'required' : place(itf.peer, wasUp.interface(itf.name));
    if (where === 'required') out.interfaces.push({ name: itf.name, adminState: 'enable', operState: 'up' });
    else if (where === 'deferred') out.deferred.push({ subject, reason: `${itf.peer} is in this change and not deployed yet: checked after its wave` });
    else out.waiting.push({ subject, reason: `waiting for ${itf.peer ?? 'its far end'}: the link was down before the change` });
  }
  for (const [name, state] of Object.entries(baseline?.interfaces ?? {})) {
    if (state.oper === 'up' && !intendedInterfaces.has(name)) out.interfaces.push({ name, adminState: state.admin === 'disable' ? 'disable' : 'enable', operState: 'up' });
  }
  return out;
}

/** What a state read finds wrong against expectations: one sentence per unmet check (a rollout's fabric check). */
export function unmetExpectations(expectations: ValidationExpectations, states: Pick<DeviceStates, 'sessions' | 'interfaces'>): string[] {
  const problems: string[] = [];
  for (const n of expectations.neighbors) {
    const state = states.sessions[n.peerAddress];
    if (state !== 'established') problems.push(`neighbor ${n.peerAddress}: session-state ${state ?? 'absent'}, expected established`);
  }
  for (const itf of expectations.interfaces) {
    const state = states.interfaces[itf.name];
    if (!state || state.admin !== itf.adminState || state.oper !== itf.operState) {
      problems.push(`interface ${itf.name}: ${state ? `admin-state ${state.admin}, oper-state ${state.oper}` : 'absent'}, expected ${itf.adminState}/${itf.operState}`);
    }
  }
  return problems;
}

/** The same IPv4 subnet: an interface address with its length, and a host address. */
function sameSubnet(prefix: string, host: string): boolean {
  const [address, lengthText] = prefix.split('/');
  const length = Number(lengthText);
  const value = (ip: string) => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - length);
  return Math.floor(value(address) / size) === Math.floor(value(host) / size);
}
