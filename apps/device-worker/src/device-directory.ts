import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_DEVICE_TRANSPORT, DeviceTarget, DeviceTransport, SynapseError, TargetAddress } from '@synapse/contracts';

/**
 * Where each device is: name -> DeviceTarget (address, transport, call
 * deadline). Activities receive device names only; the directory turns a
 * name into a target, and an unknown name into a non-retryable error that
 * names it (retrying cannot make a device appear in the inventory).
 */
export interface DeviceDirectory {
  resolve(device: string): DeviceTarget;
  devices(): string[];
}

/** What applies to every device unless its inventory entry says otherwise. */
export interface DirectoryDefaults {
  transport: DeviceTransport;
  /**
   * Credentials may go to every plaintext device whose transport does not
   * say allowCredentials itself (SYNAPSE_GNMI_ALLOW_PLAINTEXT_CREDENTIALS).
   * Unset or false: they are refused (gnmi-client).
   */
  allowPlaintextCredentials?: boolean;
  timeoutMs: number;
}

export const DEFAULT_DIRECTORY_DEFAULTS: DirectoryDefaults = { transport: DEFAULT_DEVICE_TRANSPORT, timeoutMs: 10_000 };

/** One inventory entry: the address, and optionally its own transport and deadline. */
export const InventoryEntry = z
  .object({
    address: TargetAddress,
    transport: DeviceTransport.optional(),
    timeoutMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();
export type InventoryEntry = z.infer<typeof InventoryEntry>;

export class StaticDeviceDirectory implements DeviceDirectory {
  readonly #targets = new Map<string, DeviceTarget>();

  constructor(
    entries: Record<string, InventoryEntry>,
    defaults: DirectoryDefaults = DEFAULT_DIRECTORY_DEFAULTS,
    private readonly source = 'the device inventory',
  ) {
    for (const [name, entry] of Object.entries(entries)) {
      const target = DeviceTarget.safeParse({
        name,
        address: entry.address,
        transport: withCredentialsDefault(entry.transport ?? defaults.transport, defaults.allowPlaintextCredentials),
        timeoutMs: entry.timeoutMs ?? defaults.timeoutMs,
      });
      if (!target.success) {
        const fields = target.error.issues.map((issue) => issue.path.map(String).join('.')).join(', ');
        throw new Error(`${source}: device "${name}" is not valid (${fields})`);
      }
      this.#targets.set(name, target.data);
    }
  }

  resolve(device: string): DeviceTarget {
    const target = this.#targets.get(device);
    if (target) return structuredClone(target);
    const known = [...this.#targets.keys()];
    const listing = known.length === 0 ? 'it lists no devices' : `it lists ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`;
    throw new SynapseError('InvalidInput', `device ${device} is not in ${this.source} (${listing})`, { device, fields: ['device'] });
  }

  devices(): string[] {
    return [...this.#targets.keys()];
  }
}

/** A plaintext transport's own allowCredentials wins over the worker-wide setting. */
function withCredentialsDefault(transport: DeviceTransport, allowPlaintextCredentials: boolean | undefined): DeviceTransport {
  if (transport.mode !== 'plaintext' || transport.allowCredentials !== undefined || !allowPlaintextCredentials) return transport;
  return { ...transport, allowCredentials: true };
}

/**
 * Reads an inventory file in either of two forms:
 *  - one JSON object: `{ "spine01": { "address": "10.0.0.1:57400", "transport": {"mode": "tls", "caFile": "/etc/ssl/fabric-ca.pem"} } }`;
 *  - JSON lines as device-sim prints them on stdout, `{"device":"spine01","address":"127.0.0.1:57400"}`,
 *    so the simulator's output can be passed straight through; lines that
 *    describe something else (its control endpoint) are skipped.
 */
export function loadInventoryFile(file: string, defaults: DirectoryDefaults = DEFAULT_DIRECTORY_DEFAULTS): StaticDeviceDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`device inventory ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return new StaticDeviceDirectory(parseInventory(text, file), defaults, `the device inventory ${file}`);
}

export function parseInventory(text: string, source = 'device inventory'): Record<string, InventoryEntry> {
  const whole = tryJson(text.trim());
  if (whole !== undefined && isPlainObject(whole) && !('device' in whole)) return parseInventoryObject(whole, source);

  const entries: Record<string, InventoryEntry> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const json = tryJson(line);
    if (json === undefined || !isPlainObject(json)) throw new Error(`${source} line ${index + 1}: not a JSON object`);
    if (typeof json.device !== 'string') return;
    const { device, ...rest } = json;
    const entry = InventoryEntry.safeParse(rest);
    if (!entry.success) throw new Error(`${source} line ${index + 1} (${device}): ${describeIssues(entry.error)}`);
    entries[device] = entry.data;
  });
  return entries;
}

function parseInventoryObject(json: Record<string, unknown>, source: string): Record<string, InventoryEntry> {
  const entries: Record<string, InventoryEntry> = {};
  for (const [device, value] of Object.entries(json)) {
    const entry = InventoryEntry.safeParse(value);
    if (!entry.success) throw new Error(`${source}: device "${device}": ${describeIssues(entry.error)}`);
    entries[device] = entry.data;
  }
  return entries;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(entry)'}: ${issue.message}`).join('; ');
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
