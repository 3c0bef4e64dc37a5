/** How a plan becomes waves, budgets and groups: pure functions, run here without a server. */
import { ChangeResult, planPathsListed, PLAN_PATHS_BUDGET, PLAN_PATHS_LISTED, RESULT_DEVICES_LISTED, RolloutStrategy, type DevicePlan } from '@synapse/contracts';
import { RolloutBoard } from '../src/workflows/rollout-board';
import { workflowCacheSize } from '../src/worker';
import { failuresAllowed, groupMembers, memberPlans, planWaves } from '../src/workflows/rollout-plan';

function plan(device: string, role: string, status: DevicePlan['status'] = 'changes', peers: string[] = []): DevicePlan {
  return { device, role, status, counts: { added: 1, changed: 0, removed: 0 }, paths: [], deletions: 0, sessions: [], interfaces: [], peers, problems: [], warnings: [] };
}

const leaves = Array.from({ length: 7 }, (_, i) => `leaf0${i + 1}`);
const fabric = [plan('spine01', 'spine', 'changes', leaves), plan('spine02', 'spine', 'changes', leaves), ...Array.from({ length: 7 }, (_, i) => plan(`leaf0${i + 1}`, 'leaf'))];

describe('planWaves', () => {
  it('puts each spine of a pair (or whose far ends are unknown) in a wave of its own, first, then the leaves in waves of waveSize, in the change’s order', () => {
    const waves = planWaves(fabric, RolloutStrategy.parse({ waveSize: 3 }));
    expect(waves.map((w) => [w.index, w.canary, w.devices])).toEqual([
      [1, false, ['spine01']],
      [2, false, ['spine02']],
      [3, false, ['leaf01', 'leaf02', 'leaf03']],
      [4, false, ['leaf04', 'leaf05', 'leaf06']],
      [5, false, ['leaf07']],
    ]);
    // Spines the plan knows no far end of could be a pair: never together.
    const unknown = planWaves([plan('spine01', 'spine'), plan('spine02', 'spine')], RolloutStrategy.parse({}));
    expect(unknown.map((w) => w.devices)).toEqual([['spine01'], ['spine02']]);
  });

  it('starts with the canary alone (named, or the first of a role), never plans a device in sync, and sizes waves by percentage', () => {
    const plans = [...fabric, plan('leaf08', 'leaf', 'in-sync')];
    const named = planWaves(plans, RolloutStrategy.parse({ canary: { devices: ['leaf05'] }, wavePercent: 50, oneAtATimeRoles: [] }));
    expect(named[0]).toEqual({ index: 0, canary: true, devices: ['leaf05'] });
    // 9 deployable devices, 50 %: waves of 5.
    expect(named.slice(1).map((w) => w.devices.length)).toEqual([5, 3]);
    expect(named.flatMap((w) => w.devices)).not.toContain('leaf08');
    const byRole = planWaves(plans, RolloutStrategy.parse({ canary: { count: 2, role: 'leaf' } }));
    expect(byRole[0]).toEqual({ index: 0, canary: true, devices: ['leaf01', 'leaf02'] });
  });

  it('keeps both spines of a pod apart but changes one spine of every pod at once; a spine and its own far end never share a wave', () => {
    const pods = [1, 2, 3].flatMap((p) => {
      const podLeaves = [`p${p}-leaf01`, `p${p}-leaf02`];
      return [plan(`p${p}-spine01`, 'spine', 'changes', podLeaves), plan(`p${p}-spine02`, 'spine', 'changes', podLeaves), ...podLeaves.map((l) => plan(l, 'leaf', 'changes', [`p${p}-spine01`, `p${p}-spine02`]))];
    });
    // A super-spine above the pods' first spines: its far ends are those spines themselves.
    const superSpine = plan('super01', 'spine', 'changes', ['p1-spine01', 'p2-spine01', 'p3-spine01']);
    const waves = planWaves([...pods, superSpine], RolloutStrategy.parse({ waveSize: 10 }));
    expect(waves.map((w) => w.devices)).toEqual([
      ['p1-spine01', 'p2-spine01', 'p3-spine01'],
      ['p1-spine02', 'p2-spine02', 'p3-spine02', 'super01'],
      ['p1-leaf01', 'p1-leaf02', 'p2-leaf01', 'p2-leaf02', 'p3-leaf01', 'p3-leaf02'],
    ]);
    // The wave size caps them too.
    expect(planWaves(pods, RolloutStrategy.parse({ waveSize: 2 })).map((w) => w.devices.length)).toEqual([2, 2, 1, 1, 2, 2, 2]);
  });

  it('refuses waveSize and wavePercent together, naming the field', () => {
    expect(RolloutStrategy.safeParse({ waveSize: 3, wavePercent: 10 }).error?.issues[0]).toMatchObject({ path: ['wavePercent'], message: 'give waveSize or wavePercent, not both' });
  });
});

