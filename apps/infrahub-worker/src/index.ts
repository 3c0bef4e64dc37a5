export { createInfrahubActivities, type InfrahubActivityDeps } from './activities';
export { createInfrahubWorker, type InfrahubWorkerOptions } from './worker';
