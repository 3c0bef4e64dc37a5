// Public API of @synapse/device-config. Anything not exported here is internal.

// Intent -> SR Linux native config (one replace per managed list entry).
export { renderConfig, type RenderedConfig } from './render';
export { deployOperations, type DeployOperations } from './deploy-operations';
export { expectedState, type ExpectedState } from './expected-state';

// What the renderer owns on a device; drift compares exactly this.
export { MANAGED_SCOPE, managedScope, managedView, isManagedPath, type ManagedScope } from './managed-paths';

// Comparison.
export { canonicalize, canonicalizeAt } from './canonical';
export { checksum } from './checksum';
export { diffConfigs, isEmptyDiff, type ConfigDiff, type DiffOptions } from './diff';
export { summarizeDiff } from './summary';