describe('failuresAllowed', () => {
  it('is the larger of the count and the percentage of the deployed devices', () => {
    expect(failuresAllowed(RolloutStrategy.parse({}), 100)).toBe(0);
    expect(failuresAllowed(RolloutStrategy.parse({ failureBudget: { count: 2 } }), 100)).toBe(2);
    expect(failuresAllowed(RolloutStrategy.parse({ failureBudget: { count: 2, percent: 5 } }), 100)).toBe(5);
    expect(failuresAllowed(RolloutStrategy.parse({ failureBudget: { percent: 5 } }), 10)).toBe(0);
  });
});

describe('memberPlans and groupMembers', () => {
  it('gives each device its wave and its far ends’ waves (-1: in sync already), and cuts them into name-ordered groups of 100', () => {
    const plans = [plan('spine01', 'spine', 'changes', ['leaf01', 'leaf02']), plan('leaf01', 'leaf', 'changes', ['spine01']), plan('leaf02', 'leaf', 'in-sync', ['spine01'])];
    const waves = planWaves(plans, RolloutStrategy.parse({}));
    expect(memberPlans(plans, waves)).toEqual([
      { device: 'spine01', wave: 1, peers: [{ device: 'leaf01', wave: 2 }, { device: 'leaf02', wave: -1 }] },
      { device: 'leaf01', wave: 2, peers: [{ device: 'spine01', wave: 1 }] },
    ]);
    const many = Array.from({ length: 250 }, (_, i) => ({ device: `leaf${String(250 - i).padStart(3, '0')}`, wave: 1, peers: [] }));
    const groups = groupMembers(many);
    expect(groups.map((g) => g.length)).toEqual([100, 100, 50]);
    expect(groups[0]![0]!.device).toBe('leaf001');
  });
});

describe('bounded at any fleet size', () => {
  it('lists every device of a change up to RESULT_DEVICES_LISTED; past that only those that did not deploy, the rest counted', () => {
    const small = new RolloutBoard('chg-small', ['leaf1', 'leaf2']);
    small.setOutcome('leaf1', 'deployed');
    expect(small.result('succeeded').devices.map((d) => d.device)).toEqual(['leaf1', 'leaf2']);

    const names = Array.from({ length: 2000 }, (_, i) => `leaf${i}`);
    const board = new RolloutBoard('chg-large', names);
    names.forEach((d, i) => board.setOutcome(d, i === 7 ? 'rolled-back' : i === 1500 ? 'failed' : 'deployed', { wave: 1, ...(i === 7 ? { reason: 'BGP validation failed' } : {}) }));
    const result = ChangeResult.parse(board.result('partially-failed'));
    expect(result.devices.map((d) => [d.device, d.outcome])).toEqual([
      ['leaf7', 'rolled-back'],
      ['leaf1500', 'failed'],
    ]);
    expect(result.devicesNotListed).toBe(1998);
    expect(result.counts).toEqual({ deployed: 1998, 'rolled-back': 1, failed: 1 });
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(4096);
    // A fleet that failed everywhere still lists at most RESULT_DEVICES_LISTED lines.
    const failing = new RolloutBoard('chg-bad', names);
    names.forEach((d) => failing.setOutcome(d, 'failed', { reason: 'x'.repeat(600) }));
    expect(failing.result('failed').devices).toHaveLength(RESULT_DEVICES_LISTED);
  });

  it('lists fewer paths per device in a large plan, never none, within PLAN_PATHS_BUDGET over the plan', () => {
    expect(planPathsListed(3)).toBe(PLAN_PATHS_LISTED);
    expect(planPathsListed(1000)).toBe(4);
    expect(planPathsListed(1_000_000)).toBe(1);
    for (const n of [1, 199, 200, 201, 1000, 2000]) expect(planPathsListed(n) * n <= Math.max(PLAN_PATHS_BUDGET, n)).toBe(true);
  });
});

describe('the workflow cache', () => {
  it('fits the heap at 4 MiB a workflow, unless SYNAPSE_WORKFLOW_CACHE_SIZE says otherwise; a bad setting names the variable', () => {
    const gib4 = 4144 * 2 ** 20;
    expect(workflowCacheSize({}, gib4)).toBe(908);
    expect(workflowCacheSize({}, 256 * 2 ** 20)).toBe(50);
    expect(workflowCacheSize({ SYNAPSE_WORKFLOW_CACHE_SIZE: '3000' }, gib4)).toBe(3000);
    expect(() => workflowCacheSize({ SYNAPSE_WORKFLOW_CACHE_SIZE: 'lots' }, gib4)).toThrow('SYNAPSE_WORKFLOW_CACHE_SIZE must be a whole number from 2 to 1000000 (got "lots")');
  });
});
