/**
 * What a log line should say about the change it belongs to, read from a
 * workflow's or activity's input. Inputs are contracts' objects: `changeId`
 * and `device` on most, `devices` (names, or drift targets `{device, config}`)
 * on fleet-wide ones, `driftId` on drift runs.
 *
 * Loaded inside the workflow sandbox too: pure functions only.
 */
export interface ChangeLogContext {
  changeId?: string;
  driftId?: string;
  device?: string;
  devices?: string[];
  /** How many devices the input names, when `devices` lists only the first of them. */
  deviceCount?: number;
}

/** A drift batch holds up to 200 devices; every log line repeating them all would drown the message. */
export const MAX_LOGGED_DEVICES = 20;

export function changeLogContext(input: unknown): ChangeLogContext {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const fields = input as Record<string, unknown>;
  const context: ChangeLogContext = {};
  if (isText(fields.changeId)) context.changeId = fields.changeId;
  if (isText(fields.driftId)) context.driftId = fields.driftId;
  if (isText(fields.device)) context.device = fields.device;
  const devices = deviceNames(fields.devices);
  if (devices.length > 0) {
    context.devices = devices.slice(0, MAX_LOGGED_DEVICES);
    if (devices.length > MAX_LOGGED_DEVICES) context.deviceCount = devices.length;
  }
  return context;
}

function deviceNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names: string[] = [];
  for (const entry of value) {
    if (isText(entry)) names.push(entry);
    else if (typeof entry === 'object' && entry !== null && isText((entry as { device?: unknown }).device)) names.push((entry as { device: string }).device);
  }
  return names;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
