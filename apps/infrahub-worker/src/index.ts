export { createInfrahubActivities, DEFAULT_SETTINGS, type InfrahubActivityDeps, type InfrahubActivitySettings } from './activities';
export { ConfigError, DEFAULT_DOCUMENT_DIR, loadWorkerConfig, type InfrahubWorkerConfig } from './config';
export { createInfrahubWorker, type InfrahubWorkerOptions } from './worker';
export { createDocumentStore, documentSealer } from './documents';
