import { stripModulePrefix } from './json-ietf';
import { formatPath, joinPaths, type GnmiPath } from './path';
import type { WireNotification, WirePath } from './proto';
import { decodeTypedValue, type DecodeOptions } from './values';

/** One leaf or subtree as the device reported it. */
export interface PathValue {
  /** Absolute path (notification prefix + update path) in `/a[k=v]/b` form. */
  path: string;
  value: unknown;
  /** Nanoseconds since the Unix epoch as a decimal string (exceeds 2^53). */
  timestamp: string;
}

export interface DecodedNotification {
  timestamp: string;
  updates: PathValue[];
  /** Absolute paths the device reported as removed. */
  deletes: string[];
  atomic: boolean;
}

export function pathFromWire(wire: WirePath | undefined, options: DecodeOptions = {}): GnmiPath {
  if (!wire) return { elem: [] };
  const rename = options.keepModulePrefixes ? (name: string) => name : stripModulePrefix;
  // `element` is the pre-0.4 string form; old targets still send it.
  const elem = wire.elem?.length
    ? wire.elem.map((e) => {
        const key = e.key && Object.keys(e.key).length > 0 ? { ...e.key } : undefined;
        return key ? { name: rename(e.name), key } : { name: rename(e.name) };
      })
    : (wire.element ?? []).map((name) => ({ name: rename(name) }));
  const path: GnmiPath = { elem };
  if (wire.origin) path.origin = wire.origin;
  if (wire.target) path.target = wire.target;
  return path;
}

export function decodeNotification(notification: WireNotification, options: DecodeOptions = {}): DecodedNotification {
  const timestamp = notification.timestamp ?? '0';
  const prefix = pathFromWire(notification.prefix, options);
  const absolute = (wire: WirePath | undefined) => formatPath(joinPaths(prefix, pathFromWire(wire, options)));
  return {
    timestamp,
    updates: (notification.update ?? []).map((update) => ({
      path: absolute(update.path),
      value: decodeTypedValue(update.val, options),
      timestamp,
    })),
    deletes: (notification.delete ?? []).map(absolute),
    atomic: notification.atomic ?? false,
  };
}

/** The later of two nanosecond timestamps, compared exactly. */
export function laterTimestamp(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  return BigInt(a) >= BigInt(b) ? a : b;
}
