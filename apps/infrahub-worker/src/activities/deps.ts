import { SynapseError } from '@synapse/contracts';
import type { DocumentStore } from '@synapse/device-config';
import type { InfrahubClient } from '@synapse/infrahub-client';

export interface InfrahubActivitySettings {
  /**
   * How often every activity heartbeats while it waits on Infrahub. The
   * infrahub profile in contracts gives 10 s of heartbeat timeout; a couple
   * of seconds here leaves room for a slow event loop and a lost beat.
   */
  heartbeatIntervalMs: number;
}

export const DEFAULT_SETTINGS: InfrahubActivitySettings = {
  heartbeatIntervalMs: 2000,
};

/** What the Infrahub activities need; production passes a real client, tests a client aimed at the simulator. */
export interface InfrahubActivityDeps {
  infrahub: Pick<InfrahubClient, 'getDeviceIntent' | 'recordDeployment' | 'listDevices'>;
  settings?: Partial<InfrahubActivitySettings>;
  /** Where rendered configs go when they travel by reference (SYNAPSE_DOCUMENT_DIR); only renderDeviceIntent and renderIntents byReference need it. */
  documents?: DocumentStore;
}

export function activitySettings(deps: InfrahubActivityDeps): InfrahubActivitySettings {
  return { ...DEFAULT_SETTINGS, ...deps.settings };
}

/**
 * The document store, or a non-retryable failure naming the variable: a
 * worker without one cannot answer by reference, and a retry would not give
 * it one.
 */
export function requireDocuments(deps: InfrahubActivityDeps, activity: string): DocumentStore {
  if (deps.documents) return deps.documents;
  throw new SynapseError(
    'InvalidInput',
    `${activity} stores rendered configs in the document store, and this worker has none: set SYNAPSE_DOCUMENT_DIR (a directory the device workers share)`,
    { missing: 'SYNAPSE_DOCUMENT_DIR' },
  );
}
