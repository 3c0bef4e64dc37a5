import { isSynapseError, toApplicationFailure } from '@synapse/contracts';

/**
 * The edge between an activity and Temporal. A SynapseError leaves as an
 * ApplicationFailure carrying its type and retryability, so the retry
 * policy of the profile (nonRetryableErrorTypes) sees what went wrong.
 * Everything else (a CancelledFailure when the activity was cancelled, an
 * ApplicationFailure already made, a bug) leaves untouched: Temporal
 * reports cancellation as cancellation, and a bug keeps its stack.
 */
export function activityBoundary<A extends unknown[], R>(run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await run(...args);
    } catch (err) {
      if (isSynapseError(err)) throw toApplicationFailure(err);
      throw err;
    }
  };
}
