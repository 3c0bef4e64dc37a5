import type { Context } from '@temporalio/activity';
import { CancelledFailure, type MetricMeter } from '@temporalio/common';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { changeLogContext, type ChangeLogContext } from './log-context';
import { labelValue } from './labels';
import { COMBINED_VALIDATION_ACTIVITY, DRIFT_CHECK_ACTIVITY, PRODUCT_METRICS, VALIDATION_ACTIVITY_CHECKS } from './metric-names';

/**
 * Activity interceptors for Worker.create's `interceptors.activity`: every
 * log line of an activity (its own `log` calls and the SDK's) carries the
 * change id and device of its input next to the workflow id the SDK adds, and
 * the product metrics of device activities are recorded from their results
 * and errors, so the activities themselves stay about devices.
 */
export function activityObservabilityInterceptors(): ActivityInterceptorsFactory {
  return (ctx: Context): ActivityInterceptors => {
    let context: ChangeLogContext = {};
    return {
      inbound: {
        async execute(input, next) {
          context = changeLogContext(input.args[0]);
          const activityType = ctx.info.activityType;
          const startedAt = process.hrtime.bigint();
          try {
            const result = await next(input);
            neverFailing(ctx, () => recordResult(ctx.metricMeter, activityType, result, startedAt));
            return result;
          } catch (err) {
            neverFailing(ctx, () => recordFailure(ctx.metricMeter, activityType, err, startedAt));
            throw err;
          }
        },
      },
      outbound: {
        getLogAttributes(attributes, next) {
          return next({ ...attributes, ...context });
        },
      },
    };
  };
}

/** A metric that cannot be recorded must not fail (and so retry) an activity that did its work. */
function neverFailing(ctx: Context, record: () => void): void {
  try {
    record();
  } catch (error) {
    ctx.log.warn('product metric not recorded', { error });
  }
}

function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

function recordResult(meter: MetricMeter, activityType: string, result: unknown, startedAt: bigint): void {
  const check = VALIDATION_ACTIVITY_CHECKS[activityType];
  if (check !== undefined) {
    const passed = typeof result === 'object' && result !== null && (result as { passed?: unknown }).passed === true;
    recordValidation(meter, check, passed ? 'passed' : 'failed', startedAt);
  }
  if (activityType === COMBINED_VALIDATION_ACTIVITY.activityType) recordCombinedValidation(meter, result, startedAt);
  if (activityType === DRIFT_CHECK_ACTIVITY) recordDriftCheck(meter, result);
}

/** Each check of validateAndConfirm, with the time it took to settle (its own durationMs), not the confirm's. */
function recordCombinedValidation(meter: MetricMeter, result: unknown, startedAt: bigint): void {
  for (const [field, check] of Object.entries(COMBINED_VALIDATION_ACTIVITY.checks)) {
    const part = typeof result === 'object' && result !== null ? (result as Record<string, unknown>)[field] : undefined;
    const { passed, durationMs } = (typeof part === 'object' && part !== null ? part : {}) as { passed?: unknown; durationMs?: unknown };
    const seconds = typeof durationMs === 'number' ? durationMs / 1000 : secondsSince(startedAt);
    meter
      .createHistogram(PRODUCT_METRICS.validationDuration.name, 'float', 's', PRODUCT_METRICS.validationDuration.description)
      .record(seconds, { check, outcome: passed === true ? 'passed' : 'failed' });
  }
}

function recordFailure(meter: MetricMeter, activityType: string, err: unknown, startedAt: bigint): void {
  const check = VALIDATION_ACTIVITY_CHECKS[activityType];
  const cancelled = err instanceof CancelledFailure || (err instanceof Error && err.name === 'AbortError');
  if (check !== undefined) recordValidation(meter, check, cancelled ? 'cancelled' : 'error', startedAt);
  if (activityType === COMBINED_VALIDATION_ACTIVITY.activityType) {
    for (const combined of Object.values(COMBINED_VALIDATION_ACTIVITY.checks)) recordValidation(meter, combined, cancelled ? 'cancelled' : 'error', startedAt);
  }
  if (cancelled) return;
  const gnmi = gnmiFailure(err);
  if (gnmi) {
    meter.createCounter(PRODUCT_METRICS.gnmiErrors.name, undefined, PRODUCT_METRICS.gnmiErrors.description).add(1, gnmi);
  }
}

function recordValidation(meter: MetricMeter, check: string, outcome: string, startedAt: bigint): void {
  meter
    .createHistogram(PRODUCT_METRICS.validationDuration.name, 'float', 's', PRODUCT_METRICS.validationDuration.description)
    .record(secondsSince(startedAt), { check, outcome });
}

function recordDriftCheck(meter: MetricMeter, result: unknown): void {
  const devices = typeof result === 'object' && result !== null ? (result as { devices?: unknown }).devices : undefined;
  if (!Array.isArray(devices)) return;
  const byStatus = new Map<string, number>();
  for (const device of devices) {
    const status = labelValue(typeof device === 'object' && device !== null ? (device as { status?: unknown }).status : undefined);
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  const checked = meter.createCounter(PRODUCT_METRICS.driftDevicesChecked.name, undefined, PRODUCT_METRICS.driftDevicesChecked.description);
  for (const [status, count] of byStatus) checked.add(count, { status });
  meter
    .createCounter(PRODUCT_METRICS.driftDevicesFound.name, undefined, PRODUCT_METRICS.driftDevicesFound.description)
    .add(byStatus.get('drifted') ?? 0);
}

/**
 * The labels of a failed gNMI call, or undefined when the error did not come
 * from one. gnmi-client's errors carry the call in their details (`rpc`, and
 * `grpcCode`/`grpcStatus` when the device answered with a status); the device
 * worker's activity boundary turns them into ApplicationFailures whose first
 * detail is that same object, so both shapes are read.
 */
export function gnmiFailure(err: unknown): { code: string; error_type: string; operation: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, details } = err as { type?: unknown; details?: unknown };
  const detail = Array.isArray(details) ? details[0] : details;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { rpc, grpcStatus, grpcCode } = detail as { rpc?: unknown; grpcStatus?: unknown; grpcCode?: unknown };
  if (typeof rpc !== 'string') return undefined;
  const errorType = labelValue(type);
  // A failure the client raised itself (TLS mismatch, unsupported encoding) has no gRPC status.
  const code = typeof grpcStatus === 'string' ? labelValue(grpcStatus) : typeof grpcCode === 'number' ? labelValue(grpcCode) : 'none';
  return { code, error_type: errorType, operation: labelValue(rpc) };
}
