import * as path from 'node:path';
import { envInteger, envText, TASK_QUEUES } from '@synapse/contracts';
import { DEFAULT_SETTINGS, type InfrahubActivitySettings } from './activities/deps';

/**
 * The worker's own settings, from the environment (Infrahub's are the
 * client's INFRAHUB_* variables; Temporal's are TEMPORAL_*). Nothing here is
 * a secret.
 *
 *   SYNAPSE_INFRAHUB_TASK_QUEUE     task queue to poll (infrahub-operations, from contracts); another
 *                                   name only for a test or a separate tenant, with workflows routed to it
 *   SYNAPSE_HEARTBEAT_INTERVAL_MS   activity heartbeat period (2000); the infrahub profile's heartbeat
 *                                   timeout is 10 s, so keep it well below that
 *   SYNAPSE_DOCUMENT_DIR            document store of rendered configs (.data/documents, from the working
 *                                   directory); the device workers must reach the same directory
 */
export interface InfrahubWorkerConfig {
  taskQueue: string;
  settings: InfrahubActivitySettings;
  /** Absolute. */
  documentDir: string;
}

export const DEFAULT_DOCUMENT_DIR = path.join('.data', 'documents');

export { ConfigError } from '@synapse/contracts';

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): InfrahubWorkerConfig {
  return {
    taskQueue: envText(env.SYNAPSE_INFRAHUB_TASK_QUEUE) ?? TASK_QUEUES.infrahub,
    settings: {
      heartbeatIntervalMs: envInteger(env, 'SYNAPSE_HEARTBEAT_INTERVAL_MS', DEFAULT_SETTINGS.heartbeatIntervalMs, 100, 60_000),
    },
    documentDir: path.resolve(envText(env.SYNAPSE_DOCUMENT_DIR) ?? DEFAULT_DOCUMENT_DIR),
  };
}
