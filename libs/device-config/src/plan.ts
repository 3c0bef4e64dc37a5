import type { ConfigDiff, ManagedConfig, OwnershipScope } from '@synapse/contracts';
import { diffConfigs } from './diff';
import { toDocument } from './document';
import { canonicalAt } from './restore';
import { missingPolicies, ownedView, staleDeletions, unmanagedConfig, type Unmanaged } from './ownership';
import { summarizeDiff } from './summary';

export interface PlanInput {
  /** The device's running config (Get CONFIG at the root, or the backup of it). */
  running: unknown;
  /** The rendered intent. */
  config: ManagedConfig;
  scope: OwnershipScope;
  /** The device's ownership record: the config the last confirmed deploy rendered, if any. */
  previous?: ManagedConfig;
  /** How many unmanaged paths to name (they are always counted). */
  unmanagedLimit?: number;
}

export interface Plan {
  /**
   * Intended vs running on what Synapse owns, read as what the deploy does
   * (added: the deploy adds it; before = running). The deletions lead
   * diff.removed.
   */
  diff: ConfigDiff;
  /** Stale owned entries and leaves the deploy deletes. */
  deletions: string[];
  /** Policies the intent names but does not define that the device lacks: a deploy would be refused. */
  missingPolicies: OwnershipScope['requiredPolicies'];
  /** Config on the device Synapse does not own; never changed, never drift. */
  unmanaged: Unmanaged;
  summary: string;
  inSync: boolean;
}

/**
 * The plan of one device, as a change, drift and the CLI all compute it:
 * the owned view of the running config against the intent, what the
 * ownership record says must go, what must already be there, and what is
 * none of Synapse's business.
 */
export function planChange({ running, config, scope, previous, unmanagedLimit }: PlanInput): Plan {
  const deletions = staleDeletions(running, previous, config, scope);
  const owned = diffConfigs(config, ownedView(running, config));
  const document = toDocument(running);
  const removed = deletions.map((path) => ({ path, value: canonicalAt(document, path) ?? null }));
  const diff: ConfigDiff = { added: owned.added, changed: owned.changed, removed: [...removed, ...owned.removed] };
  const inSync = diff.added.length + diff.changed.length + diff.removed.length === 0;
  return {
    diff,
    deletions,
    missingPolicies: missingPolicies(running, scope),
    unmanaged: unmanagedConfig(running, previous ? [config, previous] : [config], unmanagedLimit),
    summary: summarizeDiff(diff),
    inSync,
  };
}

/** Intended vs running on the owned paths only: what `planChange` reports as the diff, without the record. */
export function ownedDiff(intended: ManagedConfig, running: unknown): ConfigDiff {
  return diffConfigs(intended, ownedView(running, intended));
}
