import type { Logger } from '@temporalio/common';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { createLogger, SDK_LOG_LEVELS } from './logger';
import { PRODUCT_METRICS } from './metric-names';
import { observabilitySettingsFromEnv, ObservabilitySettingsError, type ObservabilitySettings } from './settings';

export interface InstallRuntimeOptions {
  /** The worker's name (`device-worker`), on every log line. */
  service: string;
  env?: NodeJS.ProcessEnv;
}

export interface InstalledRuntime {
  runtime: Runtime;
  /** The JSON logger, for the worker's own messages (startup, shutdown). */
  logger: Logger;
  settings: ObservabilitySettings;
}

/**
 * Installs the SDK's Runtime the way every Synapse worker runs it: logs of
 * the SDK, its Rust core, workflows and activities as JSON lines on stdout
 * at SYNAPSE_LOG_LEVEL; a Prometheus endpoint on SYNAPSE_METRICS_ADDRESS
 * (served by the core: the SDK's worker metrics plus the product metrics the
 * interceptors record); and no signal handlers of the SDK's own, so the
 * worker's main decides the order of shutdown (runUntilSignal).
 *
 * Call it first, before any connection or worker exists: the Runtime is a
 * process-wide singleton the SDK creates with defaults on first use.
 */
export function installRuntime(options: InstallRuntimeOptions): InstalledRuntime {
  const settings = observabilitySettingsFromEnv(options.env ?? process.env);
  const logger = createLogger({ app: options.service, level: settings.logLevel, format: settings.logFormat });
  try {
    const runtime = Runtime.install(runtimeOptions(settings, logger));
    return { runtime, logger: runtime.logger, settings };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // The core binds the metrics port while the Runtime is created (port taken, address refused).
    if (settings.metricsAddress && /prometheus|socket ?addr/i.test(reason)) {
      throw new ObservabilitySettingsError(`SYNAPSE_METRICS_ADDRESS ${settings.metricsAddress} cannot be served: ${reason}`);
    }
    throw err;
  }
}

export function runtimeOptions(settings: ObservabilitySettings, logger: Logger): RuntimeOptions {
  const level = SDK_LOG_LEVELS[settings.logLevel];
  // The core's debug output is a trace of every workflow task (hundreds of lines per change):
  // SYNAPSE_LOG_LEVEL=debug is for the workers' own code, so the core stays at info.
  const coreLevel = level === 'DEBUG' ? 'INFO' : level;
  return {
    logger,
    shutdownSignals: [],
    telemetryOptions: {
      logging: {
        // The core's dependencies (gRPC, HTTP) only matter when they fail.
        filter: { core: coreLevel, other: 'ERROR' },
        forward: {},
      },
      ...(settings.metricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: settings.metricsAddress,
                // The core's default buckets are in milliseconds; validations take seconds.
                histogramBucketOverrides: { [PRODUCT_METRICS.validationDuration.name]: [...PRODUCT_METRICS.validationDuration.buckets] },
              },
            },
          }
        : {}),
    },
  };
}
