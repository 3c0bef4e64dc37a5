import type { z } from 'zod';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TemporalFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import { isSynapseError, parseInput, toApplicationFailure } from '@synapse/contracts';

/**
 * Parses a workflow argument (or an activity's answer) with its schema. A
 * plain Error thrown from workflow code would only fail the workflow *task*,
 * which Temporal retries for ever; a bad input must fail the workflow at once,
 * so the SynapseError from parseInput leaves as a non-retryable
 * ApplicationFailure of type InvalidInput whose message names the field.
 */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  try {
    return parseInput(schema, value, what);
  } catch (err) {
    if (isSynapseError(err)) throw toApplicationFailure(err);
    throw err;
  }
}

/** The ApplicationFailure behind an activity or child failure, if there is one. */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = current instanceof TemporalFailure || current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** The error type (contracts' ERROR_TYPES) of a failure, e.g. `ConfigRejected`. */
export function failureType(err: unknown): string | undefined {
  return applicationFailureOf(err)?.type ?? undefined;
}

/**
 * A failure in an operator's words, for the change record and the result:
 * which step, what the device or Infrahub said, and the error type to search
 * for. `deployConfig: leaf01: device refused the configuration … [ConfigRejected]`.
 */
export function operatorReason(err: unknown): string {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof TimeoutFailure) return `${err.activityType}: timed out (${cause.timeoutType ?? 'timeout'}) after its retries`;
    if (cause instanceof CancelledFailure) return `${err.activityType}: cancelled`;
    return `${err.activityType}: ${operatorReason(cause)}`;
  }
  if (err instanceof ChildWorkflowFailure) return `${err.execution.workflowId}: ${operatorReason(err.cause)}`;
  if (err instanceof CancelledFailure) return 'cancelled';
  if (err instanceof ApplicationFailure) return err.type ? `${err.message} [${err.type}]` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
