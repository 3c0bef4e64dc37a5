/**
 * Workflow interceptors: the module the worker (or bundleWorkflowCode) loads
 * into the workflow sandbox, named by WORKFLOW_INTERCEPTORS_MODULE. Temporal
 * replays this code like the workflows themselves, so it is deterministic: it
 * reads only the workflow's input, result and info, and records metrics
 * through the SDK's workflow metricMeter, which drops every value recorded
 * while replaying, so a worker restart or a cache eviction never counts a
 * change twice.
 */
import {
  isCancellation,
  log,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type GetLogAttributesInput,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { changeLogContext, type ChangeLogContext } from './log-context';
import { labelValue, outcomeOf } from './labels';
import { CHANGE_WORKFLOW_KINDS, DEVICE_CHANGE_WORKFLOW, PRODUCT_METRICS } from './metric-names';

/** Called by the SDK once per workflow execution (and again for each replay of it). */
export function interceptors(): WorkflowInterceptors {
  let context: ChangeLogContext = {};

  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      context = changeLogContext(input.args[0]);
      const counting = changeCounting(input.args[0]);
      neverFailing(() => counting?.started());
      try {
        const result = await next(input);
        neverFailing(() => counting?.finished(outcomeOf(result)));
        return result;
      } catch (err) {
        if (isCancellation(err)) neverFailing(() => counting?.finished('cancelled'));
        // Only a TemporalFailure fails the workflow. Any other error (a bug) fails
        // the workflow task, which the server retries: counting it would count every retry.
        // A continue-as-new is the same change going on in its next run, which counts the finish.
        else if (err instanceof TemporalFailure) neverFailing(() => counting?.finished('failed'));
        throw err;
      }
    },
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    getLogAttributes(attributes: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
      return next({ ...attributes, ...context });
    },
  };

  return { inbound: [inbound], outbound: [outbound] };
}

/** A metric that cannot be recorded must not turn a finished change into a failed workflow task. */
function neverFailing(record: () => void): void {
  try {
    record();
  } catch (error) {
    log.warn('product metric not recorded', { error: error instanceof Error ? error.message : String(error) });
  }
}

interface ChangeCounting {
  started(): void;
  finished(outcome: string): void;
}

function changeCounting(input: unknown): ChangeCounting | undefined {
  const info = workflowInfo();
  const changeKind = CHANGE_WORKFLOW_KINDS[info.workflowType];
  if (changeKind !== undefined) {
    return {
      started() {
        if (info.continuedFromExecutionRunId !== undefined) return;
        metricMeter.createCounter(PRODUCT_METRICS.changesStarted.name, undefined, PRODUCT_METRICS.changesStarted.description).add(1, { kind: changeKind });
      },
      finished(outcome) {
        metricMeter
          .createCounter(PRODUCT_METRICS.changesFinished.name, undefined, PRODUCT_METRICS.changesFinished.description)
          .add(1, { kind: changeKind, outcome });
      },
    };
  }
  if (info.workflowType === DEVICE_CHANGE_WORKFLOW) {
    const declaredKind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
    // DeviceChangeInput's kind defaults to standard when the parent leaves it out.
    const kind = declaredKind === undefined ? 'standard' : labelValue(declaredKind);
    return {
      started() {
        // Device changes are counted once, when they finish: the parent counted the start.
      },
      finished(outcome) {
        metricMeter.createCounter(PRODUCT_METRICS.deviceChanges.name, undefined, PRODUCT_METRICS.deviceChanges.description).add(1, { kind, outcome });
      },
    };
  }
  return undefined;
}
