import type { InfrahubClient } from '@synapse/infrahub-client';

/** What the Infrahub activities need; production passes a real client, tests a client aimed at the simulator. */
export interface InfrahubActivityDeps {
  infrahub: Pick<InfrahubClient, 'getDeviceIntent' | 'recordDeployment' | 'listDevices'>;
}
