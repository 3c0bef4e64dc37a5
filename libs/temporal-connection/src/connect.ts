import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { SynapseError } from '@synapse/contracts';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import {
  connectionSummary,
  describeTemporalConnection,
  temporalConnectionSettingsFromEnv,
  type TemporalConnectionDescription,
  type TemporalConnectionSettings,
  type TemporalTlsSettings,
} from './connection-settings';
import { encryptingDataConverter } from './data-converter';
import { describeEncryption, encryptionKeyringFromEnv, type EncryptionDescription, type EncryptionKeyring } from './encryption-keys';
import type { Env } from './env';
import { probeTls } from './tls-probe';

/** Everything a process prints about how it reaches Temporal: nothing secret. */
export interface TemporalDescription extends TemporalConnectionDescription {
  encryption: EncryptionDescription | false;
}

/** Settings and data converter from one environment, parsed once, for a worker or a client. */
export interface TemporalEnvironment {
  settings: TemporalConnectionSettings;
  namespace: string;
  /** Undefined when no encryption key is configured. */
  dataConverter?: DataConverter;
  describe(): TemporalDescription;
}

/** Parses both halves (connection, encryption) and, when both are wrong, reports both at once. */
export function temporalEnvironmentFromEnv(env: Env = process.env): TemporalEnvironment {
  const failures: Error[] = [];
  let settings: TemporalConnectionSettings | undefined;
  let keyring: EncryptionKeyring | undefined;
  try {
    settings = temporalConnectionSettingsFromEnv(env);
  } catch (err) {
    failures.push(err as Error);
  }
  try {
    keyring = encryptionKeyringFromEnv(env);
  } catch (err) {
    failures.push(err as Error);
  }
  // One failure is rethrown as is (an InvalidInput SynapseError callers branch on); two become one of the same type.
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new SynapseError('InvalidInput', failures.map((f) => f.message).join('\n'));
  const dataConverter = keyring ? encryptingDataConverter(keyring) : undefined;
  return {
    settings: settings!,
    namespace: settings!.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    describe: () => ({ ...describeTemporalConnection(settings!), encryption: describeEncryption(keyring) }),
  };
}

/** The `tls` and `apiKey` options both SDK connections take (Core sends the key as `authorization: Bearer <key>`, as grpc-js does). */
function transportOptions(settings: TemporalConnectionSettings): { tls?: TemporalTlsSettings['sdk']; apiKey?: string } {
  return {
    ...(settings.tls ? { tls: settings.tls.sdk } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  };
}

export function nativeConnectionOptions(settings: TemporalConnectionSettings): NativeConnectionOptions {
  return { address: settings.address, ...transportOptions(settings) };
}

export function clientConnectionOptions(settings: TemporalConnectionSettings, connectTimeoutMs?: number): ConnectionOptions {
  return { address: settings.address, ...transportOptions(settings), ...(connectTimeoutMs ? { connectTimeout: connectTimeoutMs } : {}) };
}

/** What a worker's main needs before NativeConnection.connect, for a caller that connects itself. */
export interface WorkerConnectionOptions extends TemporalEnvironment {
  connectionOptions: NativeConnectionOptions;
}

export function workerConnectionOptionsFromEnv(env: Env = process.env): WorkerConnectionOptions {
  const environment = temporalEnvironmentFromEnv(env);
  return { ...environment, connectionOptions: nativeConnectionOptions(environment.settings) };
}

export interface WorkerTemporal extends TemporalEnvironment {
  connection: NativeConnection;
  /** Spread into Worker.create: `Worker.create({ ...temporal.workerOptions, taskQueue, … })`. */
  workerOptions: { connection: NativeConnection; namespace: string; dataConverter?: DataConverter };
  close(): Promise<void>;
}

/**
 * A worker's connection from the environment: settings checked, connected
 * (the SDK checks the server answers), and the options Worker.create needs.
 * A failure says where it tried to connect, how, and what to check.
 */
export async function connectWorker(env: Env = process.env): Promise<WorkerTemporal> {
  const options = workerConnectionOptionsFromEnv(env);
  // Loaded here, not at the top: the CLI uses this library too and has no use for the native worker runtime.
  const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(options.connectionOptions);
  } catch (err) {
    throw await connectionFailure(options.settings, err);
  }
  return {
    ...options,
    connection,
    workerOptions: { connection, namespace: options.namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) },
    close: () => connection.close(),
  };
}

