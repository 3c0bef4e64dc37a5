import * as net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { isSynapseError, TASK_QUEUES, type ActivityRoutingInput } from '@synapse/contracts';
import {
  clientConnectionOptions,
  connectionFailure,
  connectionHint,
  PayloadDecryptionError,
  temporalEnvironmentFromEnv,
  transportSummary,
  type TemporalEnvironment,
} from '@synapse/temporal-connection';
import { badInput, errorMessage, unavailable } from './cli-error';

/** What every command that talks to Temporal accepts on its command line. */
export interface TemporalFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  deviceTaskQueue?: string;
  deviceUrgentTaskQueue?: string;
  infrahubTaskQueue?: string;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  /**
   * How to reach it and what to encrypt with, from the same variables the
   * workers read (@synapse/temporal-connection): TLS, mTLS, API key, payload keys.
   */
  environment: TemporalEnvironment;
  /** Where NetworkChangeWorkflow tasks go; TASK_QUEUES.workflows unless a test or a tenant says otherwise. */
  taskQueue: string;
  routing?: ActivityRoutingInput;
}

export interface TemporalSession extends TemporalTarget {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/**
 * An operator waiting on a dead server wants to know at once, not after
 * the SDK's 10 s default. A refused port is answered by the TCP probe in
 * milliseconds; this bounds everything slower (a server that accepts TCP
 * but never speaks gRPC, a black-holed address).
 */
const CONNECT_TIMEOUT_MS = 4_000;

/**
 * Flags win over the environment; both go through the schema the workers use
 * (@synapse/temporal-connection), so a variable means the same thing to every
 * process, TLS, API key and payload keys included.
 */
export function resolveTemporalTarget(flags: TemporalFlags, env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  let environment: TemporalEnvironment;
  try {
    environment = temporalEnvironmentFromEnv({
      ...env,
      TEMPORAL_ADDRESS: flags.address ?? env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: flags.namespace ?? env.TEMPORAL_NAMESPACE,
    });
  } catch (err) {
    if (!isSynapseError(err, 'InvalidInput')) throw err;
    throw badInput(`bad settings (--address/--namespace or the environment): ${err.message}`);
  }
  const { address, namespace } = environment.settings;
  const taskQueue = queueName('--task-queue', flags.taskQueue ?? env.SYNAPSE_WORKFLOW_TASK_QUEUE) ?? TASK_QUEUES.workflows;
  // The same variables the device and infrahub workers poll by: one setting routes a whole site or test.
  const device = queueName('--device-task-queue', flags.deviceTaskQueue ?? env.SYNAPSE_DEVICE_TASK_QUEUE);
  // Confirms and rollbacks: the device worker polls this second queue with the same activities.
  const deviceUrgent = queueName('--device-urgent-task-queue', flags.deviceUrgentTaskQueue ?? env.SYNAPSE_DEVICE_URGENT_TASK_QUEUE);
  const infrahub = queueName('--infrahub-task-queue', flags.infrahubTaskQueue ?? env.SYNAPSE_INFRAHUB_TASK_QUEUE);
  const taskQueues = { ...(device ? { device } : {}), ...(deviceUrgent ? { deviceUrgent } : {}), ...(infrahub ? { infrahub } : {}) };
  const routing = Object.keys(taskQueues).length > 0 ? { taskQueues } : undefined;
  return { address, namespace, environment, taskQueue, ...(routing ? { routing } : {}) };
}

function queueName(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw badInput(`${flag}: a task queue name must not be empty`);
  return value.trim();
}

export async function connectTemporal(target: TemporalTarget): Promise<TemporalSession> {
  const hint = 'is `npm start` running, or set TEMPORAL_ADDRESS (or --address)';
  const { settings, dataConverter } = target.environment;
  const probe = await probeTcp(target.address, CONNECT_TIMEOUT_MS);
  if (probe) throw unavailable(`cannot reach Temporal at ${target.address}: ${probe} — ${hint}`);
  const secured = settings.tls !== undefined || settings.apiKey !== undefined;
  let connection: Connection;
  try {
    connection = await Connection.connect(clientConnectionOptions(settings, CONNECT_TIMEOUT_MS));
  } catch (err) {
    // Our own TLS handshake names the check that failed; grpc-js only says it timed out. Kept short: the operator is waiting.
    const failure = await connectionFailure(settings, err, { probeTimeoutMs: 1_500 });
    const how = secured ? ` (${transportSummary(settings)})` : '';
    const advice = failure.hint ?? `(is it a Temporal frontend?) — ${hint}`;
    throw unavailable(`cannot reach Temporal at ${target.address}${how}: ${failure.reason}${failure.hint ? ' — ' : ' '}${advice}`, err);
  }
  try {
    // Without this, a misspelt namespace surfaces later as "workflow not found" on every change id.
    await connection.withDeadline(Date.now() + CONNECT_TIMEOUT_MS, () => connection.workflowService.describeNamespace({ namespace: target.namespace }));
  } catch (err) {
    await connection.close();
    if (/not found/i.test(errorMessage(err))) {
      throw badInput(`namespace "${target.namespace}" does not exist on Temporal at ${target.address} (--namespace or TEMPORAL_NAMESPACE)`);
    }
    const credentialsHint = connectionHint(settings, errorMessage(err));
    throw unavailable(`Temporal at ${target.address} did not describe namespace "${target.namespace}": ${errorMessage(err)}${credentialsHint ? ` — ${credentialsHint}` : ''}`, err);
  }
  // With payload keys configured, what the CLI starts is encrypted and what it reads decrypted, as the workers do.
  const client = new Client({ connection, namespace: target.namespace, ...(dataConverter ? { dataConverter } : {}) });
  return { ...target, connection, client, close: () => connection.close() };
}

/** Runs `fn` with a session and always closes it: an open gRPC channel keeps node alive after the command is done. */
export async function withTemporal<T>(flags: TemporalFlags, fn: (session: TemporalSession) => Promise<T>): Promise<T> {
  const session = await connectTemporal(resolveTemporalTarget(flags));
  try {
    return await fn(session);
  } catch (err) {
    // A payload the configured keys cannot open is a settings problem, said in the codec's words (which key id, which ids are configured).
    // Commands wrap what they did not expect ("lost track of …"); the key is what the operator has to fix.
    const decryption = err instanceof PayloadDecryptionError ? err : err instanceof Error && err.cause instanceof PayloadDecryptionError ? err.cause : undefined;
    if (decryption) throw badInput(`cannot decrypt what Temporal returned (SYNAPSE_ENCRYPTION_KEYS_FILE / SYNAPSE_ENCRYPTION_KEYS): ${decryption.message}`);
    throw err;
  } finally {
    await session.close();
  }
}

/**
 * Where a change is in the Web UI. The dev server (what `npm start` runs)
 * serves its UI on the frontend port + 1000; anywhere else the address has
 * to be given (TEMPORAL_UI_ADDRESS), as the UI may live on another host.
 */
export function temporalUiLink(target: TemporalTarget, workflowId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = `/namespaces/${encodeURIComponent(target.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  const configured = env.TEMPORAL_UI_ADDRESS?.trim();
  if (configured) return `${configured.replace(/\/+$/, '')}${path}`;
  const [host, port] = splitAddress(target.address);
  if (!['localhost', '127.0.0.1', '::1', '[::1]'].includes(host)) return undefined;
  return `http://${host}:${port + 1000}${path}`;
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

/** Undefined when something accepts TCP at the address; otherwise why not, in words. */
function probeTcp(address: string, timeoutMs: number): Promise<string | undefined> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(describeSocketError(err)));
  });
}

function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.message;
  }
}
