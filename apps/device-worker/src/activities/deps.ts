import type { DeviceTarget } from '@synapse/contracts';
import type { DocumentStore } from '@synapse/device-config';
import type { GnmiClient, GnmiClientPool } from '@synapse/gnmi-client';
import type { BackupStore } from '../backup-store/backup-store';
import type { DeviceDirectory } from '../device-directory';

/** Makes a client for one call; the activity closes it when done. */
export type GnmiClientFactory = (target: DeviceTarget) => GnmiClient;

export interface DeviceActivitySettings {
  /**
   * How often long-running activities heartbeat. Profiles in contracts give
   * device writes 30 s and validation 20 s of heartbeat timeout; a few
   * seconds here means a lost worker is noticed well within that.
   */
  heartbeatIntervalMs: number;
  /** Validation: wait before re-opening a state subscription that the device or the network cut. */
  resubscribeIntervalMs: number;
}

export const DEFAULT_SETTINGS: DeviceActivitySettings = {
  heartbeatIntervalMs: 2000,
  resubscribeIntervalMs: 1000,
};

export interface DeviceActivityDeps {
  /**
   * A pool (production: one channel per device for the worker's life, with
   * its credentials lookup) or a factory (a client per call, closed after it).
   */
  gnmi: GnmiClientPool | GnmiClientFactory;
  directory: DeviceDirectory;
  backups: BackupStore;
  /** Rendered configs passed by reference (SYNAPSE_DOCUMENT_DIR); only inputs with a configRef need it. */
  documents?: DocumentStore;
  clock?: () => Date;
  settings?: Partial<DeviceActivitySettings>;
}

/** What every activity works with once the deps are resolved. */
export interface ActivityRuntime {
  directory: DeviceDirectory;
  backups: BackupStore;
  documents?: DocumentStore;
  clock: () => Date;
  settings: DeviceActivitySettings;
  /** Runs `work` with the device's client; the target comes from the directory. */
  withDevice<T>(device: string, work: (client: GnmiClient, target: DeviceTarget) => Promise<T>): Promise<T>;
}

export function createRuntime(deps: DeviceActivityDeps): ActivityRuntime {
  const settings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const gnmi = deps.gnmi;
  return {
    directory: deps.directory,
    backups: deps.backups,
    ...(deps.documents ? { documents: deps.documents } : {}),
    clock: deps.clock ?? (() => new Date()),
    settings,
    async withDevice(device, work) {
      const target = deps.directory.resolve(device);
      // A pool keeps its channels; a factory's client is this call's alone.
      if (typeof gnmi !== 'function') return work(gnmi.get(target), target);
      const client = gnmi(target);
      try {
        return await work(client, target);
      } finally {
        client.close();
      }
    },
  };
}
