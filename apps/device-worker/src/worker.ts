import { DocumentStore } from '@synapse/device-config';
import { GnmiClientPool } from '@synapse/gnmi-client';
import { decryptAtRest, encryptAtRest, type EncryptionKeyring } from '@synapse/temporal-connection';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activityObservabilityInterceptors, activityWorkerTuning, DEVICE_WORKER_TUNING, shutdownOptionsFromEnv } from '@synapse/observability';
import { createDeviceActivities, type DeviceWorkerActivities } from './activities';
import { GitBackupStore } from './backup-store/git-backup-store';
import { PLAINTEXT_CREDENTIALS_SETTING, type WorkerConfig } from './config';
import type { DeviceCredentials } from './credentials';
import { loadInventoryFile, StaticDeviceDirectory, type DeviceDirectory } from './device-directory';

/** Everything the activities need, built from the configuration; close() releases the device channels. */
export interface DeviceWorkerResources {
  activities: DeviceWorkerActivities;
  directory: DeviceDirectory;
  backups: GitBackupStore;
  documents: DocumentStore;
  pool: GnmiClientPool;
  close(): void;
}

/**
 * `keyring`: the payload keys (SYNAPSE_ENCRYPTION_*), which also encrypt
 * backups and read the rendered configs the infrahub worker sealed with
 * them; kept out of WorkerConfig, which may be logged.
 */
export async function createDeviceWorkerResources(config: WorkerConfig, credentials: DeviceCredentials, keyring?: EncryptionKeyring): Promise<DeviceWorkerResources> {
  const directory = config.inventoryFile
    ? loadInventoryFile(config.inventoryFile, config.directoryDefaults)
    : new StaticDeviceDirectory({}, config.directoryDefaults, 'the device inventory (SYNAPSE_DEVICE_INVENTORY is not set)');
  const backups = new GitBackupStore({ dir: config.backupDir, ...(keyring ? { keyring } : {}) });
  // Fail at startup, not at the first backup, when the directory cannot hold a repository.
  await backups.ready();
  // Read-only here (the infrahub worker writes it); a missing directory is just a missing document, named when one is asked for.
  const documents = new DocumentStore({
    dir: config.documentDir,
    ...(keyring ? { sealer: { seal: (plain: Buffer) => encryptAtRest(keyring, plain), open: (content: Buffer, what: string) => decryptAtRest(keyring, content, what) } } : {}),
  });
  const pool = new GnmiClientPool(credentials.lookup, { plaintextCredentialsSetting: PLAINTEXT_CREDENTIALS_SETTING });
  const activities = createDeviceActivities({ gnmi: pool, directory, backups, documents, settings: config.settings });
  return { activities, directory, backups, documents, pool, close: () => pool.close() };
}

/**
 * The device workers of one process: one polling the device task queue, one
 * the urgent queue (confirms and rollbacks), with the same activities (no
 * workflows: they run on network-changes). Two queues, because a confirm
 * queued behind long validations or drift scans could outlast its
 * commit-confirmed window and revert a good change.
 */
export async function createDeviceWorkers(connection: NativeConnection, config: WorkerConfig, activities: DeviceWorkerActivities, dataConverter?: DataConverter): Promise<Worker[]> {
  return Promise.all([
    createDeviceWorker(connection, config, activities, dataConverter),
    createDeviceWorker(connection, { ...config, temporal: { ...config.temporal, taskQueue: config.temporal.urgentTaskQueue } }, activities, dataConverter),
  ]);
}

/** A Worker polling the configured device task queue with the given activities. */
export function createDeviceWorker(connection: NativeConnection, config: WorkerConfig, activities: DeviceWorkerActivities, dataConverter?: DataConverter): Promise<Worker> {
  return Worker.create({
    connection,
    // The payload codec when encryption keys are configured: configs and diffs leave this process encrypted.
    ...(dataConverter ? { dataConverter } : {}),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    // Product metrics (validation time, gNMI errors by code, drift found) and log context (change, device).
    interceptors: { activity: [activityObservabilityInterceptors()] },
    // In-flight device calls get SYNAPSE_SHUTDOWN_GRACE_SECONDS (30) to finish on shutdown before they are cancelled.
    ...shutdownOptionsFromEnv(),
    // Slots and pollers (SYNAPSE_MAX_CONCURRENT_ACTIVITIES, SYNAPSE_ACTIVITY_POLLERS): see worker-tuning.ts.
    ...activityWorkerTuning(DEVICE_WORKER_TUNING),
    // Heartbeats carry cancellation back to a validating activity; the SDK's default throttle
    // (80% of the heartbeat timeout) would let an operator's cancel wait ~16 s before the rollback.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}
