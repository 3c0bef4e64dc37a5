// Public API of @synapse/device-worker: the activities (for workflow typing
// and tests) and the pieces the worker is assembled from.
export { createDeviceActivities, commitIdFor, DEFAULT_SETTINGS, type DeviceWorkerActivities, type DeviceActivityDeps, type DeviceActivitySettings, type GnmiClientFactory, type StoredBackup } from './activities';
export { BackupIntegrityError, type BackupStore, type BackupMetadata, type ArchivedBackup, type OwnershipRecord } from './backup-store/backup-store';
export { GitBackupStore, type GitBackupStoreOptions, type BackupHistoryEntry } from './backup-store/git-backup-store';
export { serializeBackup, parseBackup } from './backup-store/backup-document';
export { StaticDeviceDirectory, loadInventoryFile, parseInventory, DEFAULT_DIRECTORY_DEFAULTS, type DeviceDirectory, type DirectoryDefaults, type InventoryEntry } from './device-directory';
export { loadDeviceCredentials, type DeviceCredentials } from './credentials';
export { loadWorkerConfig, ConfigError, DEFAULT_BACKUP_DIR, DEFAULT_DOCUMENT_DIR, type WorkerConfig } from './config';
export { createDeviceWorker, createDeviceWorkers, createDeviceWorkerResources, type DeviceWorkerResources } from './worker';
