import { TASK_QUEUES } from '@synapse/contracts';
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
 */
export interface InfrahubWorkerConfig {
  taskQueue: string;
  settings: InfrahubActivitySettings;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): InfrahubWorkerConfig {
  return {
    taskQueue: text(env.SYNAPSE_INFRAHUB_TASK_QUEUE) ?? TASK_QUEUES.infrahub,
    settings: {
      heartbeatIntervalMs: integer(env, 'SYNAPSE_HEARTBEAT_INTERVAL_MS', DEFAULT_SETTINGS.heartbeatIntervalMs, 100, 60_000),
    },
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return value;
}

function text(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
