import * as path from 'node:path';
import { ConfigError, DEFAULT_DEVICE_TRANSPORT, DeviceTransport, envBoolean, envInteger, envText, TASK_QUEUES } from '@synapse/contracts';
import { DEFAULT_SETTINGS, type DeviceActivitySettings } from './activities/deps';
import type { DirectoryDefaults } from './device-directory';

/**
 * The worker's settings, all from the environment (credentials: see
 * credentials.ts). Nothing here is a secret, so the whole object may be logged.
 *
 *   TEMPORAL_ADDRESS                  host:port of the Temporal frontend (localhost:7233)
 *   TEMPORAL_NAMESPACE                namespace (default)
 *   SYNAPSE_DEVICE_TASK_QUEUE         task queue to poll (device-operations, from contracts); another name
 *                                     only for a worker per site or a test, with workflows routed to it
 *   SYNAPSE_DEVICE_URGENT_TASK_QUEUE  the second queue this worker polls, for confirms and rollbacks
 *                                     (device-operations-urgent): they never wait behind validations
 *   SYNAPSE_BACKUP_DIR                git repository of backups (<workspace>/.data/backups)
 *   SYNAPSE_DOCUMENT_DIR              rendered configs passed by reference, shared with the infrahub
 *                                     worker (.data/documents under the working directory)
 *   SYNAPSE_DEVICE_INVENTORY          where devices are: JSON object or device-sim's JSON lines
 *   SYNAPSE_GNMI_TRANSPORT            tls | skip-verify | plaintext, for devices whose entry names none (tls)
 *   SYNAPSE_GNMI_CA_FILE              CA bundle for tls (else the system's trust store)
 *   SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS
 *                                     true: the username and password may go to plaintext devices whose
 *                                     entry does not say allowCredentials itself (false: they are refused)
 *   SYNAPSE_GNMI_TIMEOUT_MS           deadline of one gNMI call (10000)
 *   SYNAPSE_HEARTBEAT_INTERVAL_MS     activity heartbeat period (2000)
 *   SYNAPSE_RESUBSCRIBE_INTERVAL_MS   validation: wait before re-opening a cut subscription (1000)
 */
export interface WorkerConfig {
  temporal: { address: string; namespace: string; taskQueue: string; urgentTaskQueue: string };
  backupDir: string;
  documentDir: string;
  inventoryFile?: string;
  directoryDefaults: DirectoryDefaults;
  settings: DeviceActivitySettings;
}

/** The checkout this file runs from (src/ under ts-jest, dist/ under node). */
const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_BACKUP_DIR = path.join(WORKSPACE_ROOT, '.data', 'backups');
export const DEFAULT_DOCUMENT_DIR = path.join('.data', 'documents');

export { ConfigError } from '@synapse/contracts';

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const transport = parseTransport(env);
  return {
    temporal: {
      address: envText(env.TEMPORAL_ADDRESS) ?? 'localhost:7233',
      namespace: envText(env.TEMPORAL_NAMESPACE) ?? 'default',
      taskQueue: envText(env.SYNAPSE_DEVICE_TASK_QUEUE) ?? TASK_QUEUES.device,
      urgentTaskQueue: envText(env.SYNAPSE_DEVICE_URGENT_TASK_QUEUE) ?? TASK_QUEUES.deviceUrgent,
    },
    backupDir: path.resolve(envText(env.SYNAPSE_BACKUP_DIR) ?? DEFAULT_BACKUP_DIR),
    // Relative to the working directory, as the infrahub worker resolves it: both must name the same place.
    documentDir: path.resolve(envText(env.SYNAPSE_DOCUMENT_DIR) ?? DEFAULT_DOCUMENT_DIR),
    ...(envText(env.SYNAPSE_DEVICE_INVENTORY) ? { inventoryFile: path.resolve(env.SYNAPSE_DEVICE_INVENTORY!) } : {}),
    directoryDefaults: {
      transport,
      allowPlaintextCredentials: envBoolean(env, 'SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS', false),
      timeoutMs: envInteger(env, 'SYNAPSE_GNMI_TIMEOUT_MS', 10_000, 1, 600_000),
    },
    settings: {
      heartbeatIntervalMs: envInteger(env, 'SYNAPSE_HEARTBEAT_INTERVAL_MS', DEFAULT_SETTINGS.heartbeatIntervalMs, 100, 60_000),
      resubscribeIntervalMs: envInteger(env, 'SYNAPSE_RESUBSCRIBE_INTERVAL_MS', DEFAULT_SETTINGS.resubscribeIntervalMs, 10, 60_000),
    },
  };
}

/**
 * The refusal of credentials over plaintext names this, the way an operator
 * of this worker allows them (gnmi-client's credentialsForTarget).
 */
export const PLAINTEXT_CREDENTIALS_SETTING = 'SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS=true, or "allowCredentials": true in the transport of the device\'s inventory entry';

function parseTransport(env: NodeJS.ProcessEnv): DeviceTransport {
  const mode = envText(env.SYNAPSE_GNMI_TRANSPORT) ?? DEFAULT_DEVICE_TRANSPORT.mode;
  const caFile = envText(env.SYNAPSE_GNMI_CA_FILE);
  if (caFile && mode !== 'tls') throw new ConfigError(`SYNAPSE_GNMI_CA_FILE is only used with SYNAPSE_GNMI_TRANSPORT=tls (it is ${mode})`);
  const parsed = DeviceTransport.safeParse(mode === 'tls' ? { mode, ...(caFile ? { caFile: path.resolve(caFile) } : {}) } : { mode });
  if (!parsed.success) throw new ConfigError(`SYNAPSE_GNMI_TRANSPORT must be plaintext, skip-verify or tls (got ${JSON.stringify(mode)})`);
  return parsed.data;
}
