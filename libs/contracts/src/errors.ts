import { ApplicationFailure } from '@temporalio/common';

/**
 * Every failure the product can name. The `type` string is what Temporal
 * records as the ApplicationFailure type and what retry policies match on.
 * Retryable: transient transport trouble. Everything else needs a human (or a
 * rollback), so retrying it would only delay the inevitable.
 */
export const ERROR_TYPES = {
  DeviceUnreachable: { retryable: true, summary: 'device could not be reached' },
  DeviceTimeout: { retryable: true, summary: 'device did not answer within the deadline' },
  InfrahubUnavailable: { retryable: true, summary: 'Infrahub is unavailable or shedding load' },
  /**
   * Infrahub answered, but not with what was asked: GraphQL errors in the
   * response, a refused request (400), or a body that does not have the
   * expected shape. The same request gets the same answer, so retrying only
   * delays the failure; the query, the schema or the data needs fixing.
   */
  InfrahubQueryFailed: { retryable: false, summary: 'Infrahub refused the request or answered in an unexpected shape' },
  /** The Infrahub branch named in a read or write does not exist. */
  BranchNotFound: { retryable: false, summary: 'the Infrahub branch does not exist' },
  AuthFailed: { retryable: false, summary: 'credentials were refused' },
  ConfigRejected: { retryable: false, summary: 'device refused the configuration' },
  CommitPending: { retryable: false, summary: 'another confirmed commit is pending on the device' },
  ValidationFailed: { retryable: false, summary: 'post-change validation failed' },
  IntentNotFound: { retryable: false, summary: 'no intended state for the device in the source of truth' },
  InvalidInput: { retryable: false, summary: 'input did not match its schema' },
  RollbackFailed: { retryable: false, summary: 'rollback did not restore the backup' },
  DeviceBusy: { retryable: false, summary: 'another change holds the device' },
  Unsupported: { retryable: false, summary: 'the device does not support the requested operation' },
  /**
   * The client's connection settings do not fit the device: plaintext against
   * a TLS port (or the reverse), a certificate the configured CA does not
   * trust, a response above the receive limit, credentials that would go
   * over plaintext without being allowed to. Retrying with the same settings
   * fails the same way; an operator has to fix the target.
   */
  TargetMisconfigured: { retryable: false, summary: 'connection settings do not match the device (TLS mode, trusted CA, message size limit, credentials over plaintext)' },
} as const;

export type ErrorType = keyof typeof ERROR_TYPES;

export const NON_RETRYABLE_ERROR_TYPES: ErrorType[] = (Object.keys(ERROR_TYPES) as ErrorType[]).filter(
  (t) => !ERROR_TYPES[t].retryable,
);

/**
 * The one error class libraries throw. Activities turn it into an
 * ApplicationFailure with `toApplicationFailure` so the type survives the
 * trip through Temporal and the retry policy sees it.
 */
export class SynapseError extends Error {
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(type: ErrorType, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = type;
    this.type = type;
    this.retryable = ERROR_TYPES[type].retryable;
    this.details = details;
  }
}

export function isSynapseError(err: unknown, type?: ErrorType): err is SynapseError {
  return err instanceof SynapseError && (type === undefined || err.type === type);
}

export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof SynapseError) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: !err.retryable,
      details: [err.details],
      cause: err.cause instanceof Error ? err.cause : undefined,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'Unexpected', message, nonRetryable: false });
}
