import type {
  BackupRef,
  BackupRunningConfigInput,
  ConfirmCommitInput,
  DeployConfigInput,
  DeployResult,
  ReadDeviceStatesInput,
  ReadDeviceStatesResult,
  RecordOwnershipInput,
  RecordOwnershipResult,
  RollbackConfigInput,
  RollbackResult,
  StoreBackupInput,
  ValidateBgpInput,
  ValidateInterfacesInput,
  ValidationResult,
} from './device';
import type { FetchDeviceConfigInput, FetchDeviceConfigResult, UpdateDeviceStatusInput, UpdateDeviceStatusResult } from './deployment';
import type { DiffConfigInput, DiffResult } from './change';
import type { ReadRunningConfigInput, ReadRunningConfigResult } from './config-view';
import type { CheckDriftInput, CheckDriftResult, ListDevicesInScopeInput, ListDevicesInScopeResult, RenderIntentsInput, RenderIntentsResult } from './drift';
import type { PrepareDeployInput, PrepareDeployResult, RenderDeviceIntentInput, RenderedIntent, ValidateAndConfirmInput, ValidateAndConfirmResult } from './documents';
import type { z } from 'zod';

/**
 * The activity surface each worker serves, as workflows see it. Workers'
 * factories (`createDeviceActivities`, `createInfrahubActivities`) return
 * objects that satisfy these, and workflows proxy these types, so a workflow
 * never imports a worker's code. Inputs are the schemas' *input* types: the
 * activity applies defaults when it parses.
 */
export interface DeviceActivities {
  backupRunningConfig(input: z.input<typeof BackupRunningConfigInput>): Promise<BackupRef>;
  storeBackup(input: z.input<typeof StoreBackupInput>): Promise<BackupRef>;
  /** Intended vs the backup just taken, on the managed paths. */
  diffConfig(input: z.input<typeof DiffConfigInput>): Promise<DiffResult>;
  deployConfig(input: z.input<typeof DeployConfigInput>): Promise<DeployResult>;
  confirmCommit(input: z.input<typeof ConfirmCommitInput>): Promise<void>;
  /** Puts the backup's values back on the paths the change touched, unless the device already has them. */
  rollbackConfig(input: z.input<typeof RollbackConfigInput>): Promise<RollbackResult>;
  /** After a confirmed deploy: the rendered config now owned, so a later intent that drops part of it may delete exactly that part. */
  recordOwnership(input: z.input<typeof RecordOwnershipInput>): Promise<RecordOwnershipResult>;
  validateBgp(input: z.input<typeof ValidateBgpInput>): Promise<ValidationResult>;
  validateInterfaces(input: z.input<typeof ValidateInterfacesInput>): Promise<ValidationResult>;
  /** BGP session and interface states of a batch of devices: a change's baseline, a rollout's fabric check. */
  readDeviceStates(input: z.input<typeof ReadDeviceStatesInput>): Promise<ReadDeviceStatesResult>;
  /** Running vs intended managed paths of a batch of devices; an unreachable device is reported, not thrown. */
  checkDrift(input: z.input<typeof CheckDriftInput>): Promise<CheckDriftResult>;
  /** Back up, plan against the stored intended config, archive when something will be deployed (and a member's baseline): one round trip. */
  prepareDeploy(input: z.input<typeof PrepareDeployInput>): Promise<PrepareDeployResult>;
  /** BGP and interfaces validated together; when both pass, the commit confirmed and the deployed config recorded as owned. */
  validateAndConfirm(input: z.input<typeof ValidateAndConfirmInput>): Promise<ValidateAndConfirmResult>;
  /** One device's whole running config, for the operator to read (`synapse config running`). */
  readRunningConfig(input: z.input<typeof ReadRunningConfigInput>): Promise<ReadRunningConfigResult>;
}

export interface InfrahubActivities {
  fetchDeviceConfig(input: z.input<typeof FetchDeviceConfigInput>): Promise<FetchDeviceConfigResult>;
  /** The intent rendered into the document store: its reference, checksum and what validation expects; no config in the answer. */
  renderDeviceIntent(input: z.input<typeof RenderDeviceIntentInput>): Promise<RenderedIntent>;
  updateDeviceStatus(input: z.input<typeof UpdateDeviceStatusInput>): Promise<UpdateDeviceStatusResult>;
  /** The devices a drift scope covers, with their Infrahub status (maintenance: suppressed). */
  listDevicesInScope(input: z.input<typeof ListDevicesInScopeInput>): Promise<ListDevicesInScopeResult>;
  /** A drift batch's intents, rendered; a device whose intent cannot be is answered with the reason, not thrown. */
  renderIntents(input: z.input<typeof RenderIntentsInput>): Promise<RenderIntentsResult>;
}
