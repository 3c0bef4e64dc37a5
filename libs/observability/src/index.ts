export {
  observabilitySettingsFromEnv,
  ObservabilityEnv,
  ObservabilitySettingsError,
  DEFAULT_SHUTDOWN_GRACE_SECONDS,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevelName,
  type ObservabilitySettings,
} from './settings';
export { installRuntime, runtimeOptions, type InstallRuntimeOptions, type InstalledRuntime } from './runtime';
export { createLogger, safeStringify, type LoggerOptions } from './logger';
export { activityObservabilityInterceptors, gnmiFailure } from './activity-interceptors';
export { changeLogContext, type ChangeLogContext } from './log-context';
export { PRODUCT_METRICS, CHANGE_WORKFLOW_KINDS, DEVICE_CHANGE_WORKFLOW, VALIDATION_ACTIVITY_CHECKS, COMBINED_VALIDATION_ACTIVITY } from './metric-names';
export { startHealthServer, type HealthServer, type HealthServerOptions, type ProbedWorker } from './health';
export {
  runUntilSignal,
  workerGroup,
  shutdownOptionsFromEnv,
  SHUTDOWN_FORCE_MARGIN_MS,
  type RunOutcome,
  type RunnableWorker,
  type RunUntilSignalOptions,
  type ShutdownOptions,
} from './shutdown';
export { activityWorkerTuning, DEVICE_WORKER_TUNING, INFRAHUB_WORKER_TUNING, WORKER_TUNING_VARIABLES } from './worker-tuning';

/**
 * The workflow interceptors module (log context and change metrics), for
 * Worker.create's `interceptors.workflowModules` when the worker bundles at
 * start, or bundleWorkflowCode's `workflowInterceptorModules` for a prebuilt
 * bundle (a Worker given a bundle ignores workflowModules).
 */
export const WORKFLOW_INTERCEPTORS_MODULE: string = require.resolve('./workflow-interceptors');
export { progressHeartbeat, type ProgressHeartbeat } from './activity-heartbeat';
