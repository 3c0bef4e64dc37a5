import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SynapseError } from '@synapse/contracts';
import type { CredentialsLookup, GnmiCredentials } from '@synapse/gnmi-client';

/**
 * Device credentials, found by device name. They come from the worker's
 * environment or a file it reads, never from activity arguments: arguments
 * are stored in workflow history, which many people can read.
 *
 *  - SYNAPSE_DEVICE_CREDENTIALS_FILE: JSON `{ "default": {username, password}, "leaf01": {...} }`;
 *    a device's own entry wins over "default";
 *  - SYNAPSE_DEVICE_USERNAME / SYNAPSE_DEVICE_PASSWORD: for every device the file does not cover.
 *
 * Errors name the device, the file and the variable, never a value.
 */
export const CREDENTIALS_FILE_VAR = 'SYNAPSE_DEVICE_CREDENTIALS_FILE';
export const USERNAME_VAR = 'SYNAPSE_DEVICE_USERNAME';
export const PASSWORD_VAR = 'SYNAPSE_DEVICE_PASSWORD';

const Credentials = z.object({ username: z.string().min(1), password: z.string() }).strict();
const CredentialsFile = z.record(z.string().min(1), Credentials);

export interface DeviceCredentials {
  /** The pool's lookup: throws AuthFailed naming the device when nothing covers it. */
  lookup: CredentialsLookup;
  /** Where credentials come from, for the startup log (no values). */
  describe(): string;
}

export function loadDeviceCredentials(env: NodeJS.ProcessEnv = process.env): DeviceCredentials {
  const file = nonEmpty(env[CREDENTIALS_FILE_VAR]);
  const perDevice = file ? readCredentialsFile(file) : new Map<string, GnmiCredentials>();
  const username = nonEmpty(env[USERNAME_VAR]);
  const password = env[PASSWORD_VAR];
  if ((username === undefined) !== (password === undefined)) {
    throw new Error(`${USERNAME_VAR} and ${PASSWORD_VAR} go together: set both or neither`);
  }
  const fromEnvironment = username !== undefined && password !== undefined ? { username, password } : undefined;
  const fallback = perDevice.get('default') ?? fromEnvironment;

  return {
    lookup(device: string): GnmiCredentials {
      const found = perDevice.get(device) ?? fallback;
      if (found) return { ...found };
      const sources = [file ? `an entry "${device}" or "default" in ${CREDENTIALS_FILE_VAR} (${file})` : `${CREDENTIALS_FILE_VAR}`, `${USERNAME_VAR}/${PASSWORD_VAR}`];
      throw new SynapseError('AuthFailed', `no credentials for device ${device}: set ${sources.join(' or ')}`, { device });
    },
    describe() {
      const parts: string[] = [];
      if (file) parts.push(`${CREDENTIALS_FILE_VAR} (${perDevice.size} entr${perDevice.size === 1 ? 'y' : 'ies'})`);
      if (fromEnvironment) parts.push(`${USERNAME_VAR}/${PASSWORD_VAR}`);
      return parts.length > 0 ? parts.join(' + ') : 'none configured';
    },
  };
}

function readCredentialsFile(file: string): Map<string, GnmiCredentials> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${CREDENTIALS_FILE_VAR}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a password.
    throw new Error(`${CREDENTIALS_FILE_VAR}: ${file} is not valid JSON`);
  }
  const parsed = CredentialsFile.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
    throw new Error(`${CREDENTIALS_FILE_VAR}: ${file} must map device names to {"username","password"}; check ${[...new Set(fields)].join(', ')}`);
  }
  return new Map(Object.entries(parsed.data));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
