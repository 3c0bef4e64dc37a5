// Public API of @synapse/device-config. Anything not exported here is internal.

// Intent -> SR Linux native config: the entries and leaves Synapse owns.
export { renderConfig, interfacePath, routingPolicyPath, prefixSetPath, type RenderedConfig } from './render';
export { expectedState, type ExpectedState } from './expected-state';
export { interfaceKind, INTERFACE_NAME_HINT, MANAGEMENT_INTERFACES, MANAGEMENT_NETWORK_INSTANCE, type InterfaceKind } from './interface-names';

// Ownership: one set of rules for render, plan, deploy, drift and rollback.
export {
  ownershipScope,
  ownedView,
  unownedPart,
  staleDeletions,
  unmanagedConfig,
  missingPolicies,
  isProtectedPath,
  type Unmanaged,
} from './ownership';
export { planChange, ownedDiff, type Plan, type PlanInput } from './plan';
export { deployOperations, type DeployOperations } from './deploy-operations';
export { restoreOperations, touchedBy, touchedView, touchedDifferences, canonicalAt, type Touched, type TouchedView } from './restore';

// Comparison.
export { canonicalize, canonicalizeAt } from './canonical';
export { checksum } from './checksum';
export { diffConfigs, isEmptyDiff, type ConfigDiff } from './diff';
export { summarizeDiff } from './summary';

// Rendered configs by content, outside workflow history.
export { DocumentStore, DocumentStoreError, type DocumentSealer } from './document-store';
