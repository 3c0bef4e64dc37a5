import { DEFAULT_WAVE_SIZE, ROLLOUT_GROUP_SIZE, type DevicePlan, type MemberPlan, type RolloutStrategy } from '@synapse/contracts';

/**
 * How a planned change becomes waves, as an operator would order them by
 * hand. Pure functions (no Temporal calls): the change workflow runs them
 * once on its plan, and tests run them directly.
 */

export interface Wave {
  index: number;
  canary: boolean;
  devices: string[];
}

/**
 * The devices that get deployed (not in sync, not refused), in waves:
 *
 *   0  the canary: the named devices, or the first `count` of `role`
 *      (alone; a failure there stops everything)
 *   1… the devices of one-at-a-time roles (spines, cores, edges come in
 *      redundant pairs: never both at once), first, so the devices hanging
 *      off them validate against a changed pair. Two such devices share a
 *      wave only when they share no far end and are not each other's: one
 *      spine of every pod at once, never both spines of one pod
 *      (pairWaves)
 *   …  the rest in waves of `waveSize` devices (or `wavePercent` of the
 *      change), in the change's order
 *
 * Validation is relative to the far ends' place in these waves (a session
 * to a device of a later wave is checked after that wave), so any order is
 * safe; this one limits the blast radius of each step.
 */
export function planWaves(plans: readonly DevicePlan[], strategy: RolloutStrategy): Wave[] {
  const deployable = plans.filter((p) => p.status !== 'in-sync').map((p) => p.device);
  const roleOf = new Map(plans.map((p) => [p.device, p.role]));
  const waves: Wave[] = [];

  const canaries = strategy.canary.devices.length > 0 ? strategy.canary.devices.filter((d) => deployable.includes(d)) : firstOfRole(deployable, roleOf, strategy.canary.count, strategy.canary.role);
  if (canaries.length > 0) waves.push({ index: 0, canary: true, devices: canaries });
  const rest = deployable.filter((d) => !canaries.includes(d));

  const oneAtATime = new Set<string>(strategy.oneAtATimeRoles);
  const paired = rest.filter((d) => oneAtATime.has(roleOf.get(d) ?? ''));
  const others = rest.filter((d) => !oneAtATime.has(roleOf.get(d) ?? ''));
  const next = () => (waves.length === 0 ? 1 : waves[waves.length - 1]!.index + 1);
  const size = waveSize(strategy, deployable.length);
  for (const devices of pairWaves(paired, plans, size)) waves.push({ index: next(), canary: false, devices });

  for (let start = 0; start < others.length; start += size) waves.push({ index: next(), canary: false, devices: others.slice(start, start + size) });
  return waves;
}

/**
 * Redundant devices into as few waves as keep every pair apart: each goes to
 * the first wave where no device shares a far end with it (a leaf on both
 * spines of its pod makes them a pair) or is its far end, and that has room.
 * A device whose far ends the plan does not know may be anyone's pair: alone.
 * Greedy, in the change's order, so the waves are the same on every replay.
 */
function pairWaves(devices: readonly string[], plans: readonly DevicePlan[], size: number): string[][] {
  const peersOf = new Map(plans.map((p) => [p.device, new Set(p.peers)]));
  const conflicts = (a: string, b: string): boolean => {
    const peersA = peersOf.get(a) ?? new Set<string>();
    const peersB = peersOf.get(b) ?? new Set<string>();
    if (peersA.size === 0 || peersB.size === 0) return true;
    if (peersA.has(b) || peersB.has(a)) return true;
    for (const peer of peersA) if (peersB.has(peer)) return true;
    return false;
  };
  const waves: string[][] = [];
  for (const device of devices) {
    const wave = waves.find((w) => w.length < size && w.every((other) => !conflicts(device, other)));
    if (wave) wave.push(device);
    else waves.push([device]);
  }
  return waves;
}

function firstOfRole(devices: readonly string[], roleOf: ReadonlyMap<string, string | undefined>, count: number, role: string | undefined): string[] {
  if (count <= 0) return [];
  return devices.filter((d) => role === undefined || roleOf.get(d) === role).slice(0, count);
}

export function waveSize(strategy: RolloutStrategy, deployable: number): number {
  if (strategy.wavePercent !== undefined) return Math.max(1, Math.ceil((deployable * strategy.wavePercent) / 100));
  return strategy.waveSize ?? DEFAULT_WAVE_SIZE;
}

/** Failures (failed, rolled back, refused) the whole change may have before it stops: the larger of count and percentage. */
export function failuresAllowed(strategy: RolloutStrategy, deployable: number): number {
  const { count, percent } = strategy.failureBudget;
  const byPercent = percent === undefined ? 0 : Math.floor((deployable * percent) / 100);
  return Math.max(count ?? 0, byPercent);
}

/** Each deployed device with its wave and where its far ends in the change are (a wave, or already running their target). */
export function memberPlans(plans: readonly DevicePlan[], waves: readonly Wave[]): MemberPlan[] {
  const waveOf = new Map<string, number>();
  for (const wave of waves) for (const device of wave.devices) waveOf.set(device, wave.index);
  const inSync = new Set(plans.filter((p) => p.status === 'in-sync').map((p) => p.device));
  return plans
    .filter((p) => waveOf.has(p.device))
    .map((p) => ({
      device: p.device,
      ...(p.checksum ? { checksum: p.checksum } : {}),
      wave: waveOf.get(p.device)!,
      peers: p.peers.flatMap((peer) => (waveOf.has(peer) ? [{ device: peer, wave: waveOf.get(peer)! }] : inSync.has(peer) ? [{ device: peer, wave: -1 }] : [])),
    }));
}

/** Members cut into groups of ROLLOUT_GROUP_SIZE, in name order (locks are always taken in the same order). */
export function groupMembers(members: readonly MemberPlan[]): MemberPlan[][] {
  const sorted = [...members].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
  const groups: MemberPlan[][] = [];
  for (let start = 0; start < sorted.length; start += ROLLOUT_GROUP_SIZE) groups.push(sorted.slice(start, start + ROLLOUT_GROUP_SIZE));
  return groups;
}
