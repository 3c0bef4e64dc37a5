import type { Lab } from '@synapse/lab';
import { branchNotFound, InfrahubError } from '../errors';
import type { SchemaModel } from '../schema/schema-model';
import { newId, stableId } from './ids';
import { seedLab } from './seed';
import { BranchData, type BranchInfo } from './store';

export const DEFAULT_BRANCH = 'main';

export interface BranchCreateData {
  name: string;
  description?: string | null;
  origin_branch?: string | null;
  sync_with_git?: boolean | null;
  is_isolated?: boolean | null;
}

// Git ref rules Infrahub applies to branch names, with the explanation it reports.
const INVALID_BRANCH_PATTERNS: [RegExp, string][] = [
  [/\/\./, '/.'],
  [/\.\./, '..'],
  [/^\//, 'starts with /'],
  [/\/\//, '//'],
  [/@\{/, '@{'],
  [/\\/, 'backslash'],
  [/[\u0000-\u001f\u007f ~^:?*[]/, 'disallowed ASCII characters/patterns'],
  [/\.lock$/, '.lock'],
  [/[/.]$/, 'ends with / or .'],
];

function checkBranchName(name: string): void {
  if (name.length < 3) throw new InfrahubError('invalid field name: String should have at least 3 characters', 422);
  if (name.length > 250) throw new InfrahubError('invalid field name: String should have at most 250 characters', 422);
  for (const [pattern, explanation] of INVALID_BRANCH_PATTERNS) {
    if (pattern.test(name)) throw new InfrahubError(`invalid field name: Value error, Branch name contains invalid patterns or characters: ${explanation}`, 422);
  }
}

/**
 * Every branch of the simulated Infrahub. `main` holds the lab; other
 * branches start as copies. Branch-agnostic data is the same on all of them
 * (branch-support.ts keeps it so), so deleting a branch loses only what was
 * branch-aware on it.
 */
export class SimStore {
  private readonly branchesByName = new Map<string, BranchData>();

  constructor(
    readonly model: SchemaModel,
    lab: Lab,
    startedAt: string,
  ) {
    const main = new BranchData({
      id: stableId('Branch', DEFAULT_BRANCH),
      name: DEFAULT_BRANCH,
      description: 'Default Branch',
      origin_branch: DEFAULT_BRANCH,
      branched_from: startedAt,
      created_at: startedAt,
      is_default: true,
      sync_with_git: true,
      is_isolated: false,
      has_schema_changes: false,
      graph_version: null,
      status: 'OPEN',
    });
    seedLab(model, main, lab, startedAt);
    this.branchesByName.set(DEFAULT_BRANCH, main);
  }

  branch(name: string): BranchData | undefined {
    return this.branchesByName.get(name);
  }

  branchOrFail(name: string): BranchData {
    const branch = this.branch(name);
    if (!branch) throw branchNotFound(name);
    return branch;
  }

  branches(): BranchInfo[] {
    return [...this.branchesByName.values()].map((b) => ({ ...b.info }));
  }

  /** Runs one mutation as a write at `now` on every branch (branch-agnostic writes land on all of them): each keeps what it changes. */
  writeAt<T>(now: string, write: () => T): T {
    const branches = [...this.branchesByName.values()];
    const run = (i: number): T => (i === branches.length ? write() : branches[i]!.writeAt(now, () => run(i + 1)));
    return run(0);
  }

  /** Every branch but `branch`: where a branch-agnostic write must land too. */
  otherBranches(branch: BranchData): BranchData[] {
    return [...this.branchesByName.values()].filter((b) => b !== branch);
  }

  createBranch(data: BranchCreateData, now: string): BranchData {
    if (this.branchesByName.has(data.name)) throw new InfrahubError(`The branch ${data.name}, already exist`, 422);
    checkBranchName(data.name);
    const origin = this.branchOrFail(data.origin_branch ?? DEFAULT_BRANCH);
    const branch = origin.cloneAs({
      id: newId(),
      name: data.name,
      description: data.description ?? null,
      origin_branch: origin.info.name,
      branched_from: now,
      created_at: now,
      is_default: false,
      sync_with_git: data.sync_with_git ?? false,
      is_isolated: data.is_isolated ?? true,
      has_schema_changes: false,
      graph_version: null,
      status: 'OPEN',
    });
    this.branchesByName.set(data.name, branch);
    return branch;
  }

  deleteBranch(name: string): void {
    const branch = this.branchOrFail(name);
    if (branch.info.is_default) throw new InfrahubError(`The default branch ${name} cannot be deleted`, 422);
    this.branchesByName.delete(name);
  }
}
