import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { booleanWord, pickEnv, SettingsProblems, type Env } from './env';

/**
 * How every worker and the CLI reach Temporal, from the environment. The
 * names are Temporal's own environment-configuration names, so one set of
 * variables serves the `temporal` CLI, the Temporal SDKs and Synapse alike.
 *
 *   TEMPORAL_ADDRESS                        host:port of the frontend (localhost:7233)
 *   TEMPORAL_NAMESPACE                      namespace (default)
 *   TEMPORAL_API_KEY                        sent as `authorization: Bearer <key>`; implies TLS
 *   TEMPORAL_TLS                            true/false; implied true by any TLS variable or an API key
 *   TEMPORAL_TLS_SERVER_CA_CERT_PATH        PEM CA bundle the server's certificate must chain to (default: system CAs)
 *   TEMPORAL_TLS_CLIENT_CERT_PATH           PEM client certificate for mTLS (with the key below)
 *   TEMPORAL_TLS_CLIENT_KEY_PATH            PEM private key of that certificate (unencrypted)
 *   TEMPORAL_TLS_SERVER_NAME                name checked in the server's certificate and sent as SNI (default: the host of TEMPORAL_ADDRESS)
 *   TEMPORAL_TLS_DISABLE_HOST_VERIFICATION  only `false` is accepted: neither SDK connection can skip the check
 */
export const TEMPORAL_CONNECTION_VARIABLES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
] as const;

const DEFAULT_ADDRESS = 'localhost:7233';
const DEFAULT_NAMESPACE = 'default';

/** host:port or [ipv6]:port, port 1-65535. */
const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

function isAddress(value: string): boolean {
  const match = ADDRESS.exec(value);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
}

/** A string the test accepts; otherwise the message, which quotes what was given. */
const checked = (test: (value: string) => boolean, message: (value: string) => string) =>
  z.string().superRefine((value, ctx) => {
    if (!test(value)) ctx.addIssue({ code: 'custom', message: message(value) });
  });

