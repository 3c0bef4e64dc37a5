export { createInfrahubActivities, DEFAULT_SETTINGS, type InfrahubActivityDeps, type InfrahubActivitySettings } from './activities';
export { ConfigError, loadWorkerConfig, type InfrahubWorkerConfig } from './config';
export { createInfrahubWorker, type InfrahubWorkerOptions } from './worker';