export interface ClientTemporal extends TemporalEnvironment {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export interface ConnectClientOptions {
  /** How long to wait for the server to answer (the SDK's default is 10 s). */
  connectTimeoutMs?: number;
}

/** A client (workflow, schedule, … APIs) from the environment, with the same settings and codec as the workers. */
export async function connectClient(env: Env = process.env, options: ConnectClientOptions = {}): Promise<ClientTemporal> {
  const environment = temporalEnvironmentFromEnv(env);
  let connection: Connection;
  try {
    connection = await Connection.connect(clientConnectionOptions(environment.settings, options.connectTimeoutMs));
  } catch (err) {
    throw await connectionFailure(environment.settings, err);
  }
  const client = new Client({
    connection,
    namespace: environment.namespace,
    ...(environment.dataConverter ? { dataConverter: environment.dataConverter } : {}),
  });
  return { ...environment, connection, client, close: () => connection.close() };
}

/** A connection that failed: where, how, the SDK's own words, what a TLS handshake of our own saw, and what to check. */
export class TemporalConnectionError extends Error {
  constructor(
    readonly settings: TemporalConnectionSettings,
    readonly reason: string,
    readonly hint: string | undefined,
    cause: unknown,
  ) {
    super(`cannot connect to Temporal at ${connectionSummary(settings)}: ${reason}${hint ? ` — ${hint}` : ''}`, { cause });
    this.name = 'TemporalConnectionError';
  }
}

/** Builds the error for a failed connect; the TLS probe runs only when the failure is not an answer from the server. */
export async function connectionFailure(settings: TemporalConnectionSettings, err: unknown, options: { probeTimeoutMs?: number } = {}): Promise<TemporalConnectionError> {
  const sdkReason = causeChain(err);
  const answered = /UNAUTHENTICATED|PERMISSION_DENIED|authentication credentials|unauthori[sz]ed/i.test(sdkReason);
  const probe = answered ? undefined : await probeTls(settings, options.probeTimeoutMs);
  const reason = probe ? `${sdkReason}; ${probe}` : sdkReason;
  return new TemporalConnectionError(settings, reason, connectionHint(settings, probe ?? sdkReason) ?? connectionHint(settings, sdkReason), err);
}

/** "Failed to connect to Temporal server: 16 UNAUTHENTICATED: …": the SDK wraps the server's answer in a generic error. */
function causeChain(err: unknown): string {
  const messages: string[] = [];
  for (let current = err, depth = 0; current !== undefined && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (!messages.some((m) => m.includes(message))) messages.push(message);
    if (!(current instanceof Error)) break;
  }
  return messages.join(': ');
}

/**
 * The likely cause of a failed connection, from the words of grpc-js
 * (clients), Core/rustls (workers) or OpenSSL (our own TLS probe), said as
 * the variable to fix.
 */
export function connectionHint(settings: TemporalConnectionSettings, reason: string): string | undefined {
  const tls = settings.tls;
  if (/UNAUTHENTICATED|authentication credentials|unauthori[sz]ed|invalid api key/i.test(reason)) {
    return settings.apiKey
      ? 'the server refused TEMPORAL_API_KEY: check the key, and that it is not expired or revoked'
      : 'the server wants credentials: set TEMPORAL_API_KEY, or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)';
  }
  if (/PERMISSION_DENIED|permission denied/i.test(reason)) {
    return `the credentials are not allowed in namespace "${settings.namespace}" (TEMPORAL_NAMESPACE)`;
  }
  if (!tls) {
    if (/expects TLS|broken pipe|connection (dropped|reset)|ECONNRESET/i.test(reason)) {
      return 'the server expects TLS: set TEMPORAL_TLS=true (and TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA)';
    }
    return undefined;
  }
  if (/NotValidForName|Hostname\/IP does not match|altnames/i.test(reason)) {
    return `the server's certificate does not name ${tls.serverName ?? hostOf(settings.address)}: set TEMPORAL_TLS_SERVER_NAME to a name it carries`;
  }
  if (/UnknownIssuer|self[- ]signed certificate|unable to (verify the first certificate|get local issuer certificate)|certificate verify failed|BadSignature/i.test(reason)) {
    return tls.serverCaCertPath
      ? `the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH (${tls.serverCaCertPath})`
      : "the server's certificate is not signed by a CA this system trusts: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to its CA";
  }
  if (/certificate required|CertificateRequired|peer did not return a certificate/i.test(reason) && !tls.clientCertPath) {
    return 'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
  }
  if (/alert (unknown ca|bad certificate|certificate unknown|unsupported certificate|certificate expired|certificate revoked|access denied)|BadCertificate|closed the connection as soon as the handshake/i.test(reason)) {
    if (!tls.clientCertPath) return 'the server refused the connection after the handshake: does it require a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)?';
    return `the server refused the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH (${tls.clientCertPath ?? 'none'}): is it signed by a CA the server trusts, and still valid?`;
  }
  if (/wrong version number|packet length too long|InvalidContentType|unknown protocol/i.test(reason)) {
    return 'the server does not speak TLS at this address: set TEMPORAL_TLS=false, or use its TLS port';
  }
  if (/tls|ssl|handshake|close_notify|UnexpectedEof/i.test(reason)) {
    return 'the TLS handshake failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH, and whether the server requires a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)';
  }
  return undefined;
}

function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
}