const yesNo = (variable: string) =>
  z.string().transform((value, ctx) => {
    const parsed = booleanWord(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `${variable} must be true or false (got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return parsed;
  });

/** The environment as written: each variable's form, then the rules that tie them together. */
export const TemporalConnectionEnv = z
  .object({
    TEMPORAL_ADDRESS: checked(isAddress, (value) => `host:port, e.g. localhost:7233 (got ${JSON.stringify(value)})`).default(DEFAULT_ADDRESS),
    TEMPORAL_NAMESPACE: checked((value) => /^\S+$/.test(value), (value) => `a namespace name has no spaces (got ${JSON.stringify(value)})`).default(DEFAULT_NAMESPACE),
    TEMPORAL_API_KEY: z.string().regex(/^\S+$/, 'must be one token, without spaces or line breaks').optional(),
    TEMPORAL_TLS: yesNo('TEMPORAL_TLS').optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().optional(),
    TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().optional(),
    TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().regex(/^\S+$/, 'a host name, without spaces').optional(),
    TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: yesNo('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION').optional(),
  })
  .superRefine((env, ctx) => {
    const problem = (variable: string, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
    if (env.TEMPORAL_TLS_CLIENT_CERT_PATH && !env.TEMPORAL_TLS_CLIENT_KEY_PATH) {
      problem('TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH is required with TEMPORAL_TLS_CLIENT_CERT_PATH');
    }
    if (env.TEMPORAL_TLS_CLIENT_KEY_PATH && !env.TEMPORAL_TLS_CLIENT_CERT_PATH) {
      problem('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH is required with TEMPORAL_TLS_CLIENT_KEY_PATH');
    }
    if (env.TEMPORAL_TLS === false) {
      for (const variable of TLS_ONLY_VARIABLES) {
        if (env[variable] !== undefined) problem(variable, `${variable} is set but TEMPORAL_TLS=false: remove one of them`);
      }
    }
    if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === true) {
      // Core (workers) has no such switch and the client connection follows it, so both check the name the same way.
      problem(
        'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
        'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true is not supported by the Temporal TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME to a name the server certificate carries instead',
      );
    }
  });

const TLS_ONLY_VARIABLES = ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_NAME'] as const;

export interface TemporalTlsSettings {
  /** Absolute path, or undefined for the system's CAs (Temporal Cloud). */
  serverCaCertPath?: string;
  clientCertPath?: string;
  clientKeyPath?: string;
  serverName?: string;
  /** What the SDK's `tls` option takes: the files' bytes, read and checked once. */
  sdk: {
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverNameOverride?: string;
  };
  /** For describe(): whom the client certificate names and until when. */
  clientCertificate?: { subject: string; validTo: string };
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** Undefined: plaintext gRPC. */
  tls?: TemporalTlsSettings;
  apiKey?: string;
}

/** What may be printed or logged: paths and names, never the API key or key material. */
export interface TemporalConnectionDescription {
  address: string;
  namespace: string;
  tls:
    | false
    | {
        serverCa: string;
        clientCert?: string;
        clientCertSubject?: string;
        clientCertValidTo?: string;
        serverName?: string;
      };
  apiKey: 'set' | 'unset';
}

/**
 * The connection settings from the environment, every file read and checked,
 * so a deployment mistake (a cert without its key, an unreadable CA, a key
 * that belongs to another certificate) stops the process at start with the
 * variable named, not later as an opaque handshake error.
 * Throws an InvalidInput SynapseError listing every problem.
 */
export function temporalConnectionSettingsFromEnv(env: Env = process.env): TemporalConnectionSettings {
  const problems = new SettingsProblems();
  const parsed = TemporalConnectionEnv.safeParse(pickEnv(env, TEMPORAL_CONNECTION_VARIABLES));
  if (!parsed.success) {
    problems.addZodIssues(parsed.error.issues);
    problems.throwIfAny('Temporal connection settings');
  }
  const vars = parsed.data!;
  const settings: TemporalConnectionSettings = {
    address: vars.TEMPORAL_ADDRESS,
    namespace: vars.TEMPORAL_NAMESPACE,
    ...(vars.TEMPORAL_API_KEY ? { apiKey: vars.TEMPORAL_API_KEY } : {}),
  };
  const tlsImplied = TLS_ONLY_VARIABLES.some((name) => vars[name] !== undefined) || vars.TEMPORAL_API_KEY !== undefined;
  if (vars.TEMPORAL_TLS ?? tlsImplied) {
    settings.tls = readTlsFiles(vars, problems);
  }
  problems.throwIfAny('Temporal connection settings');
  return settings;
}

function readTlsFiles(vars: z.infer<typeof TemporalConnectionEnv>, problems: SettingsProblems): TemporalTlsSettings {
  const tls: TemporalTlsSettings = { sdk: {} };
  if (vars.TEMPORAL_TLS_SERVER_NAME) {
    tls.serverName = vars.TEMPORAL_TLS_SERVER_NAME;
    tls.sdk.serverNameOverride = vars.TEMPORAL_TLS_SERVER_NAME;
  }
  if (vars.TEMPORAL_TLS_SERVER_CA_CERT_PATH) {
    const caPath = path.resolve(vars.TEMPORAL_TLS_SERVER_CA_CERT_PATH);
    tls.serverCaCertPath = caPath;
    const pem = readPem('TEMPORAL_TLS_SERVER_CA_CERT_PATH', caPath, problems);
    if (pem && parseCertificate('TEMPORAL_TLS_SERVER_CA_CERT_PATH', caPath, pem, problems)) tls.sdk.serverRootCACertificate = pem;
  }
  if (vars.TEMPORAL_TLS_CLIENT_CERT_PATH && vars.TEMPORAL_TLS_CLIENT_KEY_PATH) {
    const certPath = path.resolve(vars.TEMPORAL_TLS_CLIENT_CERT_PATH);
    const keyPath = path.resolve(vars.TEMPORAL_TLS_CLIENT_KEY_PATH);
    tls.clientCertPath = certPath;
    tls.clientKeyPath = keyPath;
    const crt = readPem('TEMPORAL_TLS_CLIENT_CERT_PATH', certPath, problems);
    const key = readPem('TEMPORAL_TLS_CLIENT_KEY_PATH', keyPath, problems);
    const certificate = crt ? parseCertificate('TEMPORAL_TLS_CLIENT_CERT_PATH', certPath, crt, problems) : undefined;
    const privateKey = key ? parsePrivateKey(keyPath, key, problems) : undefined;
    if (certificate) {
      tls.clientCertificate = { subject: certificate.subject.replace(/\n/g, ', '), validTo: new Date(certificate.validTo).toISOString() };
      if (Date.parse(certificate.validTo) < Date.now()) {
        problems.add('TEMPORAL_TLS_CLIENT_CERT_PATH', `${certPath} expired on ${tls.clientCertificate.validTo}`);
      }
    }
    if (certificate && privateKey) {
      if (!certificate.checkPrivateKey(privateKey)) {
        problems.add('TEMPORAL_TLS_CLIENT_KEY_PATH', `${keyPath} is not the private key of the certificate in TEMPORAL_TLS_CLIENT_CERT_PATH (${certPath})`);
      } else {
        tls.sdk.clientCertPair = { crt: crt!, key: key! };
      }
    }
  }
  return tls;
}

function readPem(variable: string, file: string, problems: SettingsProblems): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    problems.add(variable, `cannot read ${file} (${why})`);
    return undefined;
  }
}

function parseCertificate(variable: string, file: string, pem: Buffer, problems: SettingsProblems): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    problems.add(variable, `${file} is not a PEM certificate`);
    return undefined;
  }
}

function parsePrivateKey(file: string, pem: Buffer, problems: SettingsProblems): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    const encrypted = /passphrase|encrypted|bad decrypt/i.test((err as Error).message) || pem.includes('ENCRYPTED');
    problems.add(
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      encrypted ? `${file} is encrypted with a passphrase; the SDK needs an unencrypted PEM key` : `${file} is not a PEM private key`,
    );
    return undefined;
  }
}

/** Safe to print: the API key is reduced to whether it is set, files to their paths. */
export function describeTemporalConnection(settings: TemporalConnectionSettings): TemporalConnectionDescription {
  const { tls } = settings;
  return {
    address: settings.address,
    namespace: settings.namespace,
    tls: tls
      ? {
          serverCa: tls.serverCaCertPath ?? 'system CAs',
          ...(tls.clientCertPath ? { clientCert: tls.clientCertPath } : {}),
          ...(tls.clientCertificate ? { clientCertSubject: tls.clientCertificate.subject, clientCertValidTo: tls.clientCertificate.validTo } : {}),
          ...(tls.serverName ? { serverName: tls.serverName } : {}),
        }
      : false,
    apiKey: settings.apiKey ? 'set' : 'unset',
  };
}

/** How the connection is made, for error messages: "plaintext", or "TLS, CA …, client certificate …, API key". */
export function transportSummary(settings: TemporalConnectionSettings): string {
  const how: string[] = [];
  if (!settings.tls) how.push('plaintext');
  else {
    how.push(`TLS, CA ${settings.tls.serverCaCertPath ?? 'from the system'}`);
    if (settings.tls.clientCertPath) how.push(`client certificate ${settings.tls.clientCertPath}`);
    if (settings.tls.serverName) how.push(`server name ${settings.tls.serverName}`);
  }
  if (settings.apiKey) how.push('API key');
  return how.join(', ');
}

/** One line for error messages: where, and how. */
export function connectionSummary(settings: TemporalConnectionSettings): string {
  return `${settings.address} (${transportSummary(settings)})`;
}
