import { z } from 'zod';
import { DEFAULT_DEVICE_TRANSPORT, DeviceTarget, DeviceTransport, parseInput, SynapseError } from '@synapse/contracts';

/**
 * The target: where a device is and how to talk to it (gnmic's model: one
 * object, separate from the operations). It is the contracts' DeviceTarget,
 * with one addition for callers that hold the CA in memory rather than in a
 * file (a simulator's self-signed CA, a secret store): `transport.caPem`.
 * Credentials are not part of it; see GnmiCredentials.
 */
const [PlaintextTransport, SkipVerifyTransport, TlsTransport] = DeviceTransport.options;

export const GnmiTransport = z.discriminatedUnion('mode', [
  PlaintextTransport,
  SkipVerifyTransport,
  TlsTransport.extend({ caPem: z.string().min(1).optional() }).refine((t) => !(t.caFile && t.caPem), {
    message: 'give the CA as caFile or caPem, not both',
    path: ['caPem'],
  }),
]);
export type GnmiTransport = z.infer<typeof GnmiTransport>;

export const GnmiTarget = DeviceTarget.extend({
  transport: GnmiTransport.default(DEFAULT_DEVICE_TRANSPORT),
});
export type GnmiTarget = z.infer<typeof GnmiTarget>;
/** What callers write: transport and timeoutMs may be left out. */
export type GnmiTargetInput = z.input<typeof GnmiTarget>;

/**
 * Username and password sent as gRPC metadata on every call, as SR Linux and
 * most gNMI targets expect. Kept apart from the target so a target can be
 * logged, compared and stored without ever carrying a secret.
 */
export interface GnmiCredentials {
  username: string;
  password: string;
}

export interface GnmiClientOptions {
  /**
   * Largest response accepted. gRPC's default is 4 MiB, which a full running
   * config of a large box exceeds; gnmic defaults to 512 MiB, so do we.
   */
  maxReceiveMessageBytes?: number;
  /**
   * Interval of HTTP/2 keepalive pings while calls are active. gRPC servers
   * (grpc-go, which most gNMI targets use, and gRPC core) by default refuse
   * pings more often than every 5 minutes on a connection where they send
   * nothing, and answer repeated offences with GOAWAY ENHANCE_YOUR_CALM,
   * killing a quiet ON_CHANGE subscription. 5.5 minutes stays clear of that
   * while still noticing a dead peer on a long-lived stream.
   */
  keepaliveTimeMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is dropped. */
  keepaliveTimeoutMs?: number;
  /**
   * What lets credentials go over plaintext, in the words of the program's
   * own settings (the device worker: its variable and inventory field); the
   * refusal names it. Default: the target's `transport.allowCredentials`.
   */
  plaintextCredentialsSetting?: string;
}

export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 512 * 1024 * 1024;
export const DEFAULT_KEEPALIVE_TIME_MS = 330_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;

/** Parses a target at the boundary; a bad one is a non-retryable InvalidInput naming the field. */
export function parseTarget(input: GnmiTargetInput): GnmiTarget {
  return parseInput(GnmiTarget, input, 'gNMI target');
}

export function parseCredentials(credentials: GnmiCredentials | undefined, deviceName: string): GnmiCredentials | undefined {
  if (credentials === undefined) return undefined;
  // The message must never echo the values: they may be a password.
  if (typeof credentials.username !== 'string' || credentials.username === '') {
    return invalidCredentials(deviceName, 'username must be a non-empty string');
  }
  if (typeof credentials.password !== 'string') return invalidCredentials(deviceName, 'password must be a string');
  return { username: credentials.username, password: credentials.password };
}

function invalidCredentials(deviceName: string, reason: string): never {
  throw new SynapseError('InvalidInput', `gNMI credentials for ${deviceName}: ${reason}`, {
    device: deviceName,
    fields: ['credentials'],
  });
}

const ClientOptions = z.object({
  maxReceiveMessageBytes: z.number().int().positive().max(2 ** 31 - 1).optional(),
  keepaliveTimeMs: z.number().int().min(10_000).optional(),
  keepaliveTimeoutMs: z.number().int().positive().optional(),
  plaintextCredentialsSetting: z.string().min(1).optional(),
});

export function parseClientOptions(options: GnmiClientOptions | undefined): Required<GnmiClientOptions> {
  const parsed = parseInput(ClientOptions, options ?? {}, 'gNMI client options');
  return {
    maxReceiveMessageBytes: parsed.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    keepaliveTimeMs: parsed.keepaliveTimeMs ?? DEFAULT_KEEPALIVE_TIME_MS,
    keepaliveTimeoutMs: parsed.keepaliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
    plaintextCredentialsSetting: parsed.plaintextCredentialsSetting ?? 'transport.allowCredentials: true',
  };
}
