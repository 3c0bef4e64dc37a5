import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Worker state changes and the failures the scenarios provoke on purpose would bury the test output. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already by an earlier file in this process.
  }
}
