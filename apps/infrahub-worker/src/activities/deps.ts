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
}

export function activitySettings(deps: InfrahubActivityDeps): InfrahubActivitySettings {
  return { ...DEFAULT_SETTINGS, ...deps.settings };
}
