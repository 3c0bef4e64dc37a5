// Public API of @synapse/infrahub-client. Anything not exported here is internal.

export { InfrahubClient, DEFAULT_PAGE_SIZE } from './client';
export type {
  BranchOption,
  IntentReadOptions,
  BranchResult,
  CreateBranchOptions,
  DeploymentStateResult,
  DeviceIntentResult,
  ListDevicesOptions,
  RecordDeploymentResult,
  SetDeploymentStateInput,
} from './client';
export { resolveConfig, DEFAULT_BRANCH, DEFAULT_RETRY, DEFAULT_TIMEOUT_SECONDS } from './config';
export type { InfrahubAuth, InfrahubClientOptions, InfrahubConfig, InfrahubLogger, RetryOptions } from './config';
export type {
  DeploymentInfo,
  DeviceSummary,
  InfrahubBgpPeerGroup,
  InfrahubBgpSession,
  InfrahubDevice,
  InfrahubInterface,
  InfrahubPolicyStatement,
  InfrahubPrefixSet,
  InfrahubRoutingPolicy,
} from './device';
export { toDeviceIntent, policyNamesOf, LOOPBACK_INTERFACE } from './intent';
export { parseRetryAfter } from './transport';
